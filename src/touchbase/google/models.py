"""Typed models of the Calendar v3 resources, as they travel on the wire (camelCase JSON).

msgspec structs, decoded straight from response bytes: a page of 2,500 events decodes in a few
milliseconds, faster than `json.loads` into dicts. Fields touchbase does not use are ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

import msgspec


class WireModel(msgspec.Struct, rename="camel", omit_defaults=True):
    """Base of every wire model: camelCase names, unset fields left out."""

    def to_wire(self) -> dict[str, Any]:
        """The JSON object Google expects."""
        out = msgspec.to_builtins(self)
        assert isinstance(out, dict)
        return out


class EventDateTime(WireModel):
    """`start`, `end` or `originalStartTime`: a date, or a date-time with its zone."""

    date: dt.date | None = None
    date_time: dt.datetime | None = None
    time_zone: str | None = None


class EventAttendee(WireModel):
    """A guest."""

    email: str | None = None
    display_name: str | None = None
    response_status: str | None = None
    optional: bool | None = None
    organizer: bool | None = None
    is_self: bool | None = msgspec.field(default=None, name="self")


class EventPerson(WireModel):
    """Creator or organizer."""

    email: str | None = None
    display_name: str | None = None
    is_self: bool | None = msgspec.field(default=None, name="self")


class ExtendedProperties(WireModel):
    """String maps private to this app, or shared with every attendee's copy."""

    private: dict[str, str] | None = None
    shared: dict[str, str] | None = None


class EventResource(WireModel):
    """An event, a recurring series, or one instance (exception) of a series."""

    id: str
    etag: str | None = None
    status: str = "confirmed"
    summary: str | None = None
    description: str | None = None
    location: str | None = None
    html_link: str | None = None
    created: dt.datetime | None = None
    updated: dt.datetime | None = None
    start: EventDateTime | None = None
    end: EventDateTime | None = None
    recurrence: list[str] | None = None
    recurring_event_id: str | None = None
    original_start_time: EventDateTime | None = None
    ical_uid: str | None = msgspec.field(default=None, name="iCalUID")
    sequence: int | None = None
    attendees: list[EventAttendee] | None = None
    extended_properties: ExtendedProperties | None = None
    creator: EventPerson | None = None
    organizer: EventPerson | None = None

    @property
    def is_cancelled(self) -> bool:
        """Whether the event (or instance) was deleted."""
        return self.status == "cancelled"


class EventsPage(WireModel):
    """One page of events.list or events.instances."""

    items: list[EventResource] = msgspec.field(default_factory=list)
    next_page_token: str | None = None
    next_sync_token: str | None = None
    time_zone: str | None = None
    summary: str | None = None


class CalendarListEntry(WireModel):
    """One calendar in the user's calendar list."""

    id: str
    summary: str | None = None
    description: str | None = None
    time_zone: str | None = None
    access_role: str | None = None
    primary: bool = False
    selected: bool | None = None


class CalendarListPage(WireModel):
    """One page of calendarList.list."""

    items: list[CalendarListEntry] = msgspec.field(default_factory=list)
    next_page_token: str | None = None
    next_sync_token: str | None = None


class Channel(WireModel):
    """A push-notification channel."""

    id: str
    resource_id: str
    resource_uri: str | None = None
    token: str | None = None
    expiration: int | None = None  # milliseconds since the epoch (sent as a string)


M = TypeVar("M", bound=WireModel)
_DECODERS: dict[type[Any], msgspec.json.Decoder[Any]] = {}


def decode(model: type[M], content: bytes) -> M:
    """Decode a response body into `model`."""
    decoder = _DECODERS.get(model)
    if decoder is None:
        decoder = _DECODERS[model] = msgspec.json.Decoder(model, strict=False)
    result: M = decoder.decode(content)
    return result


def convert(model: type[M], data: Any) -> M:
    """Build `model` from already-parsed JSON."""
    return msgspec.convert(data, model, strict=False)
