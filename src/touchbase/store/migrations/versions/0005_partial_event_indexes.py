"""partial indexes for the mostly-NULL event columns

Every event that came from Google has no idempotency key, contact, series or pending change;
indexing only the rows where those are set keeps a sync's bulk insert off four indexes. Two
new partial indexes serve the push queue and a calendar's pending changes; a series'
instances are found by calendar and series id together.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 08:47:24.892461
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _where(condition: str) -> dict[str, sa.TextClause]:
    return {"sqlite_where": sa.text(condition), "postgresql_where": sa.text(condition)}


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_events_user_id", type_="unique")
        batch_op.drop_index("ix_events_next_push_at")
        batch_op.drop_index("ix_events_contact_id")
        batch_op.drop_index("ix_events_recurring_event_id")
        batch_op.create_index(
            "uq_events_user_idempotency_key",
            ["user_id", "idempotency_key"],
            unique=True,
            **_where("idempotency_key IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_events_contact_id", ["contact_id"], **_where("contact_id IS NOT NULL")
        )
        batch_op.create_index(  # a series' instances, by calendar
            "ix_events_series_instances",
            ["calendar_id", "recurring_event_id"],
            **_where("recurring_event_id IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_events_push_queue", ["next_push_at"], **_where("pending_op IS NOT NULL")
        )
        batch_op.create_index(
            "ix_events_calendar_pending", ["calendar_id"], **_where("pending_op IS NOT NULL")
        )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        for name in (
            "ix_events_calendar_pending",
            "ix_events_push_queue",
            "ix_events_series_instances",
            "ix_events_contact_id",
            "uq_events_user_idempotency_key",
        ):
            batch_op.drop_index(name)
        batch_op.create_index("ix_events_recurring_event_id", ["recurring_event_id"])
        batch_op.create_index("ix_events_contact_id", ["contact_id"])
        batch_op.create_index("ix_events_next_push_at", ["next_push_at"])
        batch_op.create_unique_constraint("uq_events_user_id", ["user_id", "idempotency_key"])
