"""the original start of each stored occurrence, as a column

A listing needs, of each series it expands, only the slots its exceptions took within the
window. With the original start in a column (the UTC instant; midnight UTC of the date for an
all-day occurrence) that is a range query, not every exception's JSON.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 02:30:00
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _instant(original: dict[str, Any]) -> datetime | None:
    if original.get("date"):
        return datetime.fromisoformat(original["date"]).replace(tzinfo=UTC)
    if original.get("dateTime"):
        return datetime.fromisoformat(original["dateTime"]).astimezone(UTC)
    return None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("original_start_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            "ix_events_series_slots",
            ["calendar_id", "recurring_event_id", "original_start_at"],
            sqlite_where=sa.text("recurring_event_id IS NOT NULL"),
            postgresql_where=sa.text("recurring_event_id IS NOT NULL"),
        )
    bind = op.get_bind()
    events = sa.table(
        "events",
        sa.column("id", sa.String),
        sa.column("local", sa.JSON),
        sa.column("recurring_event_id", sa.String),
        sa.column("original_start_at", sa.DateTime(timezone=True)),
    )
    found = bind.execute(
        sa.select(events.c.id, events.c.local).where(events.c.recurring_event_id.is_not(None))
    ).all()
    sqlite = bind.dialect.name == "sqlite"
    for row_id, local in found:
        raw = json.loads(local) if isinstance(local, str) else local
        moment = _instant(raw.get("originalStart") or {})
        if moment is not None and sqlite:
            moment = moment.replace(tzinfo=None)
        bind.execute(events.update().where(events.c.id == row_id).values(original_start_at=moment))


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_series_slots")
        batch_op.drop_column("original_start_at")
