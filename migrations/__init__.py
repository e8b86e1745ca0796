"""Alembic migrations for Earshot's database; run them with ``adapters.storage.migrate`` or ``earshot migrate``."""
