"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from earshot.bot.text import without_surrogates

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets the wider BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

# Much of what Earshot stores comes from third parties (titles, authors, cursors, error messages quoting an API),
# and one value a database refuses fails the whole transaction: the poll, and every good item in it. So every text
# and JSON column stores only what both databases accept, whatever the caller hands it.


def storable(value: str) -> str:
    """``value`` as both databases store it: without U+0000 (PostgreSQL refuses it), lone surrogates as U+FFFD
    (no UTF-8 encoder accepts them)."""
    return without_surrogates(value.replace("\x00", "") if "\x00" in value else value)


def storable_json(value: Any) -> Any:
    """A JSON value with every string (keys too) :func:`storable`, and non-finite numbers (which JSONB refuses)
    as null."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {storable(k) if isinstance(k, str) else k: storable_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable_json(v) for v in value]
    return value


class StoredText(TypeDecorator[str]):
    """Text, stored :func:`storable`."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        """Drop what a database refuses."""
        return storable(value) if isinstance(value, str) else value


class StoredString(TypeDecorator[str]):
    """A bounded string, stored :func:`storable`."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        """Drop what a database refuses."""
        return storable(value) if isinstance(value, str) else value


class Count(TypeDecorator[int]):
    """A count a third party reports (points, replies, votes): clamped to a 32-bit integer, the column's range on
    PostgreSQL, rather than failing the write. Such a count is only ever shown and compared."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Dialect) -> int | None:
        """Clamp to the column's range."""
        return None if value is None else max(INT32_MIN, min(INT32_MAX, value))


class Json(TypeDecorator[Any]):
    """JSONB on PostgreSQL (stored parsed, compared by value), plain JSON text on SQLite; stored
    :func:`storable_json`."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """JSONB on PostgreSQL."""
        return dialect.type_descriptor(JSONB() if dialect.name == "postgresql" else JSON())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """Drop what a database refuses."""
        return storable_json(value)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime, on the way in and on the way out, on every dialect.

    SQLite has no time zones: values are stored as naive UTC text (which sorts correctly) and made aware again
    when read. Naive datetimes are refused, since their meaning would be a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC (naive UTC for SQLite)."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given where an aware UTC time is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        """Return aware UTC."""
        if value is None:
            return None
        if not isinstance(value, datetime):  # SQLite computed expressions can come back as text
            value = datetime.fromisoformat(str(value))
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
