"""Recurring series: where a series begins and ends, and its instances in a window.

A timed series repeats at the same wall-clock time in its time zone (its UTC offset follows
daylight saving time); an all-day series repeats on dates. Pure: dateutil does the RRULE work.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rruleset, rrulestr

from touchbase.domain.events import CalendarEvent, EventStatus, EventTime

MAX_INSTANCES = 5000
FOREVER = datetime(9999, 12, 31, tzinfo=UTC)


class RecurrenceError(ValueError):
    """A recurrence that cannot be expanded."""


@dataclass(frozen=True)
class Instance:
    """One occurrence of a series: when it was scheduled, and when it takes place."""

    original_start: EventTime
    start: EventTime
    end: EventTime


def _dtstart(event: CalendarEvent, default_zone: ZoneInfo) -> tuple[datetime, ZoneInfo | None]:
    if event.start.date is not None:
        return datetime.combine(event.start.date, time()), None
    assert event.start.date_time is not None
    zone = ZoneInfo(event.start.time_zone) if event.start.time_zone else default_zone
    return event.start.date_time.astimezone(zone), zone


def _until_in_utc(rule: str, zone: ZoneInfo | None) -> str:
    """dateutil wants UNTIL in UTC for a zoned start and floating for a date start."""
    head, sep, rest = rule.upper().partition("UNTIL=")
    if not sep:
        return rule
    value, semi, tail = rest.partition(";")
    if zone is None:
        value = value[:8]
    elif not value.endswith("Z"):
        local = (
            datetime.combine(datetime.strptime(value[:8], "%Y%m%d").date(), time(23, 59, 59))
            if len(value) == 8
            else datetime.strptime(value, "%Y%m%dT%H%M%S")
        )
        value = local.replace(tzinfo=zone).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return head + sep + value + semi + tail


def _dates(
    params: list[str], values: str, start: datetime, zone: ZoneInfo | None
) -> list[datetime]:
    tzid = next((p[5:] for p in params if p.upper().startswith("TZID=")), None)
    out = []
    for raw in (v.strip().upper() for v in values.split(",")):
        if len(raw) == 8:
            day = datetime.strptime(raw, "%Y%m%d")
            out.append(
                day if zone is None else start.replace(year=day.year, month=day.month, day=day.day)
            )
            continue
        if raw.endswith("Z"):
            moment = datetime.strptime(raw, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        else:
            moment = datetime.strptime(raw, "%Y%m%dT%H%M%S").replace(
                tzinfo=ZoneInfo(tzid) if tzid else zone or UTC
            )
        out.append(
            datetime.combine(moment.date(), time()) if zone is None else moment.astimezone(zone)
        )
    return out


def rule_set(event: CalendarEvent, default_zone: ZoneInfo) -> tuple[rruleset, ZoneInfo | None]:
    """The dateutil rule set of a series; RecurrenceError if it cannot be read."""
    start, zone = _dtstart(event, default_zone)
    rules = rruleset()
    try:
        for line in event.recurrence:
            head, _, value = line.partition(":")
            params = head.split(";")
            kind = params[0].strip().upper()
            if kind in ("RRULE", "EXRULE"):
                rule = rrulestr(_until_in_utc(value, zone), dtstart=start)
                (rules.rrule if kind == "RRULE" else rules.exrule)(rule)  # type: ignore[arg-type]
            elif kind in ("RDATE", "EXDATE"):
                for moment in _dates(params[1:], value, start, zone):
                    (rules.rdate if kind == "RDATE" else rules.exdate)(moment)
            else:
                raise RecurrenceError(f"not a recurrence line: {line!r}")
        next(iter(rules), None)  # make dateutil parse everything now
    except (ValueError, TypeError, KeyError) as exc:
        raise RecurrenceError(f"cannot read recurrence {list(event.recurrence)!r}: {exc}") from exc
    return rules, zone


def _time_of(moment: datetime, zone: ZoneInfo | None, tz_name: str | None) -> EventTime:
    if zone is None:
        return EventTime.all_day(moment.date())
    return EventTime.at(moment, tz_name)


def occurrences(
    event: CalendarEvent, default_zone: ZoneInfo, *, until: datetime
) -> Iterator[Instance]:
    """The instances of a series starting before `until` (at most MAX_INSTANCES)."""
    rules, zone = rule_set(event, default_zone)
    duration = _duration(event, default_zone)
    for count, start in enumerate(rules):
        instant = start.replace(tzinfo=default_zone) if zone is None else start
        if count >= MAX_INSTANCES or instant >= until:
            return
        end = start + duration
        yield Instance(
            _time_of(start, zone, event.start.time_zone),
            _time_of(start, zone, event.start.time_zone),
            _time_of(end, zone, event.end.time_zone),
        )


def _duration(event: CalendarEvent, default_zone: ZoneInfo) -> timedelta:
    return (
        event.end.instant(default_zone) - event.start.instant(default_zone)
        if event.start.date is None
        else _days(event.start.date, event.end.date)
    )


def _days(start: date, end: date | None) -> timedelta:
    return (end - start) if end else timedelta(days=1)


def series_span(event: CalendarEvent, default_zone: ZoneInfo) -> tuple[datetime, datetime]:
    """(first start, last end) of a series; the end is FOREVER when it never ends."""
    rules, zone = rule_set(event, default_zone)
    first = event.start.instant(default_zone)
    if not any(
        ("COUNT=" in line.upper() or "UNTIL=" in line.upper())
        for line in event.recurrence
        if line.upper().startswith("RRULE")
    ):
        return first, FOREVER
    last = None
    for count, start in enumerate(rules):
        if count >= MAX_INSTANCES:
            return first, FOREVER
        last = start
    if last is None:
        return first, first
    last_instant = last.replace(tzinfo=default_zone) if zone is None else last
    return first, last_instant + _duration(event, default_zone)


def event_span(event: CalendarEvent, calendar_zone: str) -> tuple[datetime, datetime]:
    """The instants an event spans, for window queries: a whole series from its first start
    to its last end; a cancelled instance at its original start."""
    zone = ZoneInfo(event.start.time_zone or calendar_zone)
    if event.end.time_zone:
        ZoneInfo(event.end.time_zone)
    if event.recurrence:
        return series_span(event, zone)
    cancelled = event.status is EventStatus.CANCELLED
    start = (event.original_start or event.start) if cancelled else event.start
    end = start if cancelled else event.end
    return start.instant(zone), max(end.instant(zone), start.instant(zone))
