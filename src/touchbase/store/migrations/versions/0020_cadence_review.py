"""when the cadence job next moves the touchpoints cadences planned after the meetings held
since

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from touchbase.store.types import UtcDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("cadences_review_at", UtcDateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    # Not batch mode, as 0019: SQLite drops a column in place since 3.35.
    op.execute("ALTER TABLE users DROP COLUMN cadences_review_at")
