"""One instance of a series found by its original start (events.instances?originalStart=),
and the exceptions a series edit takes away, as Google does both."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from touchbase_emulator import listing, recurrence, resources
from touchbase_emulator.resources import parse_when
from touchbase_emulator.state import Calendar, Json, StoredEvent
from touchbase_emulator.wire import same_start

if TYPE_CHECKING:
    from touchbase_emulator.calendar_api import CalendarApi


def virtual_at(calendar: Calendar, series: Json, original: str) -> Json | None:
    """The instance the series' rule makes at `original` (a date or an RFC 3339 time)."""
    timing = resources.series_time(series)
    when = resources.parse_when(
        {"date": original} if len(original) == 10 else {"dateTime": original},
        location="originalStart",
    )
    if when.all_day != timing.all_day:
        return None
    limit = when.moment + timedelta(days=1)
    for start in recurrence.occurrences(series["recurrence"], timing, until=limit):
        instance = listing.virtual_instance(series, start, timing, ZoneInfo(calendar.time_zone))
        if same_start(instance["originalStartTime"], original):
            return instance
    return None


def instance_at(
    calendar: Calendar, series: Json, original: str, *, show_deleted: bool
) -> Json | None:
    """The one instance that was scheduled at `original`, however far ahead: a stored
    exception if there is one (a cancelled one only with `show_deleted`), else the rule's."""
    found: Json | None = None
    for stored in calendar.events.values():
        data = stored.data
        if data.get("recurringEventId") == series["id"] and same_start(
            data.get("originalStartTime"), original
        ):
            found = data
    if found is None and series.get("recurrence"):
        found = virtual_at(calendar, series, original)
    if found is not None and found.get("status") == "cancelled" and not show_deleted:
        return None
    return found


def listing_of(calendar: Calendar, series: StoredEvent, found: Json | None, role: str) -> Json:
    """An instances answer holding `found` alone (or nothing), to a caller with `role`."""
    return {
        "kind": "calendar#events",
        "etag": f'"{series.seq}"',
        "summary": calendar.summary,
        "timeZone": calendar.time_zone,
        "accessRole": role,
        "items": [found] if found is not None else [],
    }


def timing_changed(before: Json, after: Json) -> bool:
    """Whether a series' rule or times changed."""
    return any(before.get(k) != after.get(k) for k in ("recurrence", "start", "end"))


def lost_exceptions(calendar: Calendar, series: Json) -> list[Json]:
    """The live exceptions of a series whose original slot it no longer has (after its
    times or rule changed): Google drops them."""
    lost = []
    for stored in calendar.events.values():
        data = stored.data
        if data.get("recurringEventId") != series["id"] or data.get("status") == "cancelled":
            continue
        original = data["originalStartTime"]
        if virtual_at(calendar, series, original.get("date") or original.get("dateTime")) is None:
            lost.append(data)
    return lost


def split_rules(
    series: Json, original: datetime, timing: recurrence.SeriesTime
) -> tuple[list[str], list[str]]:
    """The rules of the two halves of a split at `original`, as Google's UI writes them: the
    old rule ends at 23:59:59 of the day before, local time, written in UTC (or the day before
    for an all-day series), or with the COUNT kept; the new one keeps the original end."""
    ended, going_on = [], []
    kept = sum(1 for _ in recurrence.occurrences(series["recurrence"], timing, until=original))
    for line in series["recurrence"]:
        if not line.upper().startswith("RRULE:"):
            ended.append(line)
            going_on.append(line)
            continue
        parts = [p for p in line[6:].split(";") if not p.upper().startswith(("UNTIL=", "COUNT="))]
        count = next((p for p in line[6:].split(";") if p.upper().startswith("COUNT=")), None)
        if count is not None:
            ended.append("RRULE:" + ";".join([*parts, f"COUNT={kept}"]))
            going_on.append("RRULE:" + ";".join([*parts, f"COUNT={int(count[6:]) - kept}"]))
            continue
        day_before = original.date() - timedelta(days=1)
        if timing.all_day:
            until = f"{day_before:%Y%m%d}"
        else:
            local = datetime.combine(day_before, time(23, 59, 59), tzinfo=timing.tz)
            until = local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        ended.append("RRULE:" + ";".join([*parts, f"UNTIL={until}"]))
        going_on.append(line)
    return ended, going_on


def split_in_ui(api: CalendarApi, calendar: Calendar, series_id: str, original: str) -> Json:
    """ "This and following" made in Google's own UI: the series' rule ends before the
    instance at `original`, its later exceptions go, and a new series (id `<id>_R<local
    start>`, every other field copied, extendedProperties too) starts there. The new one."""
    series = calendar.events[series_id].data
    instance = virtual_at(calendar, series, original)
    if instance is None:
        raise ValueError("the series has no instance then")
    timing = resources.series_time(series)
    start = parse_when(instance["originalStartTime"], location="originalStart").moment
    ended, going_on = split_rules(series, start, timing)
    old = api.stamp(
        resources.normalise({**series, "recurrence": ended}, calendar),
        event_id=series_id,
        calendar=calendar,
        previous=series,
    )
    api.store(calendar, old)
    for lost in lost_exceptions(calendar, old):
        api.cancel(calendar, lost)
    suffix = f"{start:%Y%m%d}" if timing.all_day else f"{start.astimezone(timing.tz):%Y%m%dT%H%M%S}"
    new_id = f"{series_id}_R{suffix}"
    fields = resources.normalise(
        {**series, "recurrence": going_on, "start": instance["start"], "end": instance["end"]},
        calendar,
    )
    fresh = api.stamp(fields, event_id=new_id, calendar=calendar, previous=None)
    api.store(calendar, fresh)
    return fresh
