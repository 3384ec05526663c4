"""A user's settings (settings.list, settings.get): Google's defaults, and the time zone of
their primary calendar. Settings are read-only in the API, as at Google."""

from __future__ import annotations

from typing import TYPE_CHECKING

from touchbase_emulator import listing
from touchbase_emulator.calendars import etag_of
from touchbase_emulator.errors import not_found
from touchbase_emulator.state import Json
from touchbase_emulator.wire import ApiRequest, ApiResponse, Handler, Principal

if TYPE_CHECKING:
    from touchbase_emulator.calendar_api import CalendarApi

DEFAULTS = {
    "autoAddHangouts": "false",
    "dateFieldOrder": "MDY",
    "defaultEventLength": "60",
    "format24HourTime": "false",
    "hideInvitations": "false",
    "hideWeekends": "false",
    "locale": "en",
    "remindOnRespondedEventsOnly": "false",
    "showDeclinedEvents": "true",
    "useKeyboardShortcuts": "true",
    "weekStart": "0",
}


def _settings(api: CalendarApi, principal: Principal) -> list[Json]:
    api.state.ensure_user(principal.email)
    values = {**DEFAULTS, "timezone": api.state.calendars[principal.email].time_zone}
    items = []
    for key in sorted(values):
        item: Json = {"kind": "calendar#setting", "id": key, "value": values[key]}
        item["etag"] = etag_of(item)
        items.append(item)
    return items


def settings_list(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """settings.list"""
    items = _settings(api, principal)
    body: Json = {
        "kind": "calendar#settings",
        "etag": etag_of({"items": items}),
        "nextSyncToken": listing.encode_token({"s": len(items)}),
        "items": items,
    }
    return ApiResponse(200, body)


def settings_get(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """settings.get: 404 for a setting Google does not have."""
    for item in _settings(api, principal):
        if item["id"] == args[0]:
            return ApiResponse(200, item)
    raise not_found()


HANDLERS: dict[str, Handler] = {
    "calendar.settings.list": settings_list,
    "calendar.settings.get": settings_get,
}
