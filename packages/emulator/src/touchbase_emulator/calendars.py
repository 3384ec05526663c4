"""Calendars (calendars.*) and each user's list of them (calendarList.*)."""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING

from touchbase_emulator import listing, sharing
from touchbase_emulator.clock import zone
from touchbase_emulator.colors import CALENDAR_BACKGROUNDS, CALENDAR_COLORS, FOREGROUND
from touchbase_emulator.errors import invalid, not_found, required
from touchbase_emulator.state import Calendar, Json, User
from touchbase_emulator.wire import ApiRequest, ApiResponse, Handler, Principal, new_id, parse_body

if TYPE_CHECKING:
    from touchbase_emulator.calendar_api import CalendarApi

# What a user sets on their own list entry (calendarList.update/patch).
ENTRY_FIELDS = (
    "colorId",
    "backgroundColor",
    "foregroundColor",
    "hidden",
    "selected",
    "summaryOverride",
    "defaultReminders",
    "notificationSettings",
)
RGB = re.compile(r"^#[0-9a-fA-F]{6}$")


def etag_of(resource: Json) -> str:
    """A quoted etag that changes whenever the resource does."""
    digest = hashlib.sha256(json.dumps(resource, sort_keys=True).encode()).hexdigest()
    return f'"{int(digest[:12], 16)}"'


def calendar_json(calendar: Calendar) -> Json:
    """The calendar#calendar resource."""
    out: Json = {
        "kind": "calendar#calendar",
        "etag": f'"{calendar.etag_seq}"',
        "id": calendar.id,
        "summary": calendar.summary,
        "description": calendar.description,
        "timeZone": calendar.time_zone,
        "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
    }
    if calendar.location:
        out["location"] = calendar.location
    if calendar.id != calendar.owner:
        out["dataOwner"] = calendar.owner
    return out


def list_entry(calendar: Calendar, user: User, role: str) -> Json:
    """The calendar#calendarListEntry resource: the calendar as `user` sees and set it."""
    position = user.calendar_ids.index(calendar.id) if calendar.id in user.calendar_ids else 0
    color_id = str((13 + position) % len(CALENDAR_BACKGROUNDS) + 1)
    entry: Json = {
        **calendar_json(calendar),
        "kind": "calendar#calendarListEntry",
        "accessRole": role,
        "colorId": color_id,
        **_colors(color_id),
        "selected": True,
        "defaultReminders": [],
    }
    entry.pop("etag")
    entry.pop("dataOwner", None)
    entry.update(user.list_entries.get(calendar.id, {}))
    if calendar.id == user.email:
        entry["primary"] = True
    entry["etag"] = etag_of(entry)
    return entry


def _user(api: CalendarApi, principal: Principal) -> User:
    return api.state.ensure_user(principal.email)


def _listed(api: CalendarApi, principal: Principal, calendar_id: str) -> tuple[Calendar, User]:
    """A calendar on the caller's list; 404 otherwise."""
    user = _user(api, principal)
    calendar = api.calendar(principal, calendar_id, "freeBusyReader")
    if calendar.id not in user.calendar_ids:
        raise not_found()
    return calendar, user


def _colors(color_id: str) -> Json:
    palette = CALENDAR_COLORS[color_id]
    return {"backgroundColor": palette["background"], "foregroundColor": palette["foreground"]}


def _nearest_color(rgb: str) -> str:
    def distance(other: str) -> int:
        return sum((int(rgb[i : i + 2], 16) - int(other[i : i + 2], 16)) ** 2 for i in (1, 3, 5))

    return min(CALENDAR_COLORS, key=lambda key: distance(CALENDAR_COLORS[key]["background"]))


def _check_entry_types(fields: Json) -> None:
    """400 naming the field for a value of the wrong type (null clears a field)."""
    kinds: dict[str, type] = {
        "hidden": bool,
        "selected": bool,
        "colorId": str,
        "backgroundColor": str,
        "foregroundColor": str,
        "summaryOverride": str,
        "defaultReminders": list,
        "notificationSettings": dict,
    }
    for key, kind in kinds.items():
        if fields.get(key) is not None and not isinstance(fields[key], kind):
            raise invalid(f"Invalid value for {key}.", location=key)
    for index, reminder in enumerate(fields.get("defaultReminders") or []):
        minutes = reminder.get("minutes") if isinstance(reminder, dict) else None
        if (
            not isinstance(reminder, dict)
            or reminder.get("method") not in ("email", "popup")
            or not isinstance(minutes, int)
            or not 0 <= minutes <= 40320
        ):
            raise invalid("Invalid reminder.", location=f"defaultReminders[{index}]")


def _entry_fields(request: ApiRequest, body: Json) -> Json:
    """The list-entry fields of a body, checked; colours as Google derives them: RGB only
    with colorRgbFormat=true (and the nearest colorId chosen), else from the colorId."""
    out = {k: body[k] for k in ENTRY_FIELDS if k in body}
    _check_entry_types(out)
    rgb = request.param("colorRgbFormat") == "true" and out.get("backgroundColor") is not None
    if rgb:
        out.setdefault("foregroundColor", FOREGROUND)
        for key in ("backgroundColor", "foregroundColor"):
            if not RGB.match(out[key] or ""):
                raise invalid(f"Invalid value for {key}.", location=key)
        out["colorId"] = _nearest_color(out["backgroundColor"])
        return out
    out.pop("backgroundColor", None)
    out.pop("foregroundColor", None)
    if out.get("colorId") is not None:
        if out["colorId"] not in CALENDAR_COLORS:
            raise invalid(f"Invalid color id: {out['colorId']!r}", location="colorId")
        out.update(_colors(out["colorId"]))
    return out


# ---- calendarList ---------------------------------------------------------------------------


def calendar_list(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """calendarList.list: minAccessRole and showHidden honoured."""
    user = _user(api, principal)
    least = request.param("minAccessRole") or "freeBusyReader"
    if least not in sharing.ROLES:
        raise invalid(f"Invalid minAccessRole: {least!r}", location="minAccessRole")
    items = []
    for calendar_id in user.calendar_ids:
        calendar = api.state.calendars.get(calendar_id)
        role = sharing.role_of(calendar, user.email) if calendar else "none"
        if calendar is None or sharing.rank(role) < max(sharing.rank(least), 1):
            continue
        entry = list_entry(calendar, user, role)
        if entry.get("hidden") and request.param("showHidden") != "true":
            continue
        items.append(entry)
    body: Json = {
        "kind": "calendar#calendarList",
        "etag": etag_of({"items": items}),
        "nextSyncToken": listing.encode_token({"l": len(items)}),
        "items": items,
    }
    return ApiResponse(200, body)


def calendar_list_get(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """calendarList.get"""
    calendar, user = _listed(api, principal, args[0])
    return ApiResponse(200, list_entry(calendar, user, sharing.role_of(calendar, user.email)))


def calendar_list_insert(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """calendarList.insert: put an existing calendar the caller may see on their list."""
    body = parse_body(request)
    if not isinstance(body.get("id"), str) or not body["id"]:
        raise required("Missing calendar id.", location="id")
    calendar = api.calendar(principal, body["id"], "freeBusyReader")
    user = _user(api, principal)
    if calendar.id not in user.calendar_ids:
        user.calendar_ids.append(calendar.id)
    user.list_entries[calendar.id] = {
        **user.list_entries.get(calendar.id, {}),
        **_entry_fields(request, body),
    }
    api.notify("calendarList", user.email)
    return ApiResponse(200, list_entry(calendar, user, sharing.role_of(calendar, user.email)))


def calendar_list_write(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """calendarList.update (PUT: fields not sent go back to their defaults) and .patch."""
    calendar, user = _listed(api, principal, args[0])
    fields = _entry_fields(request, parse_body(request))
    if request.method == "PATCH":
        fields = {**user.list_entries.get(calendar.id, {}), **fields}
    user.list_entries[calendar.id] = {k: v for k, v in fields.items() if v is not None}
    api.notify("calendarList", user.email)
    return ApiResponse(200, list_entry(calendar, user, sharing.role_of(calendar, user.email)))


def calendar_list_delete(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """calendarList.delete: the calendar leaves the caller's list (it is not deleted)."""
    calendar, user = _listed(api, principal, args[0])
    if calendar.id == user.email:
        raise invalid(
            "The primary calendar cannot be removed from the list.", location="calendarId"
        )
    user.calendar_ids.remove(calendar.id)
    user.list_entries.pop(calendar.id, None)
    api.notify("calendarList", user.email)
    return ApiResponse(204)


# ---- calendars ------------------------------------------------------------------------------


def calendars_get(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """calendars.get"""
    return ApiResponse(200, calendar_json(api.calendar(principal, args[0], "freeBusyReader")))


def calendars_insert(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """calendars.insert: a secondary calendar of the caller, put on their list."""
    body = parse_body(request)
    user = _user(api, principal)
    calendar = Calendar(
        id=f"{new_id()}@group.calendar.google.com",
        owner=principal.email,
        summary="",
        time_zone=api.state.calendars[principal.email].time_zone,
    )
    _apply(calendar, body, replace=True)
    api.state.calendars[calendar.id] = calendar
    user.calendar_ids.append(calendar.id)
    api.notify("calendarList", user.email)
    return ApiResponse(200, calendar_json(calendar))


def _apply(calendar: Calendar, body: Json, *, replace: bool) -> None:
    """Write a calendar body onto `calendar` (PUT and insert: description and location not
    sent are cleared; PATCH: only fields sent change)."""
    summary = body.get("summary", None if replace else calendar.summary)
    if not isinstance(summary, str) or not summary:
        raise required("Missing summary.", location="summary")
    for key in ("description", "location", "timeZone"):
        if key in body and not isinstance(body[key], str):
            raise invalid(f"Invalid value for {key}: expected a string.", location=key)
    tz_name = body.get("timeZone") or calendar.time_zone
    zone(tz_name, location="timeZone")
    calendar.summary, calendar.time_zone = summary, tz_name
    default = "" if replace else None
    description, location = body.get("description", default), body.get("location", default)
    calendar.description = calendar.description if description is None else description
    calendar.location = calendar.location if location is None else location
    calendar.etag_seq += 1


def calendars_write(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """calendars.update (PUT) and calendars.patch: the owner changes its title, zone..."""
    calendar = api.calendar(principal, args[0], "owner")
    zone_before = calendar.time_zone
    _apply(calendar, parse_body(request), replace=request.method == "PUT")
    _lists_changed(api, calendar.id)
    if calendar.id == calendar.owner and calendar.time_zone != zone_before:
        api.notify("settings", calendar.owner)  # the user's time zone is their primary's
    return ApiResponse(200, calendar_json(calendar))


def _lists_changed(api: CalendarApi, calendar_id: str) -> None:
    for user in api.state.users.values():
        if calendar_id in user.calendar_ids:
            api.notify("calendarList", user.email)


def calendars_delete(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """calendars.delete: a secondary calendar goes, with its events, from every list."""
    calendar = api.calendar(principal, args[0], "owner")
    if calendar.id == calendar.owner:
        raise invalid(
            "The primary calendar cannot be deleted; calendars.clear empties it.",
            location="calendarId",
        )
    _lists_changed(api, calendar.id)
    del api.state.calendars[calendar.id]
    for user in api.state.users.values():
        if calendar.id in user.calendar_ids:
            user.calendar_ids.remove(calendar.id)
        user.list_entries.pop(calendar.id, None)
    for channel in list(api.state.channels.values()):
        if channel.calendar_id == calendar.id:
            del api.state.channels[channel.id]
    return ApiResponse(204)


def calendars_clear(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """calendars.clear: every event of the calendar is deleted (synced clients see them go)."""
    calendar = api.calendar(principal, args[0], "owner")
    for stored in list(calendar.events.values()):
        if stored.data.get("status") != "cancelled":
            api.cancel(calendar, stored.data)
    return ApiResponse(204)


HANDLERS: dict[str, Handler] = {
    "calendar.calendarList.list": calendar_list,
    "calendar.calendarList.get": calendar_list_get,
    "calendar.calendarList.insert": calendar_list_insert,
    "calendar.calendarList.update": calendar_list_write,
    "calendar.calendarList.patch": calendar_list_write,
    "calendar.calendarList.delete": calendar_list_delete,
    "calendar.calendars.get": calendars_get,
    "calendar.calendars.insert": calendars_insert,
    "calendar.calendars.update": calendars_write,
    "calendar.calendars.patch": calendars_write,
    "calendar.calendars.delete": calendars_delete,
    "calendar.calendars.clear": calendars_clear,
}
