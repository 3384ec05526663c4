"""Between Google's wire format and touchbase's provider-neutral domain event."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

from touchbase.domain import Attendee, CalendarEvent, EventStatus, EventTime
from touchbase.domain.events import Conference, answers_kept
from touchbase.domain.sanitize import clean_event, clean_join_link, clean_line
from touchbase.domain.validation import is_valid_time_zone
from touchbase.google.kept import attachments_body, attachments_of, settings_body, settings_of
from touchbase.google.models import EventAttendee, EventDateTime, EventResource

# The CRM link lives in the event's private extended properties (keys of at most 44 chars).
CONTACT_KEY = "touchbaseContactId"
TOUCHPOINT_KEY = "touchbaseTouchpointId"
_OWN_KEYS = frozenset({CONTACT_KEY, TOUCHPOINT_KEY})
_STATUSES = {s.value: s for s in EventStatus}
# A guest's comment and party as kept (Google's data is untrusted: its sizes are bounded).
MAX_COMMENT = 1024
MAX_ADDITIONAL_GUESTS = 1000
MAX_ORGANIZER = 320  # an address's longest
MAX_EVENT_TYPE = 40  # Google's longest is "workingLocation"
MAX_CONFERENCE_NAME = 80
_CONFERENCE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,200}$")


def time_to_domain(value: EventDateTime) -> EventTime:
    """A wire time as a domain time: a `dateTime` without an offset is read in its `timeZone`
    (Google's rule), and is unreadable without one, or with a zone that is not IANA's (as
    `localtime`, the zone of whichever machine reads it)."""
    if value.date is not None:
        return EventTime.all_day(value.date)
    if value.date_time is None:
        raise ValueError("an event time has neither date nor dateTime")
    if value.time_zone and not is_valid_time_zone(value.time_zone):
        raise ValueError(f"not an IANA time zone: {value.time_zone[:64]!r}")
    moment = value.date_time
    if moment.tzinfo is None:
        if not value.time_zone:
            raise ValueError("a dateTime without a UTC offset or a time zone")
        moment = moment.replace(tzinfo=ZoneInfo(value.time_zone))
    return EventTime.at(moment, value.time_zone)


def time_to_wire(value: EventTime) -> dict[str, Any]:
    """A domain time as Google's EventDateTime JSON."""
    if value.date is not None:
        out: dict[str, Any] = {"date": value.date.isoformat()}
    else:
        assert value.date_time is not None
        out = {"dateTime": value.date_time.isoformat()}
    if value.time_zone:
        out["timeZone"] = value.time_zone
    return out


def to_domain(resource: EventResource) -> CalendarEvent:
    """The domain event of a full resource (not of a bare cancelled tombstone)."""
    if resource.start is None or resource.end is None:
        raise ValueError(f"event {resource.id} has no start or end")
    private = (resource.extended_properties and resource.extended_properties.private) or {}
    organizer, organizer_self = _organizer(resource)
    event = CalendarEvent(
        id=resource.id,
        etag=resource.etag,
        title=resource.summary or "",
        description=resource.description or "",
        location=resource.location or "",
        start=time_to_domain(resource.start),
        end=time_to_domain(resource.end),
        attendees=tuple(
            Attendee(
                email=a.email,
                response_status=a.response_status or "needsAction",
                display_name=a.display_name,
                optional=bool(a.optional),
                is_self=bool(a.is_self),
                comment=a.comment[:MAX_COMMENT] if a.comment else None,
                additional_guests=min(max(a.additional_guests or 0, 0), MAX_ADDITIONAL_GUESTS),
            )
            for a in resource.attendees or ()
            if a.email
        ),
        recurrence=tuple(resource.recurrence or ()),
        status=_STATUSES.get(resource.status, EventStatus.CONFIRMED),
        transparent=resource.transparency == "transparent",
        contact_id=private.get(CONTACT_KEY),
        touchpoint_id=private.get(TOUCHPOINT_KEY),
        updated=resource.updated,
        sequence=resource.sequence or 0,
        recurring_event_id=resource.recurring_event_id,
        original_start=time_to_domain(resource.original_start_time)
        if resource.original_start_time
        else None,
        ical_uid=resource.ical_uid,
        html_link=resource.html_link,
        organizer=organizer,
        organizer_self=organizer_self,
        guests_can_modify=bool(resource.guests_can_modify),
        event_type=_event_type(resource.event_type),
        conference=_conference(resource),
        attachments=attachments_of(resource),
        settings=settings_of(resource, own_keys=_OWN_KEYS),
    )
    return clean_event(event)  # Google's data is untrusted input, as a request body is


def _event_type(value: str | None) -> str:
    """Google's event type, bounded: a word (a type not known here is kept, and left alone)."""
    return (_word(value) or "other") if value else "default"


def _conference(resource: EventResource) -> Conference | None:
    """The event's video call: its conference's first video link (a Meet, or one an add-on
    such as Zoom made), else its Meet link; only an https link is kept, and names bounded."""
    data = resource.conference_data
    if data is None and resource.hangout_link is None:
        return None  # most events: nothing to read
    solution = data.conference_solution if data else None
    name = clean_line((solution and solution.name) or "")[:MAX_CONFERENCE_NAME]
    kind = _word((solution and solution.key and solution.key.type) or "")
    name = name or ("Google Meet" if kind == "hangoutsMeet" else "")
    conference_id = (data and data.conference_id) or ""
    if not _CONFERENCE_ID.fullmatch(conference_id):
        conference_id = ""
    for point in (data and data.entry_points) or ():
        url = clean_join_link(point.uri) if point.entry_point_type == "video" else None
        if url:
            return Conference(url=url, name=name, solution=kind, conference_id=conference_id)
    url = clean_join_link(resource.hangout_link)
    return Conference(url=url, name="Google Meet") if url else None


def _conference_copy(conference: Conference) -> dict[str, Any]:
    """conferenceData that puts an existing Meet on a new event (the tail of a split series),
    as Google takes a conference copied from another event."""
    return {
        "conferenceId": conference.conference_id,
        "conferenceSolution": {"key": {"type": conference.solution}, "name": conference.name},
        "entryPoints": [{"entryPointType": "video", "uri": conference.url}],
    }


def _word(value: str) -> str:
    """A name Google gives a kind of thing ("birthday", "hangoutsMeet"), bounded; else ""."""
    return value[:MAX_EVENT_TYPE] if value.isascii() and value.isalpha() else ""


def _organizer(resource: EventResource) -> tuple[str | None, bool]:
    """Who organizes the event (bounded), and whether this calendar does: an event Google
    sends without an organizer counts as the calendar's own."""
    if resource.organizer is None:
        return None, True
    email = (resource.organizer.email or "")[:MAX_ORGANIZER]
    return email or None, bool(resource.organizer.is_self)


def _attendees_to_wire(attendees: tuple[Attendee, ...]) -> list[dict[str, Any]]:
    return [
        EventAttendee(
            email=a.email,
            display_name=a.display_name,
            response_status=a.response_status,
            optional=a.optional or None,
            comment=a.comment,
            additional_guests=a.additional_guests or None,
        ).to_wire()
        for a in attendees
    ]


def _crm_properties(event: CalendarEvent) -> dict[str, str]:
    props = {}
    if event.contact_id:
        props[CONTACT_KEY] = event.contact_id
    if event.touchpoint_id:
        props[TOUCHPOINT_KEY] = event.touchpoint_id
    return props


def _meet_request(event: CalendarEvent) -> dict[str, Any]:
    """conferenceData asking Google for a Meet (sent with conferenceDataVersion=1)."""
    return {
        "createRequest": {
            "requestId": event.conference_request,
            "conferenceSolutionKey": {"type": "hangoutsMeet"},
        }
    }


def event_body(event: CalendarEvent) -> dict[str, Any]:
    """The full JSON body for insert or update (PUT)."""
    body: dict[str, Any] = {
        "summary": event.title,
        "start": time_to_wire(event.start),
        "end": time_to_wire(event.end),
        "status": event.status.value,
    }
    if event.id:
        body["id"] = event.id
    if event.description:
        body["description"] = event.description
    if event.location:
        body["location"] = event.location
    if event.attendees:
        body["attendees"] = _attendees_to_wire(event.attendees)
    if event.recurrence:
        body["recurrence"] = list(event.recurrence)
    if event.transparent:
        body["transparency"] = "transparent"
    if event.guests_can_modify:
        body["guestsCanModify"] = True
    body |= settings_body(event.settings, event.event_type, _crm_properties(event))
    body |= attachments_body(event.attachments)
    if event.wants_conference:
        body["conferenceData"] = _meet_request(event)
    elif event.conference and event.conference.copyable_meet:
        body["conferenceData"] = _conference_copy(event.conference)
    return body


def patch_body(base: CalendarEvent, target: CalendarEvent) -> dict[str, Any]:
    """The PATCH body that turns `base` into `target`: changed fields only, null to remove."""
    body: dict[str, Any] = {}
    for attr, key in (
        ("title", "summary"),
        ("description", "description"),
        ("location", "location"),
    ):
        new = getattr(target, attr)
        if new != getattr(base, attr):
            body[key] = new if new else None
    if target.start != base.start or target.end != base.end:
        body["start"], body["end"] = time_to_wire(target.start), time_to_wire(target.end)
    if target.attendees != base.attendees:  # Google takes each answer sent as the guest's
        guests = base.attendees
        kept = answers_kept(target.attendees, google=guests, base=guests, local=target.attendees)
        body["attendees"] = _attendees_to_wire(kept)
    if target.recurrence != base.recurrence:
        body["recurrence"] = list(target.recurrence) or None
    if target.status != base.status:
        body["status"] = target.status.value
    if target.transparent != base.transparent:
        body["transparency"] = "transparent" if target.transparent else "opaque"
    props: dict[str, str | None] = {}
    for attr, key in (("contact_id", CONTACT_KEY), ("touchpoint_id", TOUCHPOINT_KEY)):
        if getattr(target, attr) != getattr(base, attr):
            props[key] = getattr(target, attr)
    if props:
        body["extendedProperties"] = {"private": props}
    if target.wants_conference:
        body["conferenceData"] = _meet_request(target)
    elif base.conference and not target.conference:  # the call taken off (null removes it)
        body["conferenceData"] = None
    return body
