"""Occurrences of recurring series: how touchbase names them, and finding one.

An occurrence is known by (series, original start), never by Google's instance id (opaque
since 2026). Its id in the API is `<series row id>~<original start>` (the date of an all-day
occurrence, `YYYYMMDDTHHMMSSZ` of a timed one): the same whether the occurrence is still
virtual or has become an exception, here or in Google, so it is stable across syncs.

An exception made here has no Google id until it reaches Google: until then its row holds a
provisional id (`~...`, a character Google's ids never have), derived from the same pair, and
the push (or a sync that meets the instance first) learns the real one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.domain import CalendarEvent, EventTime
from touchbase.domain.recurrence import Instance, event_budget, occurrences
from touchbase.domain.rrules import RecurrenceError
from touchbase.domain.splits import read_stamp, same_slot, slot_instant, slot_stamp
from touchbase.store import accounts
from touchbase.store import events as event_store
from touchbase.store.codec import event_from_json
from touchbase.store.models import Calendar, Event

SEPARATOR = "~"


def occurrence_id(series_row_id: str, original: EventTime) -> str:
    """The API id of one occurrence of a series."""
    return f"{series_row_id}{SEPARATOR}{slot_stamp(original)}"


def split_occurrence_id(event_id: str) -> tuple[str, date | datetime] | None:
    """(series row id, original date or UTC instant) of an occurrence id; None otherwise."""
    series_id, sep, stamp = event_id.partition(SEPARATOR)
    moment = read_stamp(stamp) if sep and series_id else None
    return None if moment is None else (series_id, moment)


def provisional_google_id(series_google_id: str, original: EventTime) -> str:
    """The Google id an exception made here holds until Google's own is known."""
    digest = hashlib.sha256(series_google_id.encode()).hexdigest()[:32]
    return f"{SEPARATOR}{slot_stamp(original)}{SEPARATOR}{digest}"


def is_provisional(google_id: str) -> bool:
    """Whether a cached Google id is still a provisional one."""
    return google_id.startswith(SEPARATOR)


@dataclass(frozen=True)
class Occurrence:
    """One occurrence: its series' row, how it looks now, and its stored exception if any."""

    id: str
    series: Event
    calendar: Calendar
    original: EventTime
    event: CalendarEvent
    row: Event | None

    @property
    def zone(self) -> ZoneInfo:
        """The zone the series is expanded in."""
        return series_zone(event_from_json(self.series.local), self.calendar)


def series_zone(series: CalendarEvent, calendar: Calendar) -> ZoneInfo:
    """The zone a series' rule is expanded in."""
    return ZoneInfo(series.start.time_zone or calendar.time_zone)


def virtual(series: CalendarEvent, start: EventTime, end: EventTime, gid: str) -> CalendarEvent:
    """An occurrence the series' rule makes, as an event of its own."""
    return series.replace(
        start=start, end=end, recurrence=(), recurring_event_id=gid, original_start=start
    )


def _slot(series: CalendarEvent, zone: ZoneInfo, moment: date | datetime) -> Instance | None:
    """The series' occurrence at `moment` (a date, or a UTC instant), if it has one."""
    wanted = EventTime.at(moment) if isinstance(moment, datetime) else EventTime.all_day(moment)
    at = wanted.instant(zone)
    try:
        for found in occurrences(
            series, zone, since=at, until=at + timedelta(seconds=1), budget=event_budget()
        ):
            if same_slot(found.original_start, wanted):
                return found
    except RecurrenceError:
        return None
    return None


def _made_at(series: Event, calendar: Calendar, moment: date | datetime) -> CalendarEvent | None:
    """The occurrence a series' row makes at `moment` (a date, or a UTC instant), as an
    event of its own; None if it makes none then."""
    event = event_from_json(series.local)
    found = _slot(event, series_zone(event, calendar), moment)
    if found is None:
        return None
    return virtual(event, found.start, found.end, series.google_event_id)


async def as_its_series_has_it(
    session: AsyncSession, row: Event
) -> tuple[Event, CalendarEvent] | None:
    """A stored instance's series and the occurrence it makes at the instance's slot, as if
    nothing changed that occurrence alone; None when the series or the slot is gone here."""
    original = event_from_json(row.local).original_start
    if row.recurring_event_id is None or original is None:
        return None
    series = await event_store.by_google_id(session, row.calendar_id, row.recurring_event_id)
    if series is None or series.deleted:
        return None
    calendar = await accounts.calendar_by_id(session, row.calendar_id)
    assert calendar is not None
    moment = original.date if original.date is not None else slot_instant(original)
    found = _made_at(series, calendar, moment)
    return None if found is None else (series, found)


async def find_occurrence(
    session: AsyncSession, user_id: str, event_id: str, *, for_update: bool = False
) -> Occurrence | None:
    """The occurrence an id names: an occurrence id, or a stored exception's row id. None
    for any other id (a single event or a series), and for what is not the user's."""
    parts = split_occurrence_id(event_id)
    if parts is not None:
        return await _by_slot(session, user_id, *parts, for_update=for_update)
    if for_update:  # read with what a change of it needs too (its calendar, its conflict)
        found = await event_store.event_to_edit(session, user_id, event_id)
        row = found[0] if found is not None else None
    else:
        row = await event_store.get_event(session, user_id, event_id)
    if row is None or row.recurring_event_id is None:
        return None
    series = await event_store.by_google_id(session, row.calendar_id, row.recurring_event_id)
    local = event_from_json(row.local)
    if series is None or series.deleted or local.original_start is None:
        return None
    if row.deleted or local.status.value == "cancelled":
        return None
    calendar = await accounts.calendar_by_id(session, row.calendar_id)
    assert calendar is not None
    return Occurrence(
        occurrence_id(series.id, local.original_start),
        series,
        calendar,
        local.original_start,
        local,
        row,
    )


async def _by_slot(
    session: AsyncSession,
    user_id: str,
    series_row_id: str,
    moment: date | datetime,
    *,
    for_update: bool,
) -> Occurrence | None:
    series = await event_store.get_event(session, user_id, series_row_id, for_update=for_update)
    if series is None or series.deleted:
        return None
    if not event_from_json(series.local).recurrence:
        return None
    calendar = await accounts.calendar_by_id(session, series.calendar_id)
    assert calendar is not None
    wanted = EventTime.at(moment) if isinstance(moment, datetime) else EventTime.all_day(moment)
    for row_id, original in await event_store.exception_slots(
        session, series.calendar_id, series.google_event_id
    ):
        if original is None or not same_slot(_time(original), wanted):
            continue
        row = await session.get(Event, row_id, with_for_update=for_update)
        assert row is not None
        local = event_from_json(row.local)
        if row.deleted or local.status.value == "cancelled":
            return None
        return Occurrence(occurrence_id(series.id, wanted), series, calendar, wanted, local, row)
    occurrence = _made_at(series, calendar, moment)
    if occurrence is None:
        return None
    assert occurrence.original_start is not None
    slot = occurrence.original_start
    return Occurrence(occurrence_id(series.id, slot), series, calendar, slot, occurrence, None)


def _time(raw: dict[str, object]) -> EventTime:
    return msgspec.convert(raw, EventTime)
