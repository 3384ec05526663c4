"""whether a person's changes to events with guests email them: ask each time (the default),
always send, or never send

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("guest_emails", sa.String(length=8), nullable=False, server_default="ask")
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("guest_emails")
