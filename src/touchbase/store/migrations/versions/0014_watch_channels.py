"""Google push-notification channels: one per synced calendar (two while one is renewed),
with the hash of each channel's token, its expiry, when to renew it, and the last message
number taken; and when to ask again for a calendar's channel after Google refused one

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "watch_channels",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("calendar_id", sa.String(36), nullable=False),
        sa.Column("resource_id", sa.String(255), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("renew_at", WHEN, nullable=False),
        sa.Column("last_message", sa.BigInteger(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_watch_channels_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["calendars.id"],
            name="fk_watch_channels_calendar_id_calendars",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_watch_channels"),
    )
    op.create_index("ix_watch_channels_user_id", "watch_channels", ["user_id"])
    op.create_index("ix_watch_channels_calendar_id", "watch_channels", ["calendar_id"])
    op.create_index("ix_watch_channels_renew_at", "watch_channels", ["renew_at"])
    with op.batch_alter_table("calendars") as table:
        table.add_column(sa.Column("next_watch_at", WHEN, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calendars") as table:
        table.drop_column("next_watch_at")
    op.drop_table("watch_channels")
