"""a calendar's colours from the user's Google calendar list, for the pages

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("calendars", sa.Column("color", sa.String(7), nullable=True))
    op.add_column("calendars", sa.Column("text_color", sa.String(7), nullable=True))


def downgrade() -> None:
    # Not batch mode, as 0019: SQLite drops a column in place since 3.35.
    op.drop_column("calendars", "text_color")
    op.drop_column("calendars", "color")
