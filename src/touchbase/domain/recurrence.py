"""Recurring series: where a series begins and ends, and its instances in a window.

A timed series repeats at the same wall-clock time in its time zone (its UTC offset follows
daylight saving time); an all-day series repeats on dates. Pure: dateutil does the RRULE work.
"""

from __future__ import annotations

import functools
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from dateutil.rrule import rruleset

from touchbase.domain.events import CalendarEvent, EventStatus, EventTime
from touchbase.domain.rrules import (
    Budget,
    BudgetedRule,
    BudgetExceeded,
    RecurrenceError,
    parse_rule,
    start_near,
    until_for,
)
from touchbase.domain.simple_rules import SimpleRule, simple, starts

MAX_INSTANCES = 5000
FOREVER = datetime(9999, 12, 31, tzinfo=UTC)
# A new rule must have its first occurrence within this time of the series' start.
FIRST_WITHIN = timedelta(days=366 * 10)
# The work one event's check, or its span, may take.
EVENT_PERIODS = 50_000
EVENT_SECONDS = 0.05


def event_budget() -> Budget:
    """The budget of one event's check or span."""
    return Budget(EVENT_PERIODS, EVENT_SECONDS)


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


def _dates(
    params: list[str], values: str, start: datetime, zone: ZoneInfo | None
) -> list[datetime]:
    tzid = next((p[5:] for p in params if p.upper().startswith("TZID=")), None)
    if any(p.upper().startswith("VALUE=PERIOD") for p in params):
        raise RecurrenceError("RDATE periods are not supported")
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


Starts = Iterable[datetime]


@dataclass(frozen=True)
class _SimpleSet:
    """A common rule (simple_rules.py) less its EXDATEs: iterated like dateutil's rule set."""

    rule: SimpleRule
    dtstart: datetime
    exdates: frozenset[datetime]
    since: datetime | None
    budget: Budget | None

    def __iter__(self) -> Iterator[datetime]:
        found = starts(self.rule, self.dtstart, since=self.since, budget=self.budget)
        return (s for s in found if s not in self.exdates) if self.exdates else found


def rule_set(
    event: CalendarEvent,
    default_zone: ZoneInfo,
    budget: Budget | None = None,
    *,
    since: datetime | None = None,
) -> tuple[Starts, ZoneInfo | None]:
    """The starts of a series, spending `budget` as they are walked; RecurrenceError if it
    cannot be read. With `since`, the walk may start later (same occurrences from then on)."""
    try:
        start, zone = _dtstart(event, default_zone)
        fast = _simple_set(event, start, zone, budget, since)
        if fast is not None:
            return fast, zone
        rules = rruleset()
        for line in event.recurrence:
            head, _, value = line.partition(":")
            params = head.split(";")
            kind = params[0].strip().upper()
            if kind in ("RRULE", "EXRULE"):
                parts = parse_rule(value)
                rule = BudgetedRule(parts, start_near(parts, start, since), budget)
                (rules.rrule if kind == "RRULE" else rules.exrule)(rule)
            elif kind in ("RDATE", "EXDATE"):
                for moment in _dates(params[1:], value, start, zone):
                    (rules.rdate if kind == "RDATE" else rules.exdate)(moment)
            else:
                raise RecurrenceError(f"not a recurrence line: {line!r}")
    except RecurrenceError:
        raise
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise RecurrenceError(f"cannot read recurrence {list(event.recurrence)!r}: {exc}") from exc
    return rules, zone


def _simple_set(
    event: CalendarEvent,
    start: datetime,
    zone: ZoneInfo | None,
    budget: Budget | None,
    since: datetime | None,
) -> _SimpleSet | None:
    """The series as one common rule and its EXDATEs, if that is all it is."""
    found = _simple_rule(event.recurrence, start, start.tzinfo, zone)
    if found is None:
        return None
    rule, exdates = found
    return _SimpleSet(rule, start, exdates, since, budget)


@functools.lru_cache(maxsize=4096)
def _simple_rule(
    recurrence: tuple[str, ...], start: datetime, _tz: tzinfo | None, zone: ZoneInfo | None
) -> tuple[SimpleRule, frozenset[datetime]] | None:
    """A series' rule in simple form and its EXDATEs, if that is all it has. Remembered: the
    calendar lists the same series again and again (`_tz` keeps one instant in two zones
    apart; it starts on another weekday in each)."""
    heads = [line.partition(":")[0].split(";")[0].strip().upper() for line in recurrence]
    if heads.count("RRULE") != 1 or any(h not in ("RRULE", "EXDATE") for h in heads):
        return None
    exdates: set[datetime] = set()
    rule = None
    for head, line in zip(heads, recurrence, strict=True):
        params, _, value = line.partition(":")
        if head == "EXDATE":
            exdates.update(_dates(params.split(";")[1:], value, start, zone))
            continue
        parts = parse_rule(value)
        rule = simple(parts, start, until_for(parts, start))
    if rule is None:
        return None
    return rule, frozenset(exdates)


# What dateutil raises walking a rule it took: "empty rule", past year 9999, or an index
# out of its masks (a combination its arithmetic does not cover): the series is unreadable.
EXPANSION_ERRORS = (ValueError, OverflowError, IndexError)


def check_recurrence(event: CalendarEvent, default_zone: ZoneInfo) -> None:
    """RecurrenceError unless the series can be read and has an occurrence within
    FIRST_WITHIN of its start, found within one event's budget."""
    rules, _ = rule_set(event, default_zone, event_budget())
    start, _ = _dtstart(event, default_zone)
    try:
        first = next(iter(rules), None)
    except BudgetExceeded:
        first = None
    except EXPANSION_ERRORS as exc:
        raise RecurrenceError(f"cannot expand the recurrence: {exc}") from exc
    if first is None or (first.replace(tzinfo=None) - start.replace(tzinfo=None)) > FIRST_WITHIN:
        raise RecurrenceError("the recurrence has no occurrence in the ten years after its start")


def _time_of(moment: datetime, zone: ZoneInfo | None, tz_name: str | None) -> EventTime:
    if zone is None:
        return EventTime.all_day(moment.date())
    return EventTime.at(moment, tz_name)


def occurrences(
    event: CalendarEvent,
    default_zone: ZoneInfo,
    *,
    until: datetime,
    since: datetime | None = None,
    budget: Budget | None = None,
    taken: Container[date | datetime] = frozenset(),
) -> Iterator[Instance]:
    """The instances of a series starting before `until` (at most MAX_INSTANCES), from the
    first that ends after `since`, but those whose slots exceptions took (`taken`: the slot
    keys of `splits.slot_key`, checked before an instance is made); BudgetExceeded when
    `budget` runs out first."""
    duration = _duration(event, default_zone)
    rules, zone = rule_set(
        event, default_zone, budget, since=None if since is None else since - duration
    )
    starts = iter(rules)
    count = 0
    while count < MAX_INSTANCES:
        try:
            start = next(starts, None)
        except BudgetExceeded:
            raise
        except EXPANSION_ERRORS as exc:
            raise RecurrenceError(f"cannot expand the recurrence: {exc}") from exc
        if start is None:
            return
        instant = start.replace(tzinfo=default_zone) if zone is None else start
        if instant >= until:
            return
        end = start + duration
        if since is not None and end.replace(tzinfo=instant.tzinfo) <= since:
            continue
        if (start.date() if zone is None else start) in taken:
            continue
        count += 1
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
    """(first start, last end) of a series; the end is FOREVER when it never ends, or when
    finding its end takes more than one event's budget."""
    rules, zone = rule_set(event, default_zone, event_budget())
    first = event.start.instant(default_zone)
    if not any(
        ("COUNT=" in line.upper() or "UNTIL=" in line.upper())
        for line in event.recurrence
        if line.upper().startswith("RRULE")
    ):
        return first, FOREVER
    last = None
    try:
        for count, start in enumerate(rules):
            if count >= MAX_INSTANCES:
                return first, FOREVER
            last = start
        if last is None:
            return first, first
        last_instant = last.replace(tzinfo=default_zone) if zone is None else last
        return first, last_instant + _duration(event, default_zone)
    except (BudgetExceeded, OverflowError):
        return first, FOREVER
    except EXPANSION_ERRORS as exc:
        raise RecurrenceError(f"cannot expand the recurrence: {exc}") from exc


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
