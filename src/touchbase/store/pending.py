"""Which calendars a transaction left with changes waiting for Google, noted as the session
flushes, so the job queue can defer their push in the same transaction: no write path can
forget to, and a change committed is a change some job will push (or the request that made
it, holding its push lease; should that one die, the tick's sweep finds the change). And
which calendars' events it changed at all, so open pages can be told (bulk writes note
theirs themselves). And the small writes a read-only transaction leaves for after it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from touchbase.store.models import Event

_KEY = "touchbase.pending_pushes"
_HELD = "touchbase.pushed_here"
_CHANGED = "touchbase.changed_calendars"
_READ_ONLY = "touchbase.read_only"
_AFTER_READ = "touchbase.writes_after_read"

# A note a read-only transaction could not write, for a transaction after it.
LaterWrite = Callable[[AsyncSession], Awaitable[None]]


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
    noted: dict[str, tuple[str, datetime | None]] = session.info.setdefault(_KEY, {})
    for row in chain(session.new, session.dirty):
        if isinstance(row, Event) and row.pending_op is not None and row.sync_status == "pending":
            noted[row.id] = (row.calendar_id, row.next_push_at)


def pushed_here(session: Session, event_id: str) -> None:
    """Note that the request writing this row pushes it itself once the transaction commits
    (it took the row's push lease in it): it needs no push job. Should the request die
    first, the lease runs out and the job queue's tick defers one."""
    held: set[str] = session.info.setdefault(_HELD, set())
    held.add(event_id)


def take_pending_pushes(session: Session) -> dict[str, datetime | None]:
    """The calendars noted so far, each with when its earliest change is due (None: now),
    but for changes pushed here; the notes are emptied."""
    noted: dict[str, tuple[str, datetime | None]] = session.info.pop(_KEY, {})
    held: set[str] = session.info.pop(_HELD, set())
    due: dict[str, datetime | None] = {}
    for event_id, (calendar_id, at) in noted.items():
        if event_id in held:
            continue
        earlier = due.get(calendar_id, at)
        due[calendar_id] = None if at is None or earlier is None else min(at, earlier)
    return due


def note_changes(session: Session, changes: list[tuple[str, str]]) -> None:
    """Note that these (user, calendar)s' events changed in this transaction."""
    noted: set[tuple[str, str]] = session.info.setdefault(_CHANGED, set())
    noted.update(changes)


def take_changes(session: Session) -> set[tuple[str, str]]:
    """The (user, calendar)s whose events the transaction changed; the note is emptied."""
    noted: set[tuple[str, str]] = session.info.pop(_CHANGED, set())
    return noted


def read_only(session: Session) -> None:
    """Note that this transaction refuses writes (`Database.read` on SQLite)."""
    session.info[_READ_ONLY] = True


def set_now_or_after(session: Session, row: Any, **values: Any) -> None:
    """Note something on a row (one with an `id`) in this transaction, or, in a read-only
    one, in a transaction of its own once the read ends, if the write lock is free then
    (else a later use notes it again): for notes of a use, never for a change."""
    if not session.info.get(_READ_ONLY):
        for name, value in values.items():
            setattr(row, name, value)
        return
    model, key = type(row), row.id

    async def later(writing: AsyncSession) -> None:
        await writing.execute(update(model).where(model.id == key).values(**values))

    writes: list[LaterWrite] = session.info.setdefault(_AFTER_READ, [])
    writes.append(later)


def take_writes_after_read(session: Session) -> list[LaterWrite]:
    """The writes a read-only transaction left for after it; the note is emptied."""
    writes: list[LaterWrite] = session.info.pop(_AFTER_READ, [])
    return writes
