"""Events cache, conflicts and the audit log: every query scoped to one user."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, Row, Text, and_, cast, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.store import accounts
from touchbase.store.models import AuditEntry, Calendar, Conflict, Event

# session.info key: the events the session's transaction holds locked, by id (kept: the
# session's identity map alone would let an unreferenced one go, and read it again).
LOCKED_ROWS = "touchbase.locked_events"
# session.info key: the open conflict read with a row as it was locked, for the next ask.
CONFLICT_READ = "touchbase.conflict_read_with_lock"


async def get_event(
    session: AsyncSession, user_id: str, event_id: str, *, for_update: bool = False
) -> Event | None:
    """A user's live event (another user's, or a deleted one, is None); `for_update` locks
    the row until the transaction ends (PostgreSQL; SQLite transactions are serial). A row
    this transaction locked already is not read again."""
    locked: dict[str, Event] = session.info.setdefault(LOCKED_ROWS, {})
    row = locked.get(event_id) if for_update else None
    if row is None:
        row = await session.get(Event, event_id, with_for_update=for_update)
        if for_update and row is not None:
            locked[event_id] = row
    if row is None or row.user_id != user_id or (row.deleted and row.pending_op is None):
        return None
    return row


async def event_to_edit(
    session: AsyncSession, user_id: str, event_id: str
) -> tuple[Event, Conflict | None] | None:
    """A user's live event locked for a change (as `get_event`), with its open conflict, in
    one statement that also reads its calendar for the rest of the transaction (a change
    needs the calendar's time zone and Google id)."""
    locked: dict[str, Event] = session.info.setdefault(LOCKED_ROWS, {})
    read_with_lock: dict[str, Conflict | None] = session.info.setdefault(CONFLICT_READ, {})
    if event_id in locked:  # locked earlier in this transaction
        row = await get_event(session, user_id, event_id, for_update=True)
        if row is None:
            return None
        if event_id in read_with_lock:  # just now, by the lookup that locked it
            return row, read_with_lock.pop(event_id)
        return row, await open_conflict(session, user_id, row.id)
    open_one = and_(
        Conflict.event_id == Event.id, Conflict.user_id == Event.user_id, Conflict.status == "open"
    )
    found = (
        await session.execute(
            select(Event, Calendar, Conflict)
            .join(Calendar, Calendar.id == Event.calendar_id)
            .outerjoin(Conflict, open_one)
            .where(Event.id == event_id)
            .limit(1)
            .with_for_update(of=Event)
            .execution_options(populate_existing=True)  # as locked, not as read before
        )
    ).first()
    if found is None:
        return None
    row, calendar, conflict = found
    locked[event_id] = row
    read_with_lock[event_id] = conflict
    accounts.calendar_read(session, calendar)
    if row.user_id != user_id or (row.deleted and row.pending_op is None):
        return None
    return row, conflict


async def by_idempotency_key(session: AsyncSession, user_id: str, key: str) -> Event | None:
    """The event created earlier with this idempotency key."""
    found = await session.scalars(
        select(Event).where(Event.user_id == user_id, Event.idempotency_key == key)
    )
    return found.first()


# What a listing reads of each event: no ORM objects, and the event's JSON as text for
# msgspec to read straight into the domain struct (a listing reads a thousand rows). In the
# order of `EventRecord`'s fields, the JSON in the event's place: a row is read by position.
LISTED = (
    Event.id,
    Event.calendar_id,
    Event.google_event_id,
    Event.etag,
    Event.version,
    cast(Event.local, Text).label("local"),
    Event.sync_status,
    Event.pending_op,
    Event.deleted,
    Event.is_touchpoint,
    Event.last_error,
    Event.created_at,
    Event.updated_at,
)


async def in_window(
    session: AsyncSession, user_id: str, *, time_min: datetime | None, time_max: datetime | None
) -> Sequence[Row[Any]]:
    """A user's visible events meeting [time_min, time_max), by start (the `LISTED` columns)."""
    query = select(*LISTED).where(Event.user_id == user_id, Event.deleted.is_(False))
    if time_min is not None:
        query = query.where(Event.end_at > time_min)
    if time_max is not None:
        query = query.where(Event.start_at < time_max)
    return (await session.execute(query.order_by(Event.start_at, Event.id))).all()


async def exceptions_of(
    session: AsyncSession, calendar_id: str, series_google_ids: list[str]
) -> list[Event]:
    """Every stored instance (moved, edited or cancelled) of these series."""
    if not series_google_ids:
        return []
    return list(
        await session.scalars(
            select(Event).where(
                Event.calendar_id == calendar_id, Event.recurring_event_id.in_(series_google_ids)
            )
        )
    )


async def taken_slots(
    session: AsyncSession,
    calendar_id: str,
    series_google_ids: list[str],
    *,
    start: datetime | None,
    end: datetime | None,
) -> list[tuple[str, datetime]]:
    """(series Google id, original start) of the stored instances of these series that were
    scheduled in [start, end): the slots their exceptions took, from one index."""
    if not series_google_ids:
        return []
    query = select(Event.recurring_event_id, Event.original_start_at).where(
        Event.calendar_id == calendar_id,
        Event.recurring_event_id.in_(series_google_ids),
        Event.original_start_at.is_not(None),
    )
    if start is not None:
        query = query.where(Event.original_start_at >= start)
    if end is not None:
        query = query.where(Event.original_start_at < end)
    found = await session.execute(query)
    return [(str(series), when) for series, when in found if when is not None]


async def exception_slots(
    session: AsyncSession, calendar_id: str, series_google_id: str
) -> list[tuple[str, dict[str, Any] | None]]:
    """(row id, stored `originalStart`) of every stored instance of one series."""
    found = await session.execute(
        select(Event.id, Event.local["originalStart"]).where(
            Event.calendar_id == calendar_id, Event.recurring_event_id == series_google_id
        )
    )
    return [(str(row_id), original) for row_id, original in found]


async def with_touchpoint(
    session: AsyncSession, user_id: str, touchpoint_id: str, *, other_than: str
) -> list[Event]:
    """The user's live events (but one) linked to a touchpoint, locked for update."""
    found = await session.scalars(
        select(Event)
        .where(
            Event.user_id == user_id,
            Event.deleted.is_(False),
            Event.local["touchpointId"].as_string() == touchpoint_id,
            Event.id != other_than,
        )
        .with_for_update()
    )
    return list(found)


async def by_google_id(session: AsyncSession, calendar_id: str, google_id: str) -> Event | None:
    """The cached event with this Google id in one calendar."""
    found = await session.scalars(
        select(Event).where(Event.calendar_id == calendar_id, Event.google_event_id == google_id)
    )
    return found.first()


async def series_rows(
    session: AsyncSession, calendar_id: str, series_google_ids: set[str]
) -> dict[str, tuple[str, list[str]]]:
    """{series Google id: (row id, recurrence)} of those series this calendar's cache holds."""
    if not series_google_ids:
        return {}
    found = await session.execute(
        select(Event.google_event_id, Event.id, Event.local["recurrence"]).where(
            Event.calendar_id == calendar_id, Event.google_event_id.in_(series_google_ids)
        )
    )
    return {str(gid): (str(row_id), list(rule or [])) for gid, row_id, rule in found}


async def deleted_series(
    session: AsyncSession, calendar_id: str, series_google_ids: set[str]
) -> set[str]:
    """Those of these series (by Google id) that are deleted here, pushed or not."""
    if not series_google_ids:
        return set()
    found = await session.scalars(
        select(Event.google_event_id).where(
            Event.calendar_id == calendar_id,
            Event.google_event_id.in_(series_google_ids),
            Event.deleted.is_(True),
        )
    )
    return set(found)


def release_slot(row: Event) -> None:
    """A stored instance stops standing for its slot (Google holds no exception there: the
    occurrence is what its series makes). The row stays, deleted and detached from its
    series, for its history; an exception Google reports there later takes it up again."""
    row.deleted, row.recurring_event_id, row.original_start_at = True, None, None


async def delete_exceptions_of(session: AsyncSession, series: Event) -> list[str]:
    """Mark every stored instance of a series that Google deleted as deleted here too (Google
    deletes a series' instances with it; their own pending changes are moot). Their ids."""
    rows = [
        row
        for row in await exceptions_of(session, series.calendar_id, [series.google_event_id])
        if not row.deleted
    ]
    for row in rows:
        row.deleted, row.pending_op, row.sync_status = True, None, "synced"
        row.next_push_at, row.last_error = None, None
    return [row.id for row in rows]


async def claim_for_push(
    session: AsyncSession, event_id: str, *, now: datetime, lease: timedelta
) -> bool:
    """Take the right to push one event for `lease` (one pusher at a time, any process)."""
    result = await session.execute(
        update(Event)
        .where(
            Event.id == event_id,
            Event.pending_op.is_not(None),
            or_(Event.push_lease_until.is_(None), Event.push_lease_until < now),
        )
        .values(push_lease_until=now + lease)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def pushes_held(
    session: AsyncSession,
    *,
    now: datetime,
    event_id: str | None = None,
    calendar_id: str | None = None,
) -> bool:
    """Whether a pusher holds the pending change of this event, or any of this calendar's."""
    query = select(Event.id).where(Event.pending_op.is_not(None), Event.push_lease_until >= now)
    if event_id is not None:
        query = query.where(Event.id == event_id)
    if calendar_id is not None:
        query = query.where(Event.calendar_id == calendar_id)
    return (await session.scalar(query.limit(1))) is not None


async def release_pushes(session: AsyncSession, event_ids: list[str]) -> None:
    """Give up the push leases of these events."""
    await session.execute(
        update(Event).where(Event.id.in_(event_ids)).values(push_lease_until=None)
    )


async def requeue_failed(session: AsyncSession, user_id: str, *, now: datetime) -> int:
    """Send a user's refused changes again (after they reconnected Google)."""
    result = await session.execute(
        update(Event)
        .where(
            Event.user_id == user_id, Event.sync_status == "error", Event.pending_op.is_not(None)
        )
        .values(sync_status="pending", next_push_at=now, push_attempts=0, last_error=None)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount


async def open_conflict(session: AsyncSession, user_id: str, event_id: str) -> Conflict | None:
    """The unresolved conflict of an event, if any."""
    found = await session.scalars(
        select(Conflict).where(
            Conflict.user_id == user_id, Conflict.event_id == event_id, Conflict.status == "open"
        )
    )
    return found.first()


async def open_conflicts(session: AsyncSession, user_id: str) -> list[Conflict]:
    """All of a user's unresolved conflicts, oldest first."""
    return list(
        await session.scalars(
            select(Conflict)
            .where(Conflict.user_id == user_id, Conflict.status == "open")
            .order_by(Conflict.created_at)
        )
    )


def record_audit(
    session: AsyncSession,
    *,
    user_id: str,
    event_id: str | None,
    action: str,
    source: str,
    actor: str,
    at: datetime,
    changes: dict[str, Any],
    contact_id: str | None = None,
) -> None:
    """Append one audit entry (about an event, or a contact)."""
    session.add(
        AuditEntry(
            user_id=user_id,
            event_id=event_id,
            contact_id=contact_id,
            action=action,
            source=source,
            actor=actor,
            at=at,
            changes=changes,
        )
    )


async def record_audits(session: AsyncSession, entries: list[dict[str, Any]]) -> None:
    """Append many audit entries at once (`record_audit`'s arguments, each as a dict), as rows
    with no objects kept."""
    if entries:
        await session.execute(insert(AuditEntry), entries)


async def audit_entries(
    session: AsyncSession,
    user_id: str,
    *,
    event_id: str | None,
    contact_id: str | None = None,
    sources: tuple[str, ...] | None = None,
    limit: int = 500,
) -> list[AuditEntry]:
    """A user's audit entries, newest first, optionally for one event, one contact, or
    changes from some sources."""
    query = select(AuditEntry).where(AuditEntry.user_id == user_id)
    if event_id is not None:
        query = query.where(AuditEntry.event_id == event_id)
    if contact_id is not None:
        query = query.where(AuditEntry.contact_id == contact_id)
    if sources is not None:
        query = query.where(AuditEntry.source.in_(sources))
    return list(await session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)))
