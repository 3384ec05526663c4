"""Expansion of recurring series (RRULE, EXRULE, RDATE, EXDATE) in the series' time zone.

A timed series repeats at the same wall-clock time in its time zone, so its UTC offset follows
daylight saving time. An all-day series repeats on dates. Instance ids follow Google's current
shape (`<seriesId>_<YYYYMMDDTHHMMSSZ>` or `<seriesId>_<YYYYMMDD>`); clients treat them as opaque.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rruleset, rrulestr

from touchbase_emulator.clock import zone
from touchbase_emulator.errors import ApiError, invalid

# An unbounded series listed without timeMax is expanded this far and no further.
HORIZON = timedelta(days=732)
MAX_INSTANCES = 5000

_UNTIL = re.compile(r"UNTIL=([0-9TZz]+)", re.IGNORECASE)


@dataclass(frozen=True)
class SeriesTime:
    """When a series starts: aware datetime for timed series, a date for all-day ones."""

    start: datetime  # aware for timed series; naive midnight for all-day series
    duration: timedelta
    all_day: bool
    tz: ZoneInfo | None


def instance_id(series_id: str, original: datetime, *, all_day: bool) -> str:
    """Google's id of one instance of a series."""
    if all_day:
        return f"{series_id}_{original:%Y%m%d}"
    return f"{series_id}_{original.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def split_instance_id(event_id: str) -> tuple[str, str] | None:
    """(series id, original-start suffix) of an instance id, or None."""
    series_id, sep, suffix = event_id.rpartition("_")
    if not sep or not re.fullmatch(r"\d{8}(T\d{6}Z)?", suffix):
        return None
    return series_id, suffix


def parse_instance_suffix(suffix: str, *, all_day: bool, tz: ZoneInfo | None) -> datetime:
    """The original start encoded in an instance id suffix, in the series' terms."""
    if all_day:
        return datetime.strptime(suffix[:8], "%Y%m%d")
    moment = datetime.strptime(suffix, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return moment.astimezone(tz) if tz else moment


def _normalise_until(rule: str, series: SeriesTime) -> str:
    """Make UNTIL agree with DTSTART, as dateutil requires (UTC for aware, floating for dates)."""
    match = _UNTIL.search(rule)
    if not match:
        return rule
    raw = match.group(1).upper()
    try:
        if series.all_day:
            value = raw[:8]
        elif raw.endswith("Z"):
            value = raw
        else:
            local = (
                datetime.combine(datetime.strptime(raw[:8], "%Y%m%d").date(), time(23, 59, 59))
                if len(raw) == 8
                else datetime.strptime(raw, "%Y%m%dT%H%M%S")
            )
            value = local.replace(tzinfo=series.tz).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    except ValueError as exc:
        raise invalid(f"Invalid UNTIL in recurrence rule: {raw}", location="recurrence") from exc
    return rule[: match.start(1)] + value + rule[match.end(1) :]


def _parse_dates(params: list[str], values: str, series: SeriesTime) -> list[datetime]:
    tzid = next((p[5:] for p in params if p.upper().startswith("TZID=")), None)
    moments: list[datetime] = []
    for value in values.split(","):
        raw = value.strip().upper()
        try:
            if len(raw) == 8:
                day = datetime.strptime(raw, "%Y%m%d")
                moments.append(
                    day
                    if series.all_day
                    else series.start.replace(year=day.year, month=day.month, day=day.day)
                )
                continue
            if raw.endswith("Z"):
                moment = datetime.strptime(raw, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            else:
                local_zone = zone(tzid, location="recurrence") if tzid else series.tz or UTC
                moment = datetime.strptime(raw, "%Y%m%dT%H%M%S").replace(tzinfo=local_zone)
        except ValueError as exc:
            raise invalid(f"Invalid date in recurrence: {raw}", location="recurrence") from exc
        if series.all_day:
            moments.append(datetime.combine(moment.date(), time()))
        else:
            moments.append(moment.astimezone(series.tz) if series.tz else moment)
    return moments


def _check_counts(line: str) -> None:
    """Google refuses a rule that cannot advance or never occurs (INTERVAL or COUNT below 1);
    dateutil would loop forever on INTERVAL=0."""
    for name in ("INTERVAL", "COUNT"):
        found = re.search(rf"(?:^|[;:]){name}=([^;]*)", line, re.IGNORECASE)
        if found and not (found.group(1).isdigit() and int(found.group(1)) >= 1):
            raise invalid(f"Invalid recurrence rule: {line!r}", location="recurrence")


def _check_month_ordinals(line: str) -> None:
    """In a yearly rule with BYMONTH, a BYDAY number counts within the month (RFC 5545), so
    at most 5; dateutil walks past the month's end and fails on more."""
    parts = dict(part.split("=", 1) for part in line.upper().split(";") if "=" in part)
    if parts.get("FREQ") != "YEARLY" or "BYMONTH" not in parts:
        return
    for day in parts.get("BYDAY", "").split(","):
        number = re.match(r"[+-]?(\d+)", day.strip())
        if number and int(number.group(1)) > 5:
            raise invalid(f"Invalid recurrence rule: {line!r}", location="recurrence")


def build_rule_set(lines: list[str], series: SeriesTime) -> rruleset:
    """The dateutil rule set of a `recurrence` list; 400 invalid for anything unparseable."""
    rules = rruleset()
    for line in lines:
        if not isinstance(line, str) or ":" not in line:
            raise invalid(f"Invalid recurrence rule: {line!r}", location="recurrence")
        head, _, value = line.partition(":")
        params = head.split(";")
        kind = params[0].strip().upper()
        try:
            if kind in ("RRULE", "EXRULE"):
                _check_counts(value)
                _check_month_ordinals(value)
                rule = rrulestr(_normalise_until(value, series), dtstart=series.start)
                (rules.rrule if kind == "RRULE" else rules.exrule)(rule)  # type: ignore[arg-type]
            elif kind in ("RDATE", "EXDATE"):
                for moment in _parse_dates(params[1:], value, series):
                    (rules.rdate if kind == "RDATE" else rules.exdate)(moment)
            else:
                raise invalid(f"Invalid recurrence rule: {line!r}", location="recurrence")
        except (ValueError, TypeError, KeyError) as exc:
            raise invalid(f"Invalid recurrence rule: {line!r}", location="recurrence") from exc
    return rules


def occurrences(lines: list[str], series: SeriesTime, *, until: datetime) -> Iterator[datetime]:
    """Original starts of the series' instances that start before `until` (bounded)."""
    rules = build_rule_set(lines, series)
    if series.all_day:
        until = datetime.combine(until.date(), time()) + timedelta(days=1)
    for count, start in enumerate(rules):
        if count >= MAX_INSTANCES or _cmp_key(start, series) >= _cmp_key(until, series):
            return
        yield start


def _cmp_key(moment: datetime, series: SeriesTime) -> datetime:
    if series.all_day:
        return moment.replace(tzinfo=None)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def validate(lines: list[str], series: SeriesTime) -> None:
    """Refuse a recurrence that cannot be parsed or expanded."""
    rules = build_rule_set(lines, series)
    try:
        for count, _ in enumerate(rules):
            if count >= 3:
                break
    except (ValueError, TypeError, IndexError, OverflowError, ApiError) as exc:
        # dateutil's IndexError: a rule it parses but cannot walk (BYMONTH=7;BYDAY=30MO).
        raise invalid("Invalid recurrence rule.", location="recurrence") from exc


def date_to_datetime(day: date) -> datetime:
    """Naive midnight of a date (how all-day series start)."""
    return datetime.combine(day, time())
