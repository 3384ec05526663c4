"""Changing and deleting occurrences of recurring series: this event, this and following, or
all events (Google's three choices).

- instance:  an exception of that occurrence (a cancelled one for a delete), in Google an
             edit of that instance; the series is untouched.
- all:       the change made to the occurrence is made to the series (a moved start moves the
             series' start as far).
- following: the series ends before the occurrence and a new series starts there with the
             change; the exceptions after the split are carried over to the new series. At
             the first occurrence it is `all`.

Every scope writes in ONE transaction, checked against the version the client saw.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar import events
from touchbase.calendar.events import Actor, checked
from touchbase.calendar.occurrences import (
    Occurrence,
    find_occurrence,
    provisional_google_id,
    series_zone,
    virtual,
)
from touchbase.calendar.records import EventRecord, audit_changes
from touchbase.calendar.services import CalendarServices
from touchbase.domain import CalendarEvent, EventStatus
from touchbase.domain.recurrence import event_budget, occurrences
from touchbase.domain.splits import (
    apply_to_series,
    end_after,
    first_occurrence,
    length_of,
    moved_slot,
    same_slot,
    series_from,
    split_rules,
)
from touchbase.errors import InvalidEventError
from touchbase.google.ids import new_event_id
from touchbase.store import events as event_store
from touchbase.store.codec import event_from_json, event_to_json
from touchbase.store.models import Event

Scope = Literal["instance", "following", "all"]
Changes = Mapping[str, Any] | Callable[[CalendarEvent], Mapping[str, Any]]
DEFAULT_SCOPE: Scope = "instance"
_SECOND = timedelta(seconds=1)


async def get_event(services: CalendarServices, user_id: str, event_id: str) -> EventRecord:
    """One event, or one occurrence by its occurrence id."""
    async with services.db.session() as session:
        found = await find_occurrence(session, user_id, event_id)
        if found is not None:
            return await _occurrence_record(session, found)
    return await events.get_calendar_event(services, user_id, event_id)


async def row_id(services: CalendarServices, user_id: str, event_id: str) -> str:
    """The row behind an id: an occurrence's stored exception, or the id itself."""
    async with services.db.session() as session:
        found = await find_occurrence(session, user_id, event_id)
    return found.row.id if found is not None and found.row is not None else event_id


async def _occurrence_record(session: AsyncSession, found: Occurrence) -> EventRecord:
    rule = event_from_json(found.series.local).recurrence
    if found.row is not None:
        record = await events.record_of(session, found.row)
    else:
        record = EventRecord.of(found.series).replace(event=found.event)
    return record.replace(id=found.id, series_id=found.series.id, series_recurrence=rule)


async def update_event(
    services: CalendarServices,
    actor: Actor,
    event_id: str,
    changes: Changes,
    *,
    if_match: str | None,
    scope: Scope = DEFAULT_SCOPE,
) -> EventRecord:
    """Change an event; for an occurrence of a series, in `scope`."""
    await services.accounts.require_write_access(actor.user_id)
    now = services.clock()
    async with services.db.session() as session:
        found = await find_occurrence(session, actor.user_id, event_id, for_update=True)
        if found is not None:
            await _no_conflict(session, actor, found)
            wanted = changes(found.event) if callable(changes) else changes
            events.check_etag(_versioned(found), found.event, if_match, wanted)
            changed = found.event.replace(**wanted)
            written = await _update_in_scope(session, actor, found, changed, scope, now=now)
    if found is None:
        return await events.update_calendar_event(
            services, actor, event_id, changes, if_match=if_match
        )
    return await _push_all(services, actor, written)


async def delete_event(
    services: CalendarServices,
    actor: Actor,
    event_id: str,
    *,
    if_match: str | None,
    scope: Scope = DEFAULT_SCOPE,
) -> EventRecord:
    """Delete an event; for an occurrence of a series, in `scope`."""
    await services.accounts.require_write_access(actor.user_id)
    now = services.clock()
    async with services.db.session() as session:
        found = await find_occurrence(session, actor.user_id, event_id, for_update=True)
        if found is not None:
            await _no_conflict(session, actor, found)
            events.check_etag(_versioned(found), found.event, if_match, None)
            written = await _delete_in_scope(session, actor, found, scope, now)
    if found is None:
        return await events.delete_calendar_event(services, actor, event_id, if_match=if_match)
    return await _push_all(services, actor, written)


def _versioned(found: Occurrence) -> Event:
    """The row whose version is the occurrence's etag."""
    return found.row if found.row is not None else found.series


async def _no_conflict(session: AsyncSession, actor: Actor, found: Occurrence) -> None:
    for row in (found.row, found.series):
        if row is None:
            continue
        conflict = await event_store.open_conflict(session, actor.user_id, row.id)
        if conflict is not None:
            raise events.conflict_error(EventRecord.of(row, conflict))


@dataclasses.dataclass(frozen=True)
class _Written:
    """The rows a scoped change wrote (pushed in this order), the row to answer with, and
    the occurrence id it answers under (None: the row's own)."""

    rows: list[str]
    answer: str
    occurrence: Occurrence | None = None


async def _push_all(services: CalendarServices, actor: Actor, written: _Written) -> EventRecord:
    """Push what a scoped change wrote, the series first; answer with its record."""
    answer: EventRecord | None = None
    try:
        for row_id in written.rows:
            record = await events.push_now(services, actor.user_id, row_id)
            answer = record if row_id == written.answer else answer
    finally:
        services.wake_pusher()
    assert answer is not None
    found = written.occurrence
    if found is None:
        return answer
    rule = event_from_json(found.series.local).recurrence
    return answer.replace(id=found.id, series_id=found.series.id, series_recurrence=rule)


async def _update_in_scope(
    session: AsyncSession,
    actor: Actor,
    found: Occurrence,
    changed: CalendarEvent,
    scope: Scope,
    *,
    now: datetime,
) -> _Written:
    series = event_from_json(found.series.local)
    if scope == "following" and first_occurrence(series, found.original):
        scope = "all"
    if scope == "instance":
        if changed.recurrence:
            raise InvalidEventError(
                "One occurrence has no rule of its own: change this and following events, "
                "or all events.",
                field="recurrence",
            )
        after = checked(changed)
        await events.check_references(session, actor.user_id, after, found.event)
        row_id = await _write_instance(session, actor, found, after, now)
        return _Written([row_id], row_id, found)
    if scope == "all":
        after = checked(apply_to_series(series, found.event, changed))
        await events.check_references(session, actor.user_id, after, series)
        await events.stage_update(session, found.series, series, after, actor=actor, now=now)
        await _drop_lost_exceptions(session, actor, found, after, now)
        return _Written([found.series.id], found.series.id)
    return await _split(session, actor, found, series, changed, now=now)


async def _write_instance(
    session: AsyncSession, actor: Actor, found: Occurrence, after: CalendarEvent, now: datetime
) -> str:
    """The occurrence changed alone: its exception row, made if it has none yet."""
    if found.row is not None:
        await events.stage_update(session, found.row, found.event, after, actor=actor, now=now)
        return found.row.id
    row = events.pending_row(
        actor,
        found.calendar,
        after.replace(id=provisional_google_id(found.series.google_event_id, found.original)),
        op="update",
        now=now,
        base=found.event,
    )
    session.add(row)
    await session.flush()
    await _audit(
        session, actor, row.id, action="update", now=now, changes=audit_changes(found.event, after)
    )
    return row.id


async def _audit(
    session: AsyncSession,
    actor: Actor,
    event_id: str,
    *,
    action: str,
    now: datetime,
    changes: dict[str, Any],
) -> None:
    await event_store.record_audit(
        session,
        user_id=actor.user_id,
        event_id=event_id,
        action=action,
        source=actor.source,
        actor=actor.email,
        at=now,
        changes=changes,
    )


async def _delete_in_scope(
    session: AsyncSession, actor: Actor, found: Occurrence, scope: Scope, now: datetime
) -> _Written:
    series = event_from_json(found.series.local)
    if scope == "following" and first_occurrence(series, found.original):
        scope = "all"
    if scope == "all":
        await events.stage_delete(session, found.series, series, actor, now)
        return _Written([found.series.id], found.series.id)
    if scope == "following":
        before, _ = split_rules(series, found.original, found.zone)
        after = checked(series.replace(recurrence=before))
        await events.stage_update(session, found.series, series, after, actor=actor, now=now)
        await _end_exceptions_after(session, actor, found, now)
        return _Written([found.series.id], found.series.id)
    if found.row is not None:
        await events.stage_delete(session, found.row, found.event, actor, now)
        return _Written([found.row.id], found.row.id, found)
    gone = found.event.replace(
        id=provisional_google_id(found.series.google_event_id, found.original),
        status=EventStatus.CANCELLED,
    )
    row = events.pending_row(actor, found.calendar, gone, op="delete", now=now, base=found.event)
    session.add(row)
    await session.flush()
    await _audit(
        session, actor, row.id, action="delete", now=now, changes=audit_changes(found.event, None)
    )
    return _Written([row.id], row.id, found)


async def _exceptions(session: AsyncSession, found: Occurrence) -> list[Event]:
    """Every stored instance of the occurrence's series, cancelled ones too."""
    return await event_store.exceptions_of(
        session, found.series.calendar_id, [found.series.google_event_id]
    )


def _is_cancelled(row: Event, local: CalendarEvent) -> bool:
    return row.deleted or local.status == EventStatus.CANCELLED


async def _end_exceptions_after(
    session: AsyncSession, actor: Actor, found: Occurrence, now: datetime
) -> list[tuple[Event, CalendarEvent, bool]]:
    """The series' exceptions from the split on are deleted (Google drops them with the
    slots; a delete of each makes sure). Returns them as they were, and whether each was
    a cancelled occurrence."""
    zone = found.zone
    at = found.original.instant(zone)
    ended = []
    for row in await _exceptions(session, found):
        local = event_from_json(row.local)
        if local.original_start is None or local.original_start.instant(zone) < at:
            continue
        cancelled = _is_cancelled(row, local)
        ended.append((row, local, cancelled))
        if not cancelled:
            await events.stage_delete(session, row, local, actor, now)
    return ended


async def _drop_lost_exceptions(
    session: AsyncSession, actor: Actor, found: Occurrence, series: CalendarEvent, now: datetime
) -> None:
    """Exceptions whose slot a changed series no longer has go (Google drops them too)."""
    zone = series_zone(series, found.calendar)
    for row in await _exceptions(session, found):
        local = event_from_json(row.local)
        original = local.original_start
        if original is None or row.deleted:
            continue
        at = original.instant(zone)
        slots = occurrences(series, zone, since=at, until=at + _SECOND, budget=event_budget())
        if not any(same_slot(i.original_start, original) for i in slots):
            row.deleted, row.pending_op, row.sync_status = True, None, "synced"
            row.next_push_at, row.updated_at = None, now
            row.new_version()
            await _audit(
                session,
                actor,
                row.id,
                action="delete",
                now=now,
                changes={"reason": "its series changed"},
            )


async def _split(
    session: AsyncSession,
    actor: Actor,
    found: Occurrence,
    series: CalendarEvent,
    changed: CalendarEvent,
    *,
    now: datetime,
) -> _Written:
    """This and following: the series ends before the occurrence; a new one starts there."""
    zone = found.zone
    before, after_rule = split_rules(series, found.original, zone)
    if not after_rule:
        raise InvalidEventError("The series has no occurrences from here on.", field="scope")
    # The contact is on both halves (both are meetings with them); the touchpoint goes on
    # with the meetings to come only, never on both.
    ended = checked(series.replace(recurrence=before, touchpoint_id=None))
    fresh = checked(
        series_from(series, found.event, changed, after_rule).replace(id=new_event_id())
    )
    await events.check_references(session, actor.user_id, fresh, series)
    await events.stage_update(session, found.series, series, ended, actor=actor, now=now)
    row = events.pending_row(actor, found.calendar, fresh, op="create", now=now)
    row.local = event_to_json(fresh)
    row.is_touchpoint, found.series.is_touchpoint = found.series.is_touchpoint, False
    session.add(row)
    await session.flush()
    await _audit(
        session, actor, row.id, action="create", now=now, changes=audit_changes(None, fresh)
    )
    carried = await _carry_over(
        session, actor, found, series=series, changed=changed, fresh=fresh, now=now
    )
    return _Written([found.series.id, row.id, *carried], row.id)


async def _carry_over(
    session: AsyncSession,
    actor: Actor,
    found: Occurrence,
    *,
    series: CalendarEvent,
    changed: CalendarEvent,
    fresh: CalendarEvent,
    now: datetime,
) -> list[str]:
    """The old series' exceptions from the split on become the new series' (moved as far as
    the split moved the occurrence); nothing the user changed alone is lost."""
    assert fresh.id is not None
    gid, length = found.series.google_event_id, length_of(series)
    rows = []
    for old_row, old, cancelled in await _end_exceptions_after(session, actor, found, now):
        if old.original_start is None or old_row.id == (found.row.id if found.row else None):
            continue
        slot = moved_slot(old.original_start, found.event, changed)
        was = virtual(series, old.original_start, end_after(old.original_start, length), gid)
        now_there = virtual(fresh, slot, end_after(slot, length_of(fresh)), fresh.id)
        # What the user changed in that occurrence alone, made to its new slot.
        moved = apply_to_series(now_there, was, old.replace(recurrence=()))
        moved = moved.replace(id=provisional_google_id(fresh.id, slot))
        row = events.pending_row(
            actor,
            found.calendar,
            moved.replace(status=EventStatus.CANCELLED) if cancelled else moved,
            op="delete" if cancelled else "update",
            now=now,
            base=now_there,
        )
        session.add(row)
        await session.flush()
        rows.append(row.id)
    return rows
