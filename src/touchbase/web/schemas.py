"""Request bodies of the API (the seed's camelCase fields), and their conversion to the domain.

A rejected request writes nothing: everything is checked before any use case runs.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from touchbase.domain import Attendee, CalendarEvent, EventTime
from touchbase.domain.events import own_answer, with_answers, with_own_answer
from touchbase.domain.sanitize import clean_description, clean_line, without_nul
from touchbase.domain.validation import (
    MAX_ATTENDEES,
    MAX_DESCRIPTION,
    MAX_LOCATION,
    MAX_TITLE,
    in_supported_range,
    is_valid_time_zone,
)
from touchbase.errors import InvalidEventError

MAX_ID = 64


class RequestBody(BaseModel):
    """A request body: NUL characters are taken out of every string in it (`without_nul`), as
    out of Google's answers (PostgreSQL cannot store one); each field cleans what else it must."""

    @model_validator(mode="before")
    @classmethod
    def _without_nul(cls, data: Any) -> Any:
        return without_nul(data)


class _Strict(RequestBody):
    model_config = ConfigDict(extra="forbid", str_max_length=20_000)


def _only_null(value: object) -> None:
    if value is not None:
        raise ValueError("null only: null takes the video call off; addMeet asks for a Meet")


class EventFields(_Strict):
    """Fields of an event as the API takes them; all optional (a PATCH)."""

    title: str | None = Field(default=None, max_length=MAX_TITLE * 2)
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION * 2)
    location: str | None = Field(default=None, max_length=MAX_LOCATION * 2)
    startTime: datetime | date | None = None
    endTime: datetime | date | None = None
    allDay: bool | None = None
    timeZone: str | None = Field(default=None, max_length=64)
    attendees: list[str] | None = Field(default=None, max_length=MAX_ATTENDEES)
    contactId: str | None = Field(default=None, max_length=MAX_ID)
    recurrence: list[str] | None = Field(default=None, max_length=20)
    # Ask Google for a Meet (its link comes back as `conference`); nothing when it has one.
    addMeet: bool | None = None
    # null takes the event's video call off (or a Meet asked for that Google has not made).
    conference: Annotated[None, BeforeValidator(_only_null)] = None


class EventCreate(EventFields):
    """POST /api/calendar/events."""

    title: str = Field(max_length=MAX_TITLE * 2)
    startTime: datetime | date
    endTime: datetime | date
    isTouchpointEvent: bool = False
    calendarId: str | None = Field(default=None, max_length=MAX_ID)


class EventUpdate(EventFields):
    """PATCH /api/calendar/events/{id}: the fields to change, and the etag last seen."""

    etag: str | None = Field(default=None, max_length=200)
    # The user's answer to an invitation (an event someone else organizes).
    myResponse: Literal["accepted", "tentative", "declined"] | None = None


class ConflictResolution(_Strict):
    """POST /api/calendar/events/{id}/conflict."""

    resolution: Literal["keep_local", "keep_remote", "merge", "recreate", "discard"]
    fields: dict[str, Literal["local", "remote"]] = Field(default_factory=dict)
    values: EventFields | None = None


def _zone(name: str | None) -> str | None:
    if name is not None and not is_valid_time_zone(name):
        raise InvalidEventError(f"Unknown time zone {name!r}.", field="timeZone")
    return name


def _time(value: datetime | date, *, all_day: bool, zone: str | None, field: str) -> EventTime:
    if all_day:
        return EventTime.all_day(value.date() if isinstance(value, datetime) else value)
    if not isinstance(value, datetime):
        raise InvalidEventError("Give a date and time, or set allDay.", field=field)
    if value.tzinfo is None:
        if zone is None:
            raise InvalidEventError("Give a UTC offset or a timeZone.", field=field)
        value = value.replace(tzinfo=ZoneInfo(zone))
    return EventTime.at(value, zone)


def _attendees(emails: list[str]) -> tuple[Attendee, ...]:
    seen: dict[str, Attendee] = {}
    for email in emails:
        address = clean_line(email).lower()
        seen.setdefault(address, Attendee(address))
    return tuple(seen.values())


def _text_changes(fields: EventFields) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if fields.title is not None:
        changes["title"] = clean_line(fields.title)
        if not changes["title"]:
            raise InvalidEventError("A title is required.", field="title")
    if fields.description is not None:
        changes["description"] = clean_description(fields.description)
    if fields.location is not None:
        changes["location"] = clean_line(fields.location)
    if fields.attendees is not None:
        changes["attendees"] = _attendees(fields.attendees)
    if fields.contactId is not None:
        changes["contact_id"] = clean_line(fields.contactId) or None
    if fields.recurrence is not None:
        changes["recurrence"] = tuple(clean_line(r) for r in fields.recurrence)
    return changes


def _call_changes(fields: EventFields, current: CalendarEvent | None) -> dict[str, Any]:
    """The video call taken off (`conference: null`: the call, and any Meet asked for), then a
    Meet asked for: a new request's id (Google makes one Meet per id, so the push can send it
    again safely); nothing when the event has a video call or one is asked for. Both: the
    call is replaced by a new Meet."""
    changes: dict[str, Any] = {}
    if "conference" in fields.model_fields_set and current is not None:
        changes = {"conference": None, "conference_request": None}
        current = current.replace(**changes)
    if not fields.addMeet or (current and (current.conference or current.conference_request)):
        return changes
    return changes | {"conference_request": uuid.uuid4().hex}


def changes_for(fields: EventFields, current: CalendarEvent) -> dict[str, Any]:
    """Domain changes a PATCH asks for, on top of `current` (its guests' answers kept)."""
    changes = _text_changes(fields) | _call_changes(fields, current)
    if "attendees" in changes:
        changes["attendees"] = with_answers(changes["attendees"], current.attendees)
    answer = fields.myResponse if isinstance(fields, EventUpdate) else None
    if answer is not None:
        guests = changes.get("attendees", current.attendees)
        changes["attendees"] = _answered(guests, current, answer)
    zone = _zone(fields.timeZone) if fields.timeZone is not None else current.start.time_zone
    all_day = fields.allDay if fields.allDay is not None else current.start.is_all_day
    times = (fields.startTime, fields.endTime, fields.allDay, fields.timeZone)
    if any(t is not None for t in times):
        start = fields.startTime or _current(current.start, zone)
        end = fields.endTime or _current(current.end, zone)
        changes["start"] = _time(start, all_day=all_day, zone=zone, field="startTime")
        changes["end"] = _time(end, all_day=all_day, zone=zone, field="endTime")
    return changes


def _answered(
    guests: tuple[Attendee, ...], current: CalendarEvent, answer: str
) -> tuple[Attendee, ...]:
    """The guest list with the user's own answer to an invitation given."""
    if current.organizer_self:
        raise InvalidEventError("You organize this event: guests answer it.", field="myResponse")
    if own_answer(guests) is None:
        raise InvalidEventError("You are not among this event's guests.", field="myResponse")
    return with_own_answer(guests, answer)


def _current(value: EventTime, zone: str | None) -> datetime | date:
    if value.date is not None:
        return value.date
    assert value.date_time is not None
    return value.date_time.astimezone(ZoneInfo(zone)) if zone else value.date_time


def new_event(body: EventCreate) -> CalendarEvent:
    """The domain event a create asks for."""
    zone = _zone(body.timeZone)
    all_day = bool(body.allDay)
    changes = _text_changes(body) | _call_changes(body, None)
    return CalendarEvent(
        title=changes.pop("title"),
        start=_time(body.startTime, all_day=all_day, zone=zone, field="startTime"),
        end=_time(body.endTime, all_day=all_day, zone=zone, field="endTime"),
    ).replace(**changes)


def _text_only(value: object) -> object:
    """A date or a time in JSON is a string (never a number of seconds)."""
    if not isinstance(value, str):
        raise ValueError("an ISO 8601 string")
    return value


def _supported_day(value: date) -> date:
    if not 1 < value.year < 9999:
        raise ValueError("a date between the years 2 and 9998")
    return value


def _aware_supported(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a time with its UTC offset")
    if not in_supported_range(value):
        raise ValueError("a time between the years 2 and 9998")
    return value


# A day (YYYY-MM-DD) and an instant with its offset, as request bodies take them.
IsoDate = Annotated[date, BeforeValidator(_text_only), AfterValidator(_supported_day)]
IsoInstant = Annotated[datetime, BeforeValidator(_text_only), AfterValidator(_aware_supported)]
