"""Which calendars a transaction left with changes waiting for Google, noted as the session
flushes, so the job queue can defer their push in the same transaction: no write path can
forget to, and a change committed is a change some job will push. And which calendars'
events it changed at all, so open pages can be told (bulk writes note theirs themselves)."""

from __future__ import annotations

from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from touchbase.store.models import Event

_KEY = "touchbase.pending_pushes"
_CHANGED = "touchbase.changed_calendars"


class TrackedSession(Session):
    """A session that notes the calendars whose rows it wrote with a change for Google."""


@event.listens_for(TrackedSession, "before_flush")
def _note_pending(session: Session, _context: Any, _instances: Any) -> None:
    note_changes(
        session,
        [
            (row.user_id, row.calendar_id)
            for row in chain(session.new, session.dirty, session.deleted)
            if isinstance(row, Event)
        ],
    )
    due: dict[str, datetime | None] = session.info.setdefault(_KEY, {})
    for row in chain(session.new, session.dirty):
        if not isinstance(row, Event) or row.pending_op is None or row.sync_status != "pending":
            continue
        at = row.next_push_at
        if row.calendar_id in due:
            earlier = due[row.calendar_id]
            at = None if at is None or earlier is None else min(at, earlier)
        due[row.calendar_id] = at


def take_pending_pushes(session: Session) -> dict[str, datetime | None]:
    """The calendars noted so far, each with when its earliest change is due (None: now);
    the note is emptied."""
    noted: dict[str, datetime | None] = session.info.pop(_KEY, {})
    return noted


def note_changes(session: Session, changes: list[tuple[str, str]]) -> None:
    """Note that these (user, calendar)s' events changed in this transaction."""
    noted: set[tuple[str, str]] = session.info.setdefault(_CHANGED, set())
    noted.update(changes)


def take_changes(session: Session) -> set[tuple[str, str]]:
    """The (user, calendar)s whose events the transaction changed; the note is emptied."""
    noted: set[tuple[str, str]] = session.info.pop(_CHANGED, set())
    return noted
