"""Changing touchpoints: done, skipped, missed, rescheduled (its event moves), its message,
deleted (its event too). Each change is one transaction with its events' changes and its
audit entry; the events are pushed after. What a contact's change does to its touchpoints
is `contact_touchpoints`, on the steps here."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar import event_checks, events
from touchbase.calendar.actors import Actor, audit
from touchbase.calendar.records import EventRecord, conflict_error
from touchbase.calendar.request_push import push_now
from touchbase.calendar.services import CalendarServices
from touchbase.crm import contacts
from touchbase.crm.touchpoints import (
    PlanContext,
    TouchpointState,
    event_of,
    get_touchpoint,
    make_event,
    minutes_of,
    plan_context,
    plan_next,
    slot_for,
)
from touchbase.domain import CalendarEvent
from touchbase.domain.touchpoints import (
    MAX_MINUTES,
    MIN_MINUTES,
    STATUSES,
    message_problem,
    minutes_problem,
)
from touchbase.errors import (
    ConflictError,
    InvalidTouchpointError,
    TouchpointChangedError,
    TouchpointNotFoundError,
)
from touchbase.store import events as event_store
from touchbase.store import touchpoints as touchpoint_store
from touchbase.store.models import Contact, Event, Touchpoint


class TouchpointChange(msgspec.Struct, frozen=True):
    """What a change asks for (None: unchanged): a new state, a new day or time, a message,
    a length; `delete_event`: its event goes too (with a state other than planned)."""

    status: str | None = None
    day: date | None = None
    at: datetime | None = None
    message: str | None = None
    minutes: int | None = None
    delete_event: bool = False


def touchpoint_etag(touchpoint: Touchpoint) -> str:
    """The etag a client sends back as If-Match: the touchpoint's version."""
    return f'"t{touchpoint.version}"'


@dataclass
class Change:
    """One change in progress: its transaction's context, and the events to push after."""

    context: PlanContext
    touchpoint: Touchpoint
    contact: Contact
    to_push: list[str] = field(default_factory=list)
    audited: dict[str, Any] = field(default_factory=dict)
    message_was: str | None = None  # set when the change gives a new message


async def _begin(session: AsyncSession, actor: Actor, touchpoint_id: str, now: datetime) -> Change:
    """A change of one of the user's touchpoints, locked (404 for anyone else's)."""
    tp = await touchpoint_store.get_touchpoint(
        session, actor.user_id, touchpoint_id, for_update=True
    )
    if tp is None:
        raise TouchpointNotFoundError()
    contact = await contacts.owned_contact(session, actor.user_id, tp.contact_id)
    return Change(await plan_context(session, actor, now), tp, contact)


async def live_event(change: Change) -> Event | None:
    """The touchpoint's event, unless it was deleted (a 409 while it is in conflict, deleted
    too: a delete that met an edit in Google waits for the user, who may bring it back)."""
    event_id, session = change.touchpoint.event_id, change.context.session
    if event_id is None:
        return None
    row = await session.get(Event, event_id, with_for_update=True)
    if row is None:
        return None
    if row.deleted:
        conflict = await event_store.open_conflict(session, change.context.actor.user_id, row.id)
        if conflict is not None:
            raise conflict_error(EventRecord.of(row, conflict))
        return None
    return await event_checks.editable(session, change.context.actor, event_id)


async def delete_event(change: Change, row: Event, *, unlink: bool = False) -> None:
    """Stage the delete of the touchpoint's event (`unlink`: as an event of no touchpoint)."""
    context = change.context
    before = EventRecord.of(row).event
    if unlink:
        before = before.replace(touchpoint_id=None)
    await events.stage_delete(context.session, row, before, context.actor, context.now)
    change.to_push.append(row.id)


async def _unlink_event(change: Change, row: Event) -> None:
    """The event stays, as an event of no touchpoint (here and, once pushed, in Google)."""
    context = change.context
    before = EventRecord.of(row).event
    if before.touchpoint_id is None:
        return
    after = before.replace(touchpoint_id=None)
    await events.stage_update(
        context.session, row, before, after, actor=context.actor, now=context.now
    )
    change.to_push.append(row.id)


def _a_meeting(row: Event) -> bool:
    """Whether guests were invited to a touchpoint's event: a meeting now, not only the
    user's reminder (deleting it as a side effect would cancel it for them)."""
    return bool(EventRecord.of(row).event.attendees)


async def _move(change: Change, row: Event) -> None:
    """The touchpoint's event goes to its new day or time (its own span is no obstacle);
    what the user wrote on it stays."""
    tp, context = change.touchpoint, change.context
    before = EventRecord.of(row).event
    _keep_length(change, before)
    busy = await context.busy_on(tp.due_date)
    busy[:] = [s for s in busy if s != (row.start_at, row.end_at)]
    start = await slot_for(context, tp, change.contact)
    made = event_of(tp, change.contact, start, context.calendar.time_zone)
    description = before.description
    if change.message_was is not None and description in ("", change.message_was):
        description = tp.message  # the event says what touchbase wrote: the new message
    after = event_checks.checked(
        before.replace(start=made.start, end=made.end, description=description), before
    )
    if after != before:
        await events.stage_update(
            context.session, row, before, after, actor=context.actor, now=context.now
        )
        change.to_push.append(row.id)


def _keep_length(change: Change, event: CalendarEvent) -> None:
    """A timed event made longer or shorter (in Google, or here) keeps its length when it
    moves: the touchpoint takes it, unless the change asks for a length."""
    minutes = minutes_of(event)
    if "durationMinutes" in change.audited or minutes is None:
        return
    if MIN_MINUTES <= minutes <= MAX_MINUTES:
        change.touchpoint.duration_minutes = minutes


async def reschedule(change: Change, wanted: TouchpointChange) -> None:
    tp, zone = change.touchpoint, change.context.zone
    if wanted.at is not None:
        if wanted.at.tzinfo is None:
            raise InvalidTouchpointError("a time with its offset", field="dueAt")
        tp.due_at, tp.due_date = wanted.at, wanted.at.astimezone(zone).date()
    elif wanted.day is not None:
        tp.due_at, tp.due_date = None, wanted.day
    change.audited["due"] = tp.due_date.isoformat()
    tp.status, tp.completed_at = "planned", None
    row = await live_event(change)
    if row is None:
        change.to_push.append((await make_event(change.context, tp, change.contact)).id)
    else:
        await _move(change, row)


async def move_planned(
    context: PlanContext,
    touchpoint: Touchpoint,
    contact: Contact,
    day: date,
    *,
    remake_event: bool = True,
) -> list[str]:
    """Move a planned touchpoint (and its event) to `day`, in the caller's transaction, as
    its cadence asks; one whose event waits in a conflict is left for the user to settle
    (the request that moved it, a contact changed or a meeting logged, still goes through).
    One whose event was deleted gets a new event there, unless `remake_event` is False: then
    it is left waiting for a date. Returns the events to push."""
    change = Change(context, touchpoint, contact)
    try:
        live = await live_event(change)  # before anything changes: it raises in a conflict
    except ConflictError:
        return []
    if live is None and not remake_event:
        return []
    await reschedule(change, TouchpointChange(day=day))
    touchpoint.version += 1
    touchpoint.updated_at = context.now
    audit(
        context.session,
        context.actor,
        touchpoint.event_id,
        contact_id=contact.id,
        action="touchpoint_update",
        now=context.now,
        changes={"touchpointId": touchpoint.id, **change.audited, "by": "cadence"},
    )
    return change.to_push


async def push_all(services: CalendarServices, actor: Actor, event_ids: list[str]) -> None:
    """Push the events a committed change staged, each now (a failure stays queued). A push
    that meets an edit in Google leaves its event waiting in the conflicts list, as the
    touchpoint's answer shows (`eventSyncStatus`): the change was made, and the request is
    answered for what it did (a touchpoint whose event is already in a conflict is refused
    with 409 before anything changes)."""
    for event_id in event_ids:
        with contextlib.suppress(ConflictError):
            await push_now(services, actor.user_id, event_id)


async def _set_status(change: Change, status: str) -> None:
    tp, context = change.touchpoint, change.context
    if status not in STATUSES:
        raise InvalidTouchpointError(f"one of {', '.join(STATUSES)}", field="status")
    if status == tp.status:
        return
    if status == "planned":
        raise InvalidTouchpointError("give a new dueDate or dueAt to plan it again", field="status")
    change.audited["status"] = {"before": tp.status, "after": status}
    tp.status = status
    today = context.now.astimezone(context.zone).date()
    last = tp.due_date
    if status == "done":
        tp.completed_at, last = context.now, today
    row = await live_event(change)
    if status == "skipped" and row is not None and row.end_at > context.now:
        if _a_meeting(row):
            await _unlink_event(change, row)  # guests were invited to it: it is theirs too
        else:
            await delete_event(change, row)
    following = await plan_next(context, change.contact, last)
    if following is not None and following.event_id is not None:
        change.audited["next"] = following.id
        change.to_push.append(following.event_id)


async def _apply(change: Change, wanted: TouchpointChange) -> None:
    tp = change.touchpoint
    if wanted.message is not None:
        problem = message_problem(wanted.message)
        if problem:
            raise InvalidTouchpointError(problem, field="message")
        change.message_was = tp.message
        tp.message = change.audited["message"] = wanted.message.strip()
    if wanted.minutes is not None:
        problem = minutes_problem(wanted.minutes)
        if problem:
            raise InvalidTouchpointError(problem, field="durationMinutes")
        tp.duration_minutes = change.audited["durationMinutes"] = wanted.minutes
    if wanted.day is not None or wanted.at is not None:
        await reschedule(change, wanted)
    elif wanted.message is not None or wanted.minutes is not None:
        row = await live_event(change)
        if row is not None and tp.status == "planned":
            await _move(change, row)
    if wanted.status is not None and not (wanted.status == "planned" and "due" in change.audited):
        await _set_status(change, wanted.status)
    if wanted.delete_event:
        if tp.status == "planned":
            raise InvalidTouchpointError(
                "say what became of it (done, skipped or missed) to delete its event",
                field="status",
            )
        row = await live_event(change)
        if row is not None:
            await delete_event(change, row)
            change.audited["eventDeleted"] = row.id


async def update_touchpoint(
    services: CalendarServices,
    actor: Actor,
    touchpoint_id: str,
    wanted: TouchpointChange,
    *,
    if_match: str | None = None,
) -> TouchpointState:
    """Change a touchpoint (412 when `if_match` names an older version)."""
    await services.accounts.require_write_access(actor.user_id)
    async with services.db.session() as session:
        change = await _begin(session, actor, touchpoint_id, services.clock())
        tp = change.touchpoint
        if if_match is not None and if_match != touchpoint_etag(tp):
            raise TouchpointChangedError(details={"etag": touchpoint_etag(tp)})
        await _apply(change, wanted)
        if change.audited:
            tp.version += 1
            tp.updated_at = change.context.now
            audit(
                session,
                actor,
                tp.event_id,
                contact_id=tp.contact_id,
                action="touchpoint_update",
                now=change.context.now,
                changes={"touchpointId": tp.id, **change.audited},
            )
    await push_all(services, actor, change.to_push)
    return await get_touchpoint(services, actor.user_id, touchpoint_id)


async def delete_touchpoint(services: CalendarServices, actor: Actor, touchpoint_id: str) -> None:
    """Delete a touchpoint; a planned one's event goes with it, the event of one that is over
    (a meeting that happened) stays, no longer naming it. A contact's cadence goes on: with
    a planned one deleted, it plans the next from its day, as when one is skipped (one
    occurrence of a series deleted, the series goes on; clearing the cadence stops it)."""
    await services.accounts.require_write_access(actor.user_id)
    async with services.db.session() as session:
        change = await _begin(session, actor, touchpoint_id, services.clock())
        tp = change.touchpoint
        await drop(change)
        if tp.status == "planned":
            following = await plan_next(change.context, change.contact, tp.due_date)
            if following is not None and following.event_id is not None:
                change.to_push.append(following.event_id)
    await push_all(services, actor, change.to_push)


async def drop(change: Change, *, keep_ended: bool = False, **audited: str) -> None:
    """`delete_touchpoint` in the change's transaction (`keep_ended`: a planned one's event
    that is over, or that guests were invited to, stays, naming no touchpoint; `audited`:
    said in its audit entry)."""
    tp, context = change.touchpoint, change.context
    row = await live_event(change)
    kept = row is not None and keep_ended and (row.end_at <= context.now or _a_meeting(row))
    if row is not None and tp.status == "planned" and not kept:
        await delete_event(change, row, unlink=True)
    elif row is not None:
        await _unlink_event(change, row)
    await context.session.delete(tp)
    audit(
        context.session,
        context.actor,
        tp.event_id,
        contact_id=tp.contact_id,
        action="touchpoint_delete",
        now=context.now,
        changes={"touchpointId": tp.id, "status": tp.status, **audited},
    )
