"""Changing one occurrence, or "this and following", of a recurring series: pure rules.

A series is split at an occurrence as Google's own UI does it: the series' rule ends before
the occurrence (UNTIL with the start's value type, or COUNT of the occurrences kept) and a new
series starts at the occurrence, keeping the original end (its UNTIL, or the COUNT left).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from touchbase.domain.events import CalendarEvent, EventTime
from touchbase.domain.recurrence import event_budget, occurrences
from touchbase.domain.rrules import Budget

# Fields an occurrence shares with its series as they are; the times shift instead.
SHARED_FIELDS = (
    "title",
    "description",
    "location",
    "attendees",
    "status",
    "contact_id",
    "touchpoint_id",
    "conference",
    "conference_request",
)


def slot_stamp(original: EventTime) -> str:
    """An occurrence's original start as touchbase writes it in ids: the date of an all-day
    occurrence, the UTC instant of a timed one."""
    if original.date is not None:
        return original.date.strftime("%Y%m%d")
    assert original.date_time is not None
    iso = original.date_time.astimezone(UTC).isoformat()  # 2027-03-01T09:00:00+00:00
    return f"{iso[:4]}{iso[5:7]}{iso[8:10]}T{iso[11:13]}{iso[14:16]}{iso[17:19]}Z"


def slot_key(original: EventTime) -> date | datetime:
    """An original start as a key (cheap to compute and compare): the date of an all-day
    occurrence, the aware instant of a timed one."""
    if original.date is not None:
        return original.date
    assert original.date_time is not None
    return original.date_time


def slot_instant(original: EventTime) -> datetime:
    """An original start as a UTC instant (midnight UTC of an all-day occurrence's date)."""
    if original.date is not None:
        return datetime.combine(original.date, datetime.min.time(), tzinfo=UTC)
    assert original.date_time is not None
    return original.date_time.astimezone(UTC)


def read_stamp(stamp: str) -> date | datetime | None:
    """The date or UTC instant a stamp names; None if it is not one."""
    try:
        if len(stamp) == 8:
            return datetime.strptime(stamp, "%Y%m%d").date()
        if len(stamp) == 16 and stamp.endswith("Z"):
            return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=ZoneInfo("UTC"))
    except ValueError:
        return None
    return None


def same_slot(a: EventTime, b: EventTime) -> bool:
    """Whether two original starts name the same occurrence."""
    return slot_key(a) == slot_key(b)


def _shift(value: EventTime, delta: timedelta, like: EventTime) -> EventTime:
    """`value` moved by `delta`, written in the zone of `like`."""
    if value.date is not None:
        return EventTime.all_day(value.date + timedelta(days=delta.days))
    assert value.date_time is not None
    moved = value.date_time + delta
    zone = like.time_zone or value.time_zone
    return EventTime.at(moved.astimezone(ZoneInfo(zone)) if zone else moved, zone)


def _delta(before: EventTime, after: EventTime) -> timedelta | None:
    """How far a start moved; None if it changed kind (all-day <-> timed)."""
    if before.date is not None and after.date is not None:
        return after.date - before.date
    if before.date_time is not None and after.date_time is not None:
        return after.date_time - before.date_time
    return None


def apply_to_series(
    series: CalendarEvent, occurrence: CalendarEvent, changed: CalendarEvent
) -> CalendarEvent:
    """The series with the change made to one of its occurrences (`occurrence` -> `changed`):
    changed fields are set, a moved start moves the series' start as far, a new length is the
    series' length; a new rule replaces the rule."""
    out = series
    for name in SHARED_FIELDS:
        if getattr(changed, name) != getattr(occurrence, name):
            out = out.replace(**{name: getattr(changed, name)})
    if changed.recurrence:
        out = out.replace(recurrence=changed.recurrence)
    if changed.start == occurrence.start and changed.end == occurrence.end:
        return out
    delta = _delta(occurrence.start, changed.start)
    # all-day <-> timed: the series starts on the occurrence's new terms
    start = changed.start if delta is None else _shift(series.start, delta, changed.start)
    length = length_of(changed)
    end = end_after(start, length, changed.end)
    return out.replace(start=start, end=end)


def length_of(event: CalendarEvent) -> timedelta:
    """How long an event lasts (whole days for an all-day one)."""
    if event.start.date is not None and event.end.date is not None:
        return event.end.date - event.start.date
    assert event.start.date_time is not None
    assert event.end.date_time is not None
    return event.end.date_time - event.start.date_time


def end_after(start: EventTime, length: timedelta, like: EventTime | None = None) -> EventTime:
    """The end of an event starting at `start` that lasts `length` (in the zone of `like`)."""
    like = like or start
    if start.date is not None:
        return EventTime.all_day(start.date + timedelta(days=length.days))
    assert start.date_time is not None
    zone = like.time_zone or start.time_zone
    end = start.date_time + length
    return EventTime.at(end.astimezone(ZoneInfo(zone)) if zone else end, zone)


def _parts(line: str) -> tuple[str, list[tuple[str, str]]]:
    name, _, value = line.partition(":")
    pairs = [tuple(p.split("=", 1)) for p in value.split(";") if "=" in p]
    return name, [(k.upper(), v) for k, v in pairs]


def _line(name: str, pairs: list[tuple[str, str]]) -> str:
    return f"{name}:" + ";".join(f"{k}={v}" for k, v in pairs)


def _until_before(at: EventTime) -> str:
    """UNTIL ending a series just before an occurrence: the day before, for an all-day
    series; one second before, in UTC with `Z`, for a timed one."""
    if at.date is not None:
        return (at.date - timedelta(days=1)).strftime("%Y%m%d")
    assert at.date_time is not None
    moment = at.date_time.astimezone(ZoneInfo("UTC")) - timedelta(seconds=1)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _count_before(
    series: CalendarEvent, rule: str, at: EventTime, zone: ZoneInfo, budget: Budget
) -> int:
    only_rule = series.replace(recurrence=(rule,))
    limit = at.instant(zone)
    return sum(1 for _ in occurrences(only_rule, zone, until=limit, budget=budget))


def split_rules(
    series: CalendarEvent, at: EventTime, zone: ZoneInfo, budget: Budget | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The recurrence of the series ended before occurrence `at`, and that of the series
    going on from `at` to the original end."""
    budget = budget or event_budget()
    before: list[str] = []
    after: list[str] = []
    for line in series.recurrence:
        name, pairs = _parts(line)
        if name.upper() != "RRULE":
            before.append(line)
            after.append(line)
            continue
        keys = dict(pairs)
        if "COUNT" in keys:
            kept = _count_before(series, line, at, zone, budget)
            left = int(keys["COUNT"]) - kept
            before.append(_line(name, [(k, str(kept) if k == "COUNT" else v) for k, v in pairs]))
            if left > 0:
                after.append(_line(name, [(k, str(left) if k == "COUNT" else v) for k, v in pairs]))
            continue
        until = _until_before(at)
        kept_pairs = [(k, v) for k, v in pairs if k != "UNTIL"] + [("UNTIL", until)]
        before.append(_line(name, kept_pairs))
        after.append(line)
    return tuple(before), tuple(after)


def first_occurrence(series: CalendarEvent, at: EventTime) -> bool:
    """Whether `at` is the series' first occurrence (a split there is an edit of it all)."""
    return same_slot(series.start, at)


def series_from(
    series: CalendarEvent,
    occurrence: CalendarEvent,
    changed: CalendarEvent,
    recurrence: tuple[str, ...],
) -> CalendarEvent:
    """The new series of a split: the series' data with the change, starting at the
    occurrence (as changed), with the rest of the rule (or the rule the change gives)."""
    shifted = apply_to_series(
        series.replace(start=occurrence.start, end=occurrence.end), occurrence, changed
    )
    return shifted.replace(
        recurrence=changed.recurrence or recurrence,
        id=None,
        etag=None,
        updated=None,
        sequence=0,
        ical_uid=None,
        html_link=None,
        recurring_event_id=None,
        original_start=None,
    )


def moved_slot(original: EventTime, occurrence: CalendarEvent, changed: CalendarEvent) -> EventTime:
    """Where an occurrence of the old series falls in the new series of a split."""
    delta = _delta(occurrence.start, changed.start)
    if delta is None or not delta:
        return original
    return _shift(original, delta, changed.start)
