"""a guest who declined is not a meeting with them: taken out of `event_guests`

The guest index now leaves out guests whose response is "declined" (`models.guest_emails`);
events indexed before are indexed again. Only events whose JSON names a declined guest can
change, so only those are read.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 00:00:00
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

EVENTS = sa.table(
    "events",
    sa.column("id", sa.String),
    sa.column("local", sa.JSON),
)
GUESTS = sa.table(
    "event_guests",
    sa.column("event_id", sa.String),
    sa.column("email", sa.String),
)


def _declined(local: object) -> set[str]:
    raw = json.loads(local) if isinstance(local, str) else local
    attendees = raw.get("attendees") if isinstance(raw, dict) else None
    return {
        str(a.get("email") or "").strip().lower()
        for a in attendees or ()
        if isinstance(a, dict) and a.get("responseStatus") == "declined"
    }


def upgrade() -> None:
    bind = op.get_bind()
    mentioned = sa.cast(EVENTS.c.local, sa.Text).like('%"declined"%')
    found = bind.execute(sa.select(EVENTS.c.id, EVENTS.c.local).where(mentioned)).all()
    for event_id, local in found:
        declined = _declined(local)
        if declined:
            bind.execute(
                GUESTS.delete().where(
                    GUESTS.c.event_id == event_id, GUESTS.c.email.in_(sorted(declined))
                )
            )


def downgrade() -> None:
    """The declined guests are not indexed again: a meeting they declined stays off their
    timelines until its event is next written."""
