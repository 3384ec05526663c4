"""Event resources: validation, Google's patch/update semantics, and server-set fields."""

from __future__ import annotations

import base64
import copy
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from touchbase_emulator import extras, recurrence
from touchbase_emulator.clock import (
    format_local,
    format_rfc3339,
    parse_date,
    parse_datetime,
    zone,
)
from touchbase_emulator.colors import EVENT_COLORS
from touchbase_emulator.errors import ApiError, invalid, required
from touchbase_emulator.state import Calendar, Json

EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
STRING_FIELDS = ("summary", "description", "location", "colorId", "eventLabelId", "iCalUID")
BOOL_FIELDS = (
    "guestsCanModify",
    "guestsCanInviteOthers",
    "guestsCanSeeOtherGuests",
    "anyoneCanAddSelf",
    "endTimeUnspecified",
    "attendeesOmitted",
    "privateCopy",
)
OBJECT_FIELDS = (
    "source",
    "gadget",
    "focusTimeProperties",
    "outOfOfficeProperties",
    "workingLocationProperties",
    "birthdayProperties",
)
WRITABLE = frozenset(
    {
        *STRING_FIELDS,
        *BOOL_FIELDS,
        *OBJECT_FIELDS,
        # Kept only when the request opts in (extras.settle).
        "conferenceData",
        "attachments",
        "sequence",
        "start",
        "end",
        "recurrence",
        "attendees",
        "extendedProperties",
        "reminders",
        "status",
        "transparency",
        "visibility",
        "eventType",
        "originalStartTime",
    }
)
ENUMS = {
    "status": {"confirmed", "tentative", "cancelled"},
    "transparency": {"opaque", "transparent"},
    "visibility": {"default", "public", "private", "confidential"},
    "eventType": {
        "default",
        "outOfOffice",
        "focusTime",
        "workingLocation",
        "birthday",
        "fromGmail",
    },
}
RESPONSE_STATUSES = {"needsAction", "declined", "tentative", "accepted"}
REMINDER_METHODS = {"email", "popup"}
# Changes to these fields make Google bump `sequence` (iCalendar's "significant" changes).
SEQUENCED = ("start", "end", "recurrence", "location")
MAX_PROPERTY_KEY = 44
MAX_PROPERTY_VALUE = 1024


@dataclass(frozen=True)
class When:
    """A parsed `start`/`end`: naive midnight for a date, aware datetime otherwise."""

    moment: datetime
    all_day: bool
    time_zone: str | None


def check_event_id(event_id: object) -> str:
    """A client-chosen id: base32hex (a-v, 0-9), 5 to 1024 characters."""
    if not isinstance(event_id, str) or not EVENT_ID.match(event_id):
        raise invalid("Invalid resource id value.", location="id")
    return event_id


def parse_when(value: object, *, location: str) -> When:
    """Parse an EventDateTime object."""
    if not isinstance(value, dict):
        raise required(f"Missing {location} time.", location=location)
    tz_name = value.get("timeZone")
    if tz_name is not None and not isinstance(tz_name, str):
        raise invalid("Invalid time zone.", location=f"{location}.timeZone")
    tz = zone(tz_name, location=f"{location}.timeZone") if tz_name else None
    has_date, has_dt = value.get("date") is not None, value.get("dateTime") is not None
    if has_date and has_dt:
        raise invalid(f"{location}: give either date or dateTime.", location=location)
    if has_date:
        day = parse_date(value["date"], location=f"{location}.date")
        return When(datetime.combine(day, time()), True, tz_name)
    if not has_dt:
        raise required(f"Missing {location} time.", location=location)
    moment = parse_datetime(
        value["dateTime"], location=f"{location}.dateTime", allow_naive=tz is not None
    )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return When(moment, False, tz_name)


def when_json(when: When, calendar_zone: ZoneInfo) -> Json:
    """The canonical wire form of a parsed time (dateTime in its zone, with offset)."""
    if when.all_day:
        out: Json = {"date": when.moment.date().isoformat()}
    else:
        target = ZoneInfo(when.time_zone) if when.time_zone else calendar_zone
        local = when.moment.astimezone(target)
        text = format_local(local)
        out = {"dateTime": text[:-6] + "Z" if text.endswith("+00:00") else text}
    if when.time_zone:
        out["timeZone"] = when.time_zone
    return out


def instant(when: When, date_zone: ZoneInfo) -> datetime:
    """An aware instant for filtering and sorting; dates start at midnight in `date_zone`."""
    return when.moment.replace(tzinfo=date_zone) if when.all_day else when.moment


def event_bounds(data: Json, date_zone: ZoneInfo) -> tuple[datetime, datetime]:
    """(start, end) instants of a stored, valid event."""
    start = parse_when(data["start"], location="start")
    end = parse_when(data["end"], location="end")
    return instant(start, date_zone), instant(end, date_zone)


def series_time(data: Json) -> recurrence.SeriesTime:
    """How a stored recurring event repeats."""
    start = parse_when(data["start"], location="start")
    end = parse_when(data["end"], location="end")
    tz = ZoneInfo(start.time_zone) if start.time_zone else None
    moment = start.moment if start.all_day or tz is None else start.moment.astimezone(tz)
    return recurrence.SeriesTime(moment, end.moment - start.moment, start.all_day, tz)


def _one_of(value: object, allowed: set[str]) -> bool:
    return isinstance(value, str) and value in allowed


def _check_enums(data: Json) -> None:
    for key, allowed in ENUMS.items():
        if key in data and not _one_of(data[key], allowed):
            raise invalid(f"Invalid value for {key}: {data[key]!r}", location=key)


def _check_scalars(data: Json) -> None:
    for key in STRING_FIELDS:
        if key in data and not isinstance(data[key], str):
            raise invalid(f"Invalid value for {key}: expected a string.", location=key)
    for key in BOOL_FIELDS:
        if key in data and not isinstance(data[key], bool):
            raise invalid(f"Invalid value for {key}: expected a boolean.", location=key)
    for key in OBJECT_FIELDS:
        if key in data and not isinstance(data[key], dict):
            raise invalid(f"Invalid value for {key}: expected an object.", location=key)
    if "colorId" in data and data["colorId"] not in EVENT_COLORS:
        raise invalid(f"Invalid color id: {data['colorId']!r}", location="colorId")
    sequence = data.get("sequence", 0)
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 0:
        raise invalid("Invalid value for sequence.", location="sequence")


def _normalise_attendees(value: object, calendar_id: str) -> list[Json]:
    """Checked attendees; `self` (read-only) marks the entry of the calendar this copy of the
    event is on, as Google sets it."""
    if not isinstance(value, list):
        raise invalid("attendees must be a list.", location="attendees")
    out: list[Json] = []
    for index, raw in enumerate(value):
        where = f"attendees[{index}]"
        if not isinstance(raw, dict):
            raise invalid("Invalid attendee.", location=where)
        email = raw.get("email")
        if not email:
            raise required("Missing attendee email.", location=f"{where}.email")
        if not isinstance(email, str) or not EMAIL.match(email):
            raise invalid(f"Invalid attendee email: {email!r}", location=f"{where}.email")
        attendee = {k: v for k, v in raw.items() if v is not None and k != "self"}
        if email.lower() == calendar_id.lower():
            attendee["self"] = True
        attendee.setdefault("responseStatus", "needsAction")
        if not _one_of(attendee["responseStatus"], RESPONSE_STATUSES):
            raise invalid("Invalid responseStatus.", location=f"{where}.responseStatus")
        out.append(attendee)
    return out


def _normalise_properties(value: object) -> Json:
    if not isinstance(value, dict):
        raise invalid("extendedProperties must be an object.", location="extendedProperties")
    out: Json = {}
    for scope in ("private", "shared"):
        props = value.get(scope)
        if props is None:
            continue
        if not isinstance(props, dict):
            raise invalid("Invalid extended properties.", location=f"extendedProperties.{scope}")
        kept: dict[str, str] = {}
        for key, val in props.items():
            if not isinstance(val, str):
                raise invalid(
                    "Extended property values must be strings.",
                    location=f"extendedProperties.{scope}.{key}",
                )
            if len(key) <= MAX_PROPERTY_KEY:
                kept[key] = val[:MAX_PROPERTY_VALUE]
        out[scope] = kept
    return out


def _normalise_reminders(value: object) -> Json:
    if not isinstance(value, dict) or not isinstance(value.get("useDefault", False), bool):
        raise invalid("Invalid reminders.", location="reminders")
    overrides = value.get("overrides") or []
    if not isinstance(overrides, list):
        raise invalid("Invalid reminder overrides.", location="reminders.overrides")
    for index, item in enumerate(overrides):
        minutes = item.get("minutes") if isinstance(item, dict) else None
        if (
            not isinstance(item, dict)
            or not _one_of(item.get("method"), REMINDER_METHODS)
            or not isinstance(minutes, int)
            or not 0 <= minutes <= 40320
        ):
            raise invalid("Invalid reminder.", location=f"reminders.overrides[{index}]")
    out: Json = {"useDefault": bool(value.get("useDefault", False))}
    if overrides:
        out["overrides"] = overrides
    return out


def normalise(data: Json, calendar: Calendar) -> Json:
    """Validate an event's writable fields and return them in canonical form."""
    out = {k: v for k, v in data.items() if k in WRITABLE and v is not None}
    _check_scalars(out)
    _check_enums(out)
    start = parse_when(out.get("start"), location="start")
    end = parse_when(out.get("end"), location="end")
    if start.all_day != end.all_day:
        raise invalid("start and end must both be dates or both date-times.", location="end")
    if end.moment < start.moment or (start.all_day and end.moment == start.moment):
        raise ApiError(400, "timeRangeEmpty", "The specified time range is empty.", location="end")
    cal_zone = ZoneInfo(calendar.time_zone)
    out["start"], out["end"] = when_json(start, cal_zone), when_json(end, cal_zone)
    if "recurrence" in out:
        lines = out["recurrence"]
        if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
            raise invalid("recurrence must be a list of strings.", location="recurrence")
        if lines and not start.all_day and not (start.time_zone and end.time_zone):
            raise required(
                "Missing time zone definition for start time.", location="start.timeZone"
            )
        if lines:
            recurrence.validate(lines, series_time(out))
        else:
            del out["recurrence"]
    if "attendees" in out:
        out["attendees"] = _normalise_attendees(out["attendees"], calendar.id)
    if "extendedProperties" in out:
        out["extendedProperties"] = _normalise_properties(out["extendedProperties"])
    out["reminders"] = _normalise_reminders(out.get("reminders", {"useDefault": True}))
    if "originalStartTime" in out:
        original = parse_when(out["originalStartTime"], location="originalStartTime")
        out["originalStartTime"] = when_json(original, cal_zone)
    out.setdefault("status", "confirmed")
    out.setdefault("eventType", "default")
    return out


def merge_patch(current: Json, patch: Json) -> Json:
    """Google's patch: sent fields replace, null removes, extendedProperties merge by key."""
    out = copy.deepcopy(current)
    for key, value in patch.items():
        if key not in WRITABLE:
            continue
        if value is None:
            out.pop(key, None)
        elif key == "extendedProperties" and isinstance(value, dict):
            merged = out.setdefault("extendedProperties", {})
            for scope, props in value.items():
                if props is None:
                    merged.pop(scope, None)
                    continue
                if not isinstance(props, dict):
                    raise invalid(
                        "Invalid extended properties.", location=f"extendedProperties.{scope}"
                    )
                target = merged.setdefault(scope, {})
                for prop_key, prop_value in props.items():
                    if prop_value is None:
                        target.pop(prop_key, None)
                    else:
                        target[prop_key] = prop_value
        else:
            out[key] = copy.deepcopy(value)
    return out


def replace_with(current: Json, body: Json) -> Json:
    """Google's update (PUT): writable fields not sent are cleared."""
    out = {k: copy.deepcopy(v) for k, v in body.items() if k in WRITABLE}
    for key in ("recurringEventId", "originalStartTime"):
        if key in current:
            out[key] = current[key]
    return out


def html_link(event_id: str, calendar_id: str) -> str:
    """A Google-shaped link to the event."""
    eid = base64.urlsafe_b64encode(f"{event_id} {calendar_id}".encode()).decode().rstrip("=")
    return f"https://www.google.com/calendar/event?eid={eid}"


def organizer_of(calendar: Calendar) -> Json:
    """Who organizes a new event of `calendar`: its owner for a primary calendar, the
    calendar itself (with its title) for a secondary one, as at Google."""
    if calendar.id == calendar.owner:
        return {"email": calendar.owner, "self": True}
    return {"email": calendar.id, "displayName": calendar.summary, "self": True}


# What every guest's copy of an event shares, which only its organizer may set.
SHARED_PROPERTIES = ("guestsCanModify", "guestsCanInviteOthers", "guestsCanSeeOtherGuests")


def imported_organizer(organizer: Json, calendar: Calendar) -> Json:
    """Who organizes an imported event, as given, `self` where it is this calendar."""
    kept = {k: v for k, v in organizer.items() if k in ("email", "displayName", "id")}
    if kept.get("email") == calendar.id:
        kept["self"] = True
    return kept


def check_organizer(current: Json, changed: Json) -> None:
    """A guest's copy (its organizer is not this calendar) cannot change what every copy
    shares: Google's 403 forbiddenForNonOrganizer."""
    if (current.get("organizer") or {}).get("self"):
        return
    if any(current.get(key) != changed.get(key) for key in SHARED_PROPERTIES):
        raise ApiError(
            403,
            "forbiddenForNonOrganizer",
            "Shared properties can only be changed by the organizer of the event.",
            domain="calendar",
        )


def stamp(
    fields: Json,
    *,
    event_id: str,
    calendar: Calendar,
    previous: Json | None,
    seq: int,
    now: datetime,
) -> Json:
    """The full resource: validated fields plus what the server sets on every write."""
    owner = {"email": calendar.owner, "self": True}
    fields = dict(fields)
    asked_sequence, asked_uid = fields.pop("sequence", 0), fields.pop("iCalUID", None)
    sequence = 0
    if previous is not None:
        sequence = int(previous.get("sequence", 0))
        if any(previous.get(k) != fields.get(k) for k in SEQUENCED):
            sequence += 1
    sequence = max(sequence, asked_sequence)  # a client may set it higher, never lower
    micros = int(now.timestamp() * 1_000_000)
    resource: Json = {
        "kind": "calendar#event",
        "etag": f'"{micros}{seq:d}"',
        "id": event_id,
        "htmlLink": html_link(event_id, calendar.id),
        "created": (previous or {}).get("created") or format_rfc3339(now),
        "updated": format_rfc3339(now),
        "creator": (previous or {}).get("creator", owner),
        "organizer": (previous or {}).get("organizer", organizer_of(calendar)),
        "iCalUID": (previous or {}).get("iCalUID") or asked_uid or f"{event_id}@google.com",
        "sequence": sequence,
        **fields,
    }
    link = extras.hangout_link(resource)
    if link:
        resource["hangoutLink"] = link
    if previous and "recurringEventId" in previous:
        resource["recurringEventId"] = previous["recurringEventId"]
    return resource


def updated_at(data: Json) -> datetime:
    """The `updated` instant of a stored event."""
    return datetime.fromisoformat(data["updated"]).astimezone(UTC)
