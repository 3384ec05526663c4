"""the events Google sent that touchbase could not read, kept on their calendar until read

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("calendars", sa.Column("unread_events", sa.JSON(), nullable=True))


def downgrade() -> None:
    # Not batch mode, as 0019: SQLite drops a column in place since 3.35.
    op.drop_column("calendars", "unread_events")
