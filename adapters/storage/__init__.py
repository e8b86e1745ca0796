"""Storage: SQLAlchemy tables, the SQL store (units of work) and programmatic migrations."""

from earshot.adapters.storage.engine import create_engine, describe_url, normalize_url
from earshot.adapters.storage.store import SqlStore, SqlUnit

__all__ = ["SqlStore", "SqlUnit", "create_engine", "describe_url", "normalize_url"]
