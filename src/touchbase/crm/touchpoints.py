"""Touchpoints: a planned contact with a person, whose calendar event is made with it, exactly
once, in the same transaction (the touchpoint's id in the event's private properties).

Once it has its event, the event is the truth of when it is: moved in Google, the touchpoint
moves with it at the next sync; deleted (in Google or here), the touchpoint needs a new date.
Done, skipped or missed, the contact's cadence plans the next one and its event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar import event_checks, events
from touchbase.calendar.actors import Actor, audit
from touchbase.calendar.listing import busy_spans
from touchbase.calendar.records import EventRecord
from touchbase.calendar.services import CalendarServices
from touchbase.crm.contacts import owned_contact
from touchbase.domain import CalendarEvent, EventTime
from touchbase.domain.contacts import Cadence, cadence_from
from touchbase.domain.splits import length_of
from touchbase.domain.touchpoints import (
    DEFAULT_MINUTES,
    WorkingHours,
    first_free_slot,
    message_problem,
    minutes_problem,
    next_date,
)
from touchbase.domain.validation import is_valid_time_zone
from touchbase.errors import (
    ContactNotFoundError,
    InvalidTouchpointError,
    ReadOnlyCalendarError,
    TouchpointNotFoundError,
)
from touchbase.store import accounts
from touchbase.store import events as event_store
from touchbase.store import touchpoints as touchpoint_store
from touchbase.store.accounts import new_id
from touchbase.store.models import Calendar, Contact, Event, Touchpoint, User

# No cadence plans past this year (a date must stay within what the calendar stores).
LAST_YEAR = 9990
# The spans taken on each day looked at (start, end), as planning keeps them.
BusyDays = dict[date, list[tuple[datetime, datetime]]]


class TouchpointPlan(msgspec.Struct, frozen=True):
    """What planning a touchpoint asks for: a day (the event goes to its first free slot) or
    a time, a length and a message."""

    contact_id: str
    day: date | None = None
    at: datetime | None = None
    minutes: int = DEFAULT_MINUTES
    message: str = ""


@dataclass(frozen=True)
class TouchpointState:
    """A touchpoint as the user sees it: with its event, when it has a live one."""

    touchpoint: Touchpoint
    event: EventRecord | None
    contact_name: str
    zone: ZoneInfo

    @property
    def needs_date(self) -> bool:
        """Planned, but its event was deleted: it waits for a new date."""
        return self.touchpoint.status == "planned" and self.event is None

    @property
    def start(self) -> datetime | None:
        """When its event starts (None: an all-day event, or none)."""
        return self.event.event.start.date_time if self.event is not None else None

    @property
    def minutes(self) -> int:
        """How long it is: its timed event's length, else the length it was planned with."""
        timed = minutes_of(self.event.event) if self.event is not None else None
        return self.touchpoint.duration_minutes if timed is None else timed

    @property
    def due(self) -> date:
        """The day it is due: its event's, or the one it was planned for."""
        if self.event is None:
            return self.touchpoint.due_date
        start = self.event.event.start
        if start.date is not None:
            return start.date
        assert start.date_time is not None
        return start.date_time.astimezone(self.zone).date()

    def overdue(self, now: datetime) -> bool:
        """Planned and its time is past (its event over, or its day gone by)."""
        if self.touchpoint.status != "planned":
            return False
        if self.event is not None and self.event.event.end.date_time is not None:
            return self.event.event.end.date_time <= now
        return self.due < now.astimezone(self.zone).date()


def stated_zone(user: User | None) -> ZoneInfo | None:
    """The zone of the user's time zone setting, if they chose one."""
    stated = user.time_zone if user is not None else None
    return ZoneInfo(stated) if stated and is_valid_time_zone(stated) else None


@dataclass
class PlanContext:
    """What planning needs, read once per transaction: the calendar, the zone the user's
    days and working hours are in (`user_zone`), the working hours, and the busy spans of
    each day looked at (with those placed since)."""

    session: AsyncSession
    actor: Actor
    calendar: Calendar
    hours: WorkingHours
    now: datetime
    busy: BusyDays
    zone: ZoneInfo

    async def busy_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The spans taken on `day` (read from the cache once, then kept up to date)."""
        if day not in self.busy:
            start = datetime.combine(day, time(), tzinfo=self.zone)
            self.busy[day] = await busy_spans(
                self.session, self.actor.user_id, start, start + timedelta(days=1)
            )
        return self.busy[day]

    async def free_slot(
        self, day: date, minutes: int, *, theirs: ZoneInfo | None = None
    ) -> datetime | None:
        busy = await self.busy_on(day)
        slot = first_free_slot(day, self.hours, self.zone, busy, minutes, theirs=theirs)
        if slot is not None:
            busy.append((slot, slot + timedelta(minutes=minutes)))
        return slot


async def plan_context(
    session: AsyncSession,
    actor: Actor,
    now: datetime,
    *,
    busy: BusyDays | None = None,
) -> PlanContext:
    """What planning needs in this transaction (`busy`: the spans already read, by day)."""
    calendar = await event_checks.calendar_for(session, actor.user_id, None)
    user = await session.get(User, actor.user_id)
    hours = WorkingHours.read(user.working_hours if user else None)
    zone = stated_zone(user) or ZoneInfo(calendar.time_zone)
    return PlanContext(session, actor, calendar, hours, now, {} if busy is None else busy, zone)


async def user_zone(session: AsyncSession, user_id: str) -> ZoneInfo:
    """The zone a user's days are counted in (a touchpoint's day, "today", the working
    hours a touchpoint is placed in): their time zone setting, the zone every page shows,
    else their primary calendar's (the one kept on touchbase, before Google is connected)."""
    stated = stated_zone(await session.get(User, user_id))
    if stated is not None:
        return stated
    calendar = await accounts.primary_calendar(session, user_id)
    calendar = calendar or await accounts.local_calendar(session, user_id)
    return ZoneInfo(calendar.time_zone if calendar else "UTC")


def _checked(plan: TouchpointPlan, zone: ZoneInfo) -> TouchpointPlan:
    """The plan with its day (from its time, if given), or InvalidTouchpointError."""
    problem = message_problem(plan.message)
    if problem:
        raise InvalidTouchpointError(problem, field="message")
    problem = minutes_problem(plan.minutes)
    if problem:
        raise InvalidTouchpointError(problem, field="durationMinutes")
    if plan.at is not None:
        if plan.at.tzinfo is None:
            raise InvalidTouchpointError("a time with its offset", field="dueAt")
        return msgspec.structs.replace(plan, day=plan.at.astimezone(zone).date())
    if plan.day is None:
        raise InvalidTouchpointError("a day (dueDate) or a time (dueAt)", field="dueDate")
    return plan


def title_for(name: str) -> str:
    """The title touchbase gives the event of a touchpoint with contact `name`."""
    return f"Touchpoint: {name}"


async def retitle_events(
    session: AsyncSession, actor: Actor, contact: Contact, old_name: str, now: datetime
) -> list[str]:
    """A renamed contact's planned touchpoints' events take the new name, where they still
    bear the title touchbase gave them (one the user retitled keeps theirs). An event in
    conflict, or in a calendar now shared to view only, is left as it is: a rename never
    waits on it. Returns the events to push."""
    old, new = title_for(old_name), title_for(contact.name)
    if old == new:
        return []
    to_push: list[str] = []
    for tp in await touchpoint_store.planned_of(session, actor.user_id, contact.id):
        if tp.event_id is None:
            continue
        found = await event_store.event_to_edit(session, actor.user_id, tp.event_id)
        if found is None or found[1] is not None or found[0].deleted:
            continue  # gone, or in conflict
        row = found[0]
        before = EventRecord.of(row).event
        if before.title != old:
            continue
        try:
            after = event_checks.checked(before.replace(title=new), before)
            await events.stage_update(session, row, before, after, actor=actor, now=now)
        except ReadOnlyCalendarError:
            continue  # raised before anything was written
        to_push.append(row.id)
    return to_push


def minutes_of(event: CalendarEvent) -> int | None:
    """A timed event's length in whole minutes (None: an all-day event)."""
    if event.start.date_time is None:
        return None
    return int(length_of(event) // timedelta(minutes=1))


def event_of(
    touchpoint: Touchpoint, contact: Contact, start: datetime | None, zone: str
) -> CalendarEvent:
    """The calendar event a touchpoint makes: timed, or all day when the day had no slot."""
    if start is None:
        when, until = (
            EventTime.all_day(touchpoint.due_date),
            EventTime.all_day(touchpoint.due_date + timedelta(days=1)),
        )
    else:
        end = start + timedelta(minutes=touchpoint.duration_minutes)
        when, until = EventTime.at(start, zone), EventTime.at(end, zone)
    return CalendarEvent(
        title=title_for(contact.name),
        description=touchpoint.message,
        start=when,
        end=until,
        contact_id=contact.id,
        touchpoint_id=touchpoint.id,
    )


async def slot_for(
    context: PlanContext, touchpoint: Touchpoint, contact: Contact
) -> datetime | None:
    """When the touchpoint's event starts: its time, or the first free slot of its day (in
    the contact's working hours too, where theirs and the user's overlap); None: all day."""
    if touchpoint.due_at is not None:
        start = touchpoint.due_at.astimezone(context.zone)
        end = start + timedelta(minutes=touchpoint.duration_minutes)
        (await context.busy_on(touchpoint.due_date)).append((start, end))
        return start
    zone = contact.time_zone
    theirs = ZoneInfo(zone) if zone and is_valid_time_zone(zone) else None
    return await context.free_slot(touchpoint.due_date, touchpoint.duration_minutes, theirs=theirs)


async def make_event(context: PlanContext, touchpoint: Touchpoint, contact: Contact) -> Event:
    """The touchpoint's new event, staged to be pushed (its id noted on the touchpoint)."""
    start = await slot_for(context, touchpoint, contact)
    event = event_checks.checked(event_of(touchpoint, contact, start, context.calendar.time_zone))
    row = await events.stage_create(
        context.session, context.actor, event, context.calendar, now=context.now
    )
    touchpoint.event_id = row.id
    return row


async def plan_one(
    context: PlanContext,
    plan: TouchpointPlan,
    *,
    origin: str,
    key: str | None,
    contact: Contact | None = None,
) -> tuple[Touchpoint, Event]:
    """A touchpoint and its event, staged (`contact`: the plan's, when the caller holds it;
    else read: another user's, named in the body, is invalid input, as an unknown one)."""
    plan = _checked(plan, context.zone)
    assert plan.day is not None
    if contact is None or contact.id != plan.contact_id:
        try:
            contact = await owned_contact(context.session, context.actor.user_id, plan.contact_id)
        except ContactNotFoundError:
            raise InvalidTouchpointError("No such contact.", field="contactId") from None
    if contact.archived_at is not None:
        raise InvalidTouchpointError("The contact is archived.", field="contactId")
    touchpoint = Touchpoint(
        id=new_id(),
        user_id=context.actor.user_id,
        contact_id=contact.id,
        due_date=plan.day,
        due_at=plan.at,
        duration_minutes=plan.minutes,
        message=plan.message.strip(),
        status="planned",
        origin=origin,
        idempotency_key=key,
        version=1,
        created_at=context.now,
        updated_at=context.now,
    )
    context.session.add(touchpoint)
    row = await make_event(context, touchpoint, contact)
    audit(
        context.session,
        context.actor,
        row.id,
        contact_id=contact.id,
        action="touchpoint_plan",
        now=context.now,
        changes={"touchpointId": touchpoint.id, "due": plan.day.isoformat(), "origin": origin},
    )
    return touchpoint, row


async def state_of(session: AsyncSession, user_id: str, touchpoint_id: str) -> TouchpointState:
    found = await touchpoint_store.touchpoints(session, user_id, ids=[touchpoint_id])
    if not found:
        raise TouchpointNotFoundError()
    return (await states(session, user_id, found))[0]


async def states(
    session: AsyncSession,
    user_id: str,
    found: Sequence[touchpoint_store.WithEvent],
    *,
    zone: ZoneInfo | None = None,
) -> list[TouchpointState]:
    """Touchpoints as the user sees them: their days in `zone`, else in the user's own
    (`user_zone`)."""
    if zone is None:
        zone = await user_zone(session, user_id) if found else ZoneInfo("UTC")
    return [
        TouchpointState(tp, EventRecord.of(row) if row is not None else None, name, zone)
        for tp, row, name in found
    ]


async def get_touchpoint(
    services: CalendarServices, user_id: str, touchpoint_id: str
) -> TouchpointState:
    """One of the user's touchpoints (404 for anyone else's)."""
    async with services.db.read() as session:
        return await state_of(session, user_id, touchpoint_id)


def cadence_of(contact: Contact) -> Cadence | None:
    """The contact's cadence, if it has one."""
    return cadence_from(contact.cadence_every, contact.cadence_unit)


async def plan_next(context: PlanContext, contact: Contact, last: date) -> Touchpoint | None:
    """The next touchpoint by the contact's cadence, a cadence after `last` (not before
    tomorrow), unless it has none or one is planned already."""
    if await touchpoint_store.planned_of(context.session, context.actor.user_id, contact.id):
        return None
    return await plan_by_cadence(context, contact, last)


async def plan_by_cadence(context: PlanContext, contact: Contact, last: date) -> Touchpoint | None:
    """`plan_next` for a contact the caller knows has no touchpoint planned."""
    cadence = cadence_of(contact)
    if cadence is None or contact.archived_at is not None or last.year >= LAST_YEAR:
        return None
    tomorrow = context.now.astimezone(context.zone).date() + timedelta(days=1)
    day = context.hours.working_day_from(next_date(last, cadence, today=tomorrow))
    plan = TouchpointPlan(contact.id, day=day)
    touchpoint, _row = await plan_one(context, plan, origin="cadence", key=None, contact=contact)
    return touchpoint
