"""A conversation's thread state, declared language and whether it has a title of its own (issue 15).

conversations.state (NULL: open; "answered", "solved", "closed" or "locked", as the source says),
conversations.language (the ISO 639 code the source declares; NULL: not declared) and conversations.untitled
(true when the source has no title and the stored title is the text's opening). Items stored before keep NULL,
NULL and false: open, undeclared, titled, which is what they were scored as.

Revision ID: 0013_thread_state
Revises: 0012_indexes
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_thread_state"
down_revision: str | None = "0012_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add conversations.state, language and untitled."""
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("state", sa.String(20), nullable=True))
        batch.add_column(sa.Column("language", sa.String(20), nullable=True))
        batch.add_column(sa.Column("untitled", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("untitled")
        batch.drop_column("language")
        batch.drop_column("state")
