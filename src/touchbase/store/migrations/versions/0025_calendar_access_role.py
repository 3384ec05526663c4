"""the user's role on each calendar (Google's calendar list `accessRole`): a calendar shared
to view only takes no changes, and another person's meetings in a shared calendar are not
the user's

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL until the calendar list is next read (when the user's calendars are listed).
    op.add_column("calendars", sa.Column("access_role", sa.String(32), nullable=True))


def downgrade() -> None:
    # Not batch mode, as 0019: SQLite drops a column in place since 3.35.
    op.drop_column("calendars", "access_role")
