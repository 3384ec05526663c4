"""One instance of a series found by its original start (events.instances?originalStart=),
and the exceptions a series edit takes away, as Google does both."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from touchbase.emulator import listing, recurrence, resources
from touchbase.emulator.state import Calendar, Json, StoredEvent
from touchbase.emulator.wire import same_start


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


def listing_of(calendar: Calendar, series: StoredEvent, found: Json | None) -> Json:
    """An instances answer holding `found` alone (or nothing)."""
    return {
        "kind": "calendar#events",
        "etag": f'"{series.seq}"',
        "summary": calendar.summary,
        "timeZone": calendar.time_zone,
        "accessRole": "owner",
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
