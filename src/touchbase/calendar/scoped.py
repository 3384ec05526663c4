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
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar import actors, event_checks, events, series_edits
from touchbase.calendar.actors import Actor
from touchbase.calendar.event_checks import checked
from touchbase.calendar.occurrences import (
    Occurrence,
    find_occurrence,
    provisional_google_id,
)
from touchbase.calendar.records import EventRecord, audit_changes, conflict_error
from touchbase.calendar.request_push import answer, push_now
from touchbase.calendar.services import CalendarServices
from touchbase.domain import CalendarEvent, EventStatus
from touchbase.domain.events import own_answer, with_own_answer
from touchbase.domain.splits import (
    apply_to_series,
    first_occurrence,
    split_rules,
)
from touchbase.errors import InvalidEventError
from touchbase.store import events as event_store
from touchbase.store.codec import event_from_json
from touchbase.store.models import Event

Scope = Literal["instance", "following", "all"]
Changes = Mapping[str, Any] | Callable[[CalendarEvent], Mapping[str, Any]]
DEFAULT_SCOPE: Scope = "instance"


async def get_event(services: CalendarServices, user_id: str, event_id: str) -> EventRecord:
    """One event, or one occurrence by its occurrence id."""
    async with services.db.read() as session:
        found = await find_occurrence(session, user_id, event_id)
        if found is not None:
            return await _occurrence_record(session, found)
        return await events.event_record(session, user_id, event_id)


async def row_id(services: CalendarServices, user_id: str, event_id: str) -> str:
    """The row behind an id: an occurrence's stored exception, or the id itself."""
    async with services.db.session() as session:
        found = await find_occurrence(session, user_id, event_id)
    return found.row.id if found is not None and found.row is not None else event_id


async def _occurrence_record(session: AsyncSession, found: Occurrence) -> EventRecord:
    if found.row is not None:
        return _named(await events.record_of(session, found.row), found)
    return _named(EventRecord.of(found.series).replace(event=found.event), found)


def _named(record: EventRecord, found: Occurrence) -> EventRecord:
    """A record shown as the occurrence it is."""
    rule = event_from_json(found.series.local).recurrence
    return record.as_occurrence(found.id, found.series.id, rule)


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
        if found is None:
            plain = await events.stage_plain_update(
                services, session, actor, event_id, changes, if_match=if_match, now=now
            )
        else:
            await _no_conflict(session, actor, found)
            wanted = changes(found.event) if callable(changes) else changes
            event_checks.check_etag(_versioned(found), found.event, if_match, wanted)
            changed = found.event.replace(**wanted)
            written = await _update_in_scope(session, actor, found, changed, scope, now=now)
    if found is None:
        return await answer(services, actor.user_id, plain)
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
        if found is None:
            plain = await events.stage_plain_delete(
                services, session, actor, event_id, if_match=if_match, now=now
            )
        else:
            await _no_conflict(session, actor, found)
            event_checks.check_etag(_versioned(found), found.event, if_match, None)
            written = await _delete_in_scope(session, actor, found, scope, now)
    if found is None:
        return await answer(services, actor.user_id, plain)
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
            raise conflict_error(EventRecord.of(row, conflict))


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
    for row_id in written.rows:
        record = await push_now(services, actor.user_id, row_id)
        answer = record if row_id == written.answer else answer
    assert answer is not None
    return answer if written.occurrence is None else _named(answer, written.occurrence)


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
    answer_only = _only_answered(changed, found.event)
    if scope == "following" and answer_only:
        raise InvalidEventError(
            "Answer this event or all events: an answer from this one on would split the "
            "series, which only its organizer can do.",
            field="scope",
        )
    if scope == "instance":
        if changed.recurrence:
            raise InvalidEventError(
                "One occurrence has no rule of its own: change this and following events, "
                "or all events.",
                field="recurrence",
            )
        after = checked(changed, found.event)
        await event_checks.check_references(session, actor.user_id, after, found.event)
        row_id = await _write_instance(session, actor, found, after, now)
        return _Written([row_id], row_id, found)
    if scope == "all":
        wanted = (
            _answered_series(series, changed)
            if answer_only
            else apply_to_series(series, found.event, changed)
        )
        after = checked(wanted, series)
        await event_checks.check_references(session, actor.user_id, after, series)
        await events.stage_update(session, found.series, series, after, actor=actor, now=now)
        if not answer_only:
            await series_edits.drop_lost_exceptions(session, actor, found, after, now)
            return _Written([found.series.id], found.series.id)
        # An answer moves no slot, so no exception is lost; those to come take the answer.
        answer = own_answer(changed.attendees)
        answered = await series_edits.answer_exceptions_to_come(session, actor, found, answer, now)
        return _Written([found.series.id, *answered], found.series.id)
    rows = await series_edits.split(session, actor, found, series, changed, now=now)
    return _Written(rows, rows[1])


def _only_answered(changed: CalendarEvent, before: CalendarEvent) -> bool:
    """Whether a change is only an answer to the invitation (the same guests, an answer
    changed, nothing else)."""
    same_guests = [a.email for a in changed.attendees] == [a.email for a in before.attendees]
    return same_guests and changed.replace(attendees=before.attendees) == before


def _answered_series(series: CalendarEvent, changed: CalendarEvent) -> CalendarEvent:
    """The series with the user's answer given on one of its occurrences: the series' own
    guests, not the occurrence's (an occurrence may have guests of its own)."""
    answered = with_own_answer(series.attendees, own_answer(changed.attendees))
    return series.replace(attendees=answered)


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
    actors.audit(
        session, actor, row.id, action="update", now=now, changes=audit_changes(found.event, after)
    )
    return row.id


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
        after = checked(series.replace(recurrence=before), series)
        await events.stage_update(session, found.series, series, after, actor=actor, now=now)
        await series_edits.end_exceptions_after(session, actor, found, now)
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
    actors.audit(
        session, actor, row.id, action="delete", now=now, changes=audit_changes(found.event, None)
    )
    return _Written([row.id], row.id, found)
