"""Typed models of the Calendar v3 resources, as they travel on the wire (camelCase JSON).

Unknown fields are kept, so a resource read from Google can be written back unchanged.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class WireModel(BaseModel):
    """Base of every wire model: camelCase aliases, unknown fields kept."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")

    def to_wire(self) -> dict[str, object]:
        """The JSON object Google expects (aliases, no unset fields)."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


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
    is_self: bool | None = Field(default=None, alias="self")


class EventPerson(WireModel):
    """Creator or organizer."""

    email: str | None = None
    display_name: str | None = None
    is_self: bool | None = Field(default=None, alias="self")


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
    ical_uid: str | None = Field(default=None, alias="iCalUID")
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

    items: list[EventResource] = Field(default_factory=list)
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

    items: list[CalendarListEntry] = Field(default_factory=list)
    next_page_token: str | None = None
    next_sync_token: str | None = None


class Channel(WireModel):
    """A push-notification channel."""

    id: str
    resource_id: str
    resource_uri: str | None = None
    token: str | None = None
    expiration: int | None = None  # milliseconds since the epoch
