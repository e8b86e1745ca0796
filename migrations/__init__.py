"""Alembic migrations for Earshot's database; ``earshot db upgrade`` runs them (earshot.adapters.storage.migrate)."""
