"""whether another person is the data owner of a secondary calendar the user has the owner
role on (one given to them to manage): its meetings are then that person's, not the user's

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL until the calendar list is next read (Google is asked then, once per calendar).
    op.add_column("calendars", sa.Column("owned_by_other", sa.Boolean(), nullable=True))


def downgrade() -> None:
    # Not batch mode, as 0019: SQLite drops a column in place since 3.35.
    op.drop_column("calendars", "owned_by_other")
