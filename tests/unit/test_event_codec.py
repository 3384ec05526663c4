"""The stored form of an event (store/codec.py): rows written by earlier versions still read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from touchbase.domain import Attendee, CalendarEvent, EventStatus, EventTime
from touchbase.store.codec import event_from_json, event_to_json

# What the hand-written codec before msgspec stored (isoformat times, every key present).
STORED_BY_0_1 = {
    "title": "Intro call",
    "description": "Agenda",
    "location": "Room 4",
    "start": {"date": None, "dateTime": "2027-01-01T10:00:00+01:00", "timeZone": "Europe/Berlin"},
    "end": {"date": None, "dateTime": "2027-01-01T10:30:00+01:00", "timeZone": "Europe/Berlin"},
    "attendees": [
        {
            "email": "ada@example.com",
            "responseStatus": "accepted",
            "displayName": "Ada",
            "optional": False,
        }
    ],
    "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"],
    "status": "tentative",
    "contactId": "c-1",
    "touchpointId": None,
    "id": "abc123",
    "etag": '"1"',
    "updated": "2026-11-24T07:25:20.728000+00:00",
    "sequence": 2,
    "recurringEventId": None,
    "originalStart": None,
    "iCalUID": "abc123@google.com",
    "htmlLink": "https://www.google.com/calendar/event?eid=x",
}

# Keys events carry since that codec: Google's "show as free" (2026-12-05).
ADDED_SINCE = {
    "transparent",
    "organizer",
    "organizerSelf",
    "guestsCanModify",
    "eventType",
    "conference",
    "conferenceRequest",
    "attachments",
    "settings",
}


def test_reads_what_the_earlier_codec_stored() -> None:
    event = event_from_json(STORED_BY_0_1)
    berlin = timezone(timedelta(hours=1))
    assert event.start == EventTime.at(datetime(2027, 1, 1, 10, tzinfo=berlin), "Europe/Berlin")
    assert event.attendees == (Attendee("ada@example.com", "accepted", "Ada", False),)
    assert event.status is EventStatus.TENTATIVE
    assert (event.contact_id, event.sequence, event.ical_uid) == ("c-1", 2, "abc123@google.com")
    assert event.updated == datetime(2026, 11, 24, 7, 25, 20, 728000, tzinfo=UTC)
    # The same keys are written, and those added since (with defaults old rows read as).
    assert set(event_to_json(event)) == set(STORED_BY_0_1) | ADDED_SINCE
    assert not event.transparent
    assert (event.organizer, event.organizer_only) == (None, False)  # the user's own
    assert (event.event_type, event.kept_by_google) == ("default", False)
    assert event.conference is None  # read from Google again (migration 0030)


def test_round_trip_keeps_every_field() -> None:
    event = CalendarEvent(
        title="Offsite",
        start=EventTime.all_day(date(2027, 3, 1)),
        end=EventTime.all_day(date(2027, 3, 3)),
        recurring_event_id="series",
        original_start=EventTime.all_day(date(2027, 3, 1)),
        touchpoint_id="t-9",
    )
    assert event_from_json(event_to_json(event)) == event


def test_missing_keys_take_their_defaults() -> None:
    event = event_from_json(
        {"title": "Bare", "start": {"date": "2027-01-01"}, "end": {"date": "2027-01-02"}}
    )
    assert (event.description, event.attendees, event.status) == ("", (), EventStatus.CONFIRMED)
