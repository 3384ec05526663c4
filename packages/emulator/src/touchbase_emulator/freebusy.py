"""freeBusy.query: when the asked calendars are busy, from their stored events.

An event makes its calendar busy unless it is cancelled, transparent ("show as available") or
declined by the calendar's owner; series are expanded; all-day events are busy from midnight
to midnight in their calendar's time zone. Busy periods are merged, clipped to the asked
window and written in the asked time zone (UTC by default).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from touchbase_emulator import listing, resources, sharing
from touchbase_emulator.clock import format_local, parse_datetime, zone
from touchbase_emulator.errors import ApiError, invalid, required
from touchbase_emulator.state import Calendar, EmulatorState, Json
from touchbase_emulator.wire import ApiRequest, ApiResponse, Handler, Principal, parse_body

if TYPE_CHECKING:
    from touchbase_emulator.calendar_api import CalendarApi

MAX_CALENDARS = 50
Period = tuple[datetime, datetime]


def _time(body: Json, key: str) -> datetime:
    if key not in body:
        raise required(f"Missing {key}.", location=key)
    return parse_datetime(body[key], location=key)


def _written(moment: datetime, tz: ZoneInfo | None) -> str:
    text = format_local(moment.astimezone(tz or UTC))
    return text[:-6] + "Z" if tz is None and text.endswith("+00:00") else text


def _declined_by_owner(data: Json, owner: str) -> bool:
    return any(
        a.get("email") == owner and a.get("responseStatus") == "declined"
        for a in data.get("attendees") or []
    )


def busy_periods(
    state: EmulatorState, calendar: Calendar, start: datetime, end: datetime
) -> list[Period]:
    """The calendar's merged busy periods within [start, end)."""
    query = listing.ListQuery(
        max_results=1_000_000, time_min=start, time_max=end, single_events=True
    )
    events, _, _ = listing.list_page(state, calendar, query, with_sync_token=False)
    cal_zone = ZoneInfo(calendar.time_zone)
    periods: list[Period] = []
    for data in events:
        if data.get("transparency") == "transparent" or _declined_by_owner(data, calendar.owner):
            continue
        begin, finish = resources.event_bounds(data, cal_zone)
        begin, finish = max(begin, start), min(finish, end)
        if begin < finish:
            periods.append((begin, finish))
    periods.sort()
    merged: list[Period] = []
    for begin, finish in periods:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return merged


def freebusy_query(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """freebusy.query"""
    body = parse_body(request)
    start, end = _time(body, "timeMin"), _time(body, "timeMax")
    if end <= start:
        raise ApiError(
            400, "timeRangeEmpty", "The specified time range is empty.", location="timeMax"
        )
    tz = zone(body["timeZone"], location="timeZone") if body.get("timeZone") else None
    asked = body.get("items") or []
    if not isinstance(asked, list) or not all(
        isinstance(i, dict) and isinstance(i.get("id"), str) for i in asked
    ):
        raise invalid("items must be a list of {id}.", location="items")
    if len(asked) > MAX_CALENDARS:
        raise ApiError(
            400, "tooManyCalendarsRequested", "The number of calendars requested is too large."
        )
    calendars: Json = {}
    for item in asked:
        calendar_id = principal.email if item["id"] == "primary" else item["id"]
        calendar = api.state.calendars.get(calendar_id)
        if calendar is None or sharing.role_of(calendar, principal.email) == "none":
            calendars[item["id"]] = {
                "errors": [{"domain": "global", "reason": "notFound"}],
                "busy": [],
            }
            continue
        calendars[item["id"]] = {
            "busy": [
                {"start": _written(b, tz), "end": _written(f, tz)}
                for b, f in busy_periods(api.state, calendar, start, end)
            ]
        }
    answer: Json = {
        "kind": "calendar#freeBusy",
        "timeMin": _written(start, tz),
        "timeMax": _written(end, tz),
        "calendars": calendars,
    }
    return ApiResponse(200, answer)


HANDLERS: dict[str, Handler] = {"calendar.freebusy.query": freebusy_query}
