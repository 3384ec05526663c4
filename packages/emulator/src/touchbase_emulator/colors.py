"""Google Calendar's colour palettes (colors.get), for calendars and for events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from touchbase_emulator.state import Json
from touchbase_emulator.wire import ApiRequest, ApiResponse, Handler, Principal

if TYPE_CHECKING:
    from touchbase_emulator.calendar_api import CalendarApi

FOREGROUND = "#1d1d1d"
CALENDAR_BACKGROUNDS = (
    "#ac725e", "#d06b64", "#f83a22", "#fa573c", "#ff7537", "#ffad46", "#42d692", "#16a765",
    "#7bd148", "#b3dc6c", "#fbe983", "#fad165", "#92e1c0", "#9fe1e7", "#9fc6e7", "#4986e7",
    "#9a9cff", "#b99aff", "#c2c2c2", "#cabdbf", "#cca6ac", "#f691b2", "#cd74e6", "#a47ae2",
)  # fmt: skip
EVENT_BACKGROUNDS = (
    "#a4bdfc", "#7ae7bf", "#dbadff", "#ff887c", "#fbd75b", "#ffb878", "#46d6db", "#e1e1e1",
    "#5484ed", "#51b749", "#dc2127",
)  # fmt: skip
CALENDAR_COLORS = {
    str(n): {"background": bg, "foreground": FOREGROUND}
    for n, bg in enumerate(CALENDAR_BACKGROUNDS, 1)
}
EVENT_COLORS = {
    str(n): {"background": bg, "foreground": FOREGROUND}
    for n, bg in enumerate(EVENT_BACKGROUNDS, 1)
}


def colors_get(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """colors.get"""
    body: Json = {
        "kind": "calendar#colors",
        "updated": "2012-02-14T00:00:00.000Z",
        "calendar": CALENDAR_COLORS,
        "event": EVENT_COLORS,
    }
    return ApiResponse(200, body)


HANDLERS: dict[str, Handler] = {"calendar.colors.get": colors_get}
