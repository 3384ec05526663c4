"""How a domain event is kept in a JSON column."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from touchbase.domain import Attendee, CalendarEvent, EventStatus, EventTime


def _time(value: EventTime | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "date": value.date.isoformat() if value.date else None,
        "dateTime": value.date_time.isoformat() if value.date_time else None,
        "timeZone": value.time_zone,
    }


def _parse_time(raw: dict[str, Any] | None) -> EventTime | None:
    if raw is None:
        return None
    return EventTime(
        date=date.fromisoformat(raw["date"]) if raw.get("date") else None,
        date_time=datetime.fromisoformat(raw["dateTime"]) if raw.get("dateTime") else None,
        time_zone=raw.get("timeZone"),
    )


def event_to_json(event: CalendarEvent) -> dict[str, Any]:
    """A JSON-safe dict of every field of the event."""
    return {
        "title": event.title,
        "description": event.description,
        "location": event.location,
        "start": _time(event.start),
        "end": _time(event.end),
        "attendees": [
            {
                "email": a.email,
                "responseStatus": a.response_status,
                "displayName": a.display_name,
                "optional": a.optional,
            }
            for a in event.attendees
        ],
        "recurrence": list(event.recurrence),
        "status": event.status.value,
        "contactId": event.contact_id,
        "touchpointId": event.touchpoint_id,
        "id": event.id,
        "etag": event.etag,
        "updated": event.updated.isoformat() if event.updated else None,
        "sequence": event.sequence,
        "recurringEventId": event.recurring_event_id,
        "originalStart": _time(event.original_start),
        "iCalUID": event.ical_uid,
        "htmlLink": event.html_link,
    }


def event_from_json(raw: dict[str, Any]) -> CalendarEvent:
    """The event stored by `event_to_json`."""
    start, end = _parse_time(raw["start"]), _parse_time(raw["end"])
    assert start is not None
    assert end is not None
    return CalendarEvent(
        title=raw["title"],
        description=raw.get("description", ""),
        location=raw.get("location", ""),
        start=start,
        end=end,
        attendees=tuple(
            Attendee(
                a["email"],
                a.get("responseStatus", "needsAction"),
                a.get("displayName"),
                bool(a.get("optional")),
            )
            for a in raw.get("attendees", [])
        ),
        recurrence=tuple(raw.get("recurrence", [])),
        status=EventStatus(raw.get("status", "confirmed")),
        contact_id=raw.get("contactId"),
        touchpoint_id=raw.get("touchpointId"),
        id=raw.get("id"),
        etag=raw.get("etag"),
        updated=datetime.fromisoformat(raw["updated"]) if raw.get("updated") else None,
        sequence=raw.get("sequence", 0),
        recurring_event_id=raw.get("recurringEventId"),
        original_start=_parse_time(raw.get("originalStart")),
        ical_uid=raw.get("iCalUID"),
        html_link=raw.get("htmlLink"),
    )
