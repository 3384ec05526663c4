"""a calendar kept on touchbase only: a user without Google starts with one, and moves its
events into a Google calendar once connected

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 00:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "calendars",
        sa.Column("is_local", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("calendars", schema=None) as batch_op:
        batch_op.drop_column("is_local")
