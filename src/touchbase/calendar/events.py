"""Create, update, delete and read calendar events (the seed's lib/calendar).

Each change follows one path: in ONE transaction write the local state, mark it pending and
append the audit entry; commit; then push to Google at once. If Google is unreachable the change
stays pending and the background pusher sends it later: it is never lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.actors import Actor, audit, send_updates
from touchbase.calendar.event_checks import (
    calendar_for,
    check_etag,
    check_kept_by_google,
    check_meet_possible,
    check_organizer,
    check_references,
    check_writable,
    checked,
    editable,
)
from touchbase.calendar.listing import gone_instance
from touchbase.calendar.records import EventRecord, audit_changes
from touchbase.calendar.replays import check_same_request, request_digest
from touchbase.calendar.request_push import Staged, answer, staged
from touchbase.calendar.services import CalendarServices
from touchbase.domain import CalendarEvent
from touchbase.domain.merge import changed_fields
from touchbase.domain.recurrence import event_span
from touchbase.domain.splits import slot_instant
from touchbase.errors import (
    EventNotFoundError,
)
from touchbase.google.ids import new_event_id
from touchbase.store import accounts
from touchbase.store import events as event_store
from touchbase.store.codec import event_to_json
from touchbase.store.models import Calendar, Event


def window(event: CalendarEvent, time_zone: str) -> tuple[datetime, datetime]:
    """The instants an event (or a whole series) spans, in the calendar's zone for dates."""
    return event_span(event, time_zone)


async def record_of(session: AsyncSession, row: Event) -> EventRecord:
    return EventRecord.of(row, await event_store.open_conflict(session, row.user_id, row.id))


def kept_here(row: Event, calendar: Calendar) -> None:
    """A change in a calendar kept on touchbase only is done once written: nothing to push."""
    if calendar.is_local:
        row.pending_op, row.sync_status, row.next_push_at = None, "local", None


async def create_calendar_event(
    services: CalendarServices,
    actor: Actor,
    event: CalendarEvent,
    *,
    calendar_id: str | None = None,
    is_touchpoint: bool = False,
    idempotency_key: str | None = None,
) -> EventRecord:
    """Create an event: stored at once, in Google as soon as it can be, exactly once. A
    replay with the same `idempotency_key` returns the event it made; the key sent with
    another request is IdempotencyKeyReusedError."""
    event = checked(event)
    await services.accounts.require_write_access(actor.user_id)
    now = services.clock()
    fingerprint = _fingerprint(event, calendar_id, is_touchpoint) if idempotency_key else None
    try:
        return await _create(
            services,
            actor,
            event,
            now=now,
            calendar_id=calendar_id,
            is_touchpoint=is_touchpoint,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
        )
    except IntegrityError:
        if not idempotency_key:
            raise
    # The same key, in a transaction that committed first: that one's event is the answer.
    async with services.db.session() as session:
        earlier = await event_store.by_idempotency_key(session, actor.user_id, idempotency_key)
        assert earlier is not None
        return await _replayed(session, earlier, fingerprint)


def _fingerprint(event: CalendarEvent, calendar_id: str | None, is_touchpoint: bool) -> str:
    """A digest of what a create request asks for (a Meet asked for, whatever the request id
    each try drew)."""
    asked = event.replace(conference_request="meet") if event.conference_request else event
    return request_digest([asked, calendar_id, is_touchpoint])


async def _replayed(session: AsyncSession, earlier: Event, fingerprint: str | None) -> EventRecord:
    check_same_request(earlier.idempotency_fingerprint, fingerprint)
    return await record_of(session, earlier)


def pending_row(
    actor: Actor,
    calendar: Calendar,
    event: CalendarEvent,
    *,
    op: str,
    now: datetime,
    base: CalendarEvent | None = None,
) -> Event:
    """A new row of the user's, in `calendar`, whose change `op` waits for Google; its
    Google id is the event's own."""
    assert event.id is not None
    check_writable(calendar)
    check_meet_possible(calendar, event)
    if base is not None:
        check_kept_by_google(base, None if op == "delete" else event)
    if base is not None and op != "delete":
        check_organizer(base, event)
    start_at, end_at = window(event, calendar.time_zone)
    row = Event(
        id=accounts.new_id(),
        user_id=actor.user_id,
        calendar_id=calendar.id,
        google_event_id=event.id,
        local=event_to_json(event.replace(id=None) if op != "create" else event),
        base=event_to_json(base) if base is not None else None,
        etag=None,
        start_at=start_at,
        end_at=end_at,
        contact_id=event.contact_id,
        recurring_event_id=event.recurring_event_id,
        original_start_at=slot_instant(event.original_start) if event.original_start else None,
        is_touchpoint=event.touchpoint_id is not None,
        sync_status="pending",
        pending_op=op,
        deleted=op == "delete",
        push_attempts=0,
        next_push_at=now,
        created_at=now,
        updated_at=now,
    )
    row.send_updates = send_updates(row, actor, base, event)
    kept_here(row, calendar)
    return row


async def _create(
    services: CalendarServices,
    actor: Actor,
    event: CalendarEvent,
    *,
    now: datetime,
    calendar_id: str | None,
    is_touchpoint: bool,
    idempotency_key: str | None,
    fingerprint: str | None,
) -> EventRecord:
    async with services.db.session() as session:
        if idempotency_key:
            earlier = await event_store.by_idempotency_key(session, actor.user_id, idempotency_key)
            if earlier is not None:
                return await _replayed(session, earlier, fingerprint)
        calendar = await calendar_for(session, actor.user_id, calendar_id)
        row = await stage_create(
            session,
            actor,
            event,
            calendar,
            now=now,
            is_touchpoint=is_touchpoint,
            idempotency=(idempotency_key, fingerprint),
        )
        change = await staged(services, session, row)
    return await answer(services, actor.user_id, change)


async def stage_create(
    session: AsyncSession,
    actor: Actor,
    event: CalendarEvent,
    calendar: Calendar,
    *,
    now: datetime,
    is_touchpoint: bool = False,
    idempotency: tuple[str | None, str | None] = (None, None),
) -> Event:
    """Write a checked new event of the user's, in `calendar`, to be pushed, with its audit
    entry (and the request's idempotency key and the digest of what it asked); the caller
    pushes it once its transaction commits (`request_push`)."""
    await check_references(session, actor.user_id, event, None)
    local = event.replace(id=new_event_id())
    row = pending_row(actor, calendar, local, op="create", now=now)
    row.idempotency_key, row.idempotency_fingerprint = idempotency
    row.is_touchpoint = row.is_touchpoint or is_touchpoint
    session.add(row)
    audit(session, actor, row.id, action="create", now=now, changes=audit_changes(None, local))
    return row


async def stage_update(
    session: AsyncSession,
    row: Event,
    before: CalendarEvent,
    after: CalendarEvent,
    *,
    actor: Actor,
    now: datetime,
) -> None:
    """Write a checked change of a row, to be pushed, with its audit entry."""
    calendar = await accounts.calendar_by_id(session, row.calendar_id)
    assert calendar is not None
    check_writable(calendar)
    check_meet_possible(calendar, after)
    check_kept_by_google(before, after)
    check_organizer(before, after)
    row.send_updates = send_updates(row, actor, before, after)
    row.local = event_to_json(after)
    row.start_at, row.end_at = window(after, calendar.time_zone)
    row.contact_id = after.contact_id
    row.pending_op = row.pending_op if row.pending_op == "create" else "update"
    row.sync_status, row.next_push_at, row.updated_at = "pending", now, now
    row.push_attempts, row.last_error = 0, None
    kept_here(row, calendar)
    audit(session, actor, row.id, action="update", now=now, changes=audit_changes(before, after))


async def stage_delete(
    session: AsyncSession, row: Event, before: CalendarEvent, actor: Actor, now: datetime
) -> None:
    """Mark a row deleted, to be pushed, with its audit entry."""
    calendar = await accounts.calendar_by_id(session, row.calendar_id)
    if calendar is not None:
        check_writable(calendar)
    check_kept_by_google(before, None)
    row.send_updates = send_updates(row, actor, before)
    row.deleted, row.pending_op, row.sync_status = True, "delete", "pending"
    row.new_version()
    row.next_push_at, row.updated_at, row.push_attempts = now, now, 0
    if calendar is not None:
        kept_here(row, calendar)
    audit(session, actor, row.id, action="delete", now=now, changes=audit_changes(before, None))


async def stage_plain_update(
    services: CalendarServices,
    session: AsyncSession,
    actor: Actor,
    event_id: str,
    changes: Mapping[str, Any] | Callable[[CalendarEvent], Mapping[str, Any]],
    *,
    if_match: str | None,
    now: datetime,
) -> Staged:
    """Change some fields of an event (not an occurrence of a series), based on the version
    with etag `if_match`; `changes` may be a function of the current version."""
    row = await editable(session, actor, event_id)
    before = EventRecord.of(row).event
    wanted = changes(before) if callable(changes) else changes
    check_etag(row, before, if_match, wanted)
    after = checked(before.replace(**wanted), before)
    await check_references(session, actor.user_id, after, before)
    if not changed_fields(before, after) and after == before:
        return Staged(row.id, unchanged=await record_of(session, row))
    await stage_update(session, row, before, after, actor=actor, now=now)
    return await staged(services, session, row)


async def stage_plain_delete(
    services: CalendarServices,
    session: AsyncSession,
    actor: Actor,
    event_id: str,
    *,
    if_match: str | None,
    now: datetime,
) -> Staged:
    """Delete an event (not an occurrence of a series) here, and in Google after commit."""
    row = await editable(session, actor, event_id)
    before = EventRecord.of(row).event
    check_etag(row, before, if_match, None)
    await stage_delete(session, row, before, actor, now)
    return await staged(services, session, row)


async def get_calendar_event(
    services: CalendarServices, user_id: str, event_id: str
) -> EventRecord:
    """One of the user's events (404 for anyone else's)."""
    async with services.db.read() as session:
        return await event_record(session, user_id, event_id)


async def event_record(session: AsyncSession, user_id: str, event_id: str) -> EventRecord:
    """One of the user's events, in this transaction (404 for anyone else's)."""
    row = await event_store.get_event(session, user_id, event_id)
    if row is None or (row.deleted and row.pending_op is None):
        raise EventNotFoundError()
    if await gone_instance(session, row):
        raise EventNotFoundError()
    return await record_of(session, row)
