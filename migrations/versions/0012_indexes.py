"""Indexes for the recurring queries: none of the per-minute or per-poll queries reads the whole history.

Revision ID: 0012_indexes
Revises: 0011_chat_events
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0012_indexes"
down_revision: str | None = "0011_chat_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, columns): each named by the naming convention, as earshot.adapters.storage.tables declares them.
INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("alerts", ("created_at",)),  # feedback texts on every poll
    # State first, then the range: SQLite without statistics takes any index on state = ? for a selective one, so
    # queries on delivered alerts need an index that also narrows the range.
    ("alerts", ("state", "created_at")),  # unclaimed, activity, stats and reports
    ("alerts", ("state", "delivered_at")),  # the flood guard: posted to each channel this hour
    ("alerts", ("claimed_at",)),  # stale claims, participation checks to plan
    ("alerts", ("claimed_by", "claimed_at")),  # a person's open claims, oldest first
    ("alerts", ("followed_up_at", "claimed_at")),  # claims to ask about: not asked yet, old enough
    ("conversations", ("link",)),  # a stored conversation by the link it discusses
)

# (name, columns, condition on SQLite, condition on PostgreSQL), on alerts.
PARTIAL: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("ix_alerts_to_refresh", ("state", "id"), "needs_refresh = 1", "needs_refresh"),  # messages to redraw
    # The flood guard's last digest per channel:
    ("ix_alerts_digested", ("state", "channel", "delivered_at"), "held_at IS NOT NULL", "held_at IS NOT NULL"),
)


def _name(table: str, columns: tuple[str, ...]) -> str:
    return f"ix_{table}_{'_'.join(columns)}"


def upgrade() -> None:
    """Add the indexes."""
    for table, columns in INDEXES:
        # A link has no length limit, and a btree entry on PostgreSQL must stay under about 2,700 bytes: a hash
        # index has no such limit and serves the lookup, which is by equality only.
        using: dict[str, Any] = {"postgresql_using": "hash"} if (table, columns) == ("conversations", ("link",)) else {}
        op.create_index(op.f(_name(table, columns)), table, list(columns), **using)
    # Partial: only the few rows these queries look for, so the planner never prefers another index for them.
    for name, columns, sqlite_where, postgresql_where in PARTIAL:
        op.create_index(
            op.f(name),
            "alerts",
            list(columns),
            sqlite_where=sa.text(sqlite_where),
            postgresql_where=sa.text(postgresql_where),
        )


def downgrade() -> None:
    """Drop the indexes."""
    for name, *_ in reversed(PARTIAL):
        op.drop_index(op.f(name), table_name="alerts")
    for table, columns in reversed(INDEXES):
        op.drop_index(op.f(_name(table, columns)), table_name=table)
