"""an invitation the user declined is no meeting with anyone: its guests leave `event_guests`

The guest index now holds no guest of an event the user declined (`models.guest_emails`: the
attendee Google marks `self`, kept as `isSelf`). Events stored before did not keep that mark;
in the user's own calendar it is the attendee whose email is the calendar's id, so those
declined are marked and their events' guests taken out. Only events whose JSON names a
declined guest can change, so only those are read.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 00:00:00
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

EVENTS = sa.table(
    "events",
    sa.column("id", sa.String),
    sa.column("calendar_id", sa.String),
    sa.column("local", sa.JSON),
)
CALENDARS = sa.table(
    "calendars",
    sa.column("id", sa.String),
    sa.column("google_calendar_id", sa.String),
)
GUESTS = sa.table("event_guests", sa.column("event_id", sa.String))


def _marked(local: Any, calendar: str) -> dict[str, Any] | None:
    """The event's JSON with the user's declined answer marked, or None if they did not."""
    raw = json.loads(local) if isinstance(local, str) else local
    attendees = raw.get("attendees") if isinstance(raw, dict) else None
    declined = False
    for guest in attendees or ():
        email = guest.get("email") if isinstance(guest, dict) else None
        is_user = isinstance(email, str) and email.strip().lower() == calendar.strip().lower()
        if is_user and guest.get("responseStatus") == "declined":
            guest["isSelf"] = declined = True
    return raw if declined else None


def upgrade() -> None:
    bind = op.get_bind()
    mentioned = sa.cast(EVENTS.c.local, sa.Text).like('%"declined"%')
    found = bind.execute(
        sa.select(EVENTS.c.id, EVENTS.c.local, CALENDARS.c.google_calendar_id)
        .join(CALENDARS, CALENDARS.c.id == EVENTS.c.calendar_id)
        .where(mentioned)
    ).all()
    for event_id, local, calendar in found:
        marked = _marked(local, calendar or "")
        if marked is not None:
            bind.execute(EVENTS.update().where(EVENTS.c.id == event_id).values(local=marked))
            bind.execute(GUESTS.delete().where(GUESTS.c.event_id == event_id))


def downgrade() -> None:
    """The marks stay (an older version ignores them), and the guests are not indexed again:
    an invitation the user declined stays off the timelines until its event is next written."""
