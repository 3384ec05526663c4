"""Wire <-> domain mapping (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from touchbase.domain import Attendee, CalendarEvent, EventTime
from touchbase.domain.events import Conference
from touchbase.google.mapping import CONTACT_KEY, event_body, patch_body, to_domain
from touchbase.google.models import EventResource, convert

HOUR_JSON = {
    "start": {"dateTime": "2027-01-01T10:00:00Z"},
    "end": {"dateTime": "2027-01-01T11:00:00Z"},
}
BASE = CalendarEvent(
    title="Call",
    start=EventTime.at(datetime(2027, 1, 1, 9, tzinfo=UTC), "UTC"),
    end=EventTime.at(datetime(2027, 1, 1, 10, tzinfo=UTC), "UTC"),
    location="Room",
    contact_id="c1",
)


def test_event_body_carries_crm_link_in_private_properties() -> None:
    body = event_body(BASE.replace(id="abcde12345"))
    assert body["id"] == "abcde12345"
    assert body["extendedProperties"] == {"private": {CONTACT_KEY: "c1"}}
    assert body["start"] == {"dateTime": "2027-01-01T09:00:00+00:00", "timeZone": "UTC"}
    assert "description" not in body


def test_patch_body_has_only_changes_and_nulls_for_removals() -> None:
    target = BASE.replace(
        title="New", location="", contact_id=None, attendees=(Attendee("a@example.com"),)
    )
    assert patch_body(BASE, target) == {
        "summary": "New",
        "location": None,
        "attendees": [{"email": "a@example.com", "responseStatus": "needsAction"}],
        "extendedProperties": {"private": {CONTACT_KEY: None}},
    }
    assert patch_body(BASE, BASE) == {}


def test_moving_sends_both_times() -> None:
    later = BASE.replace(
        start=EventTime.at(datetime(2027, 1, 1, 11, tzinfo=UTC), "UTC"),
        end=EventTime.at(datetime(2027, 1, 1, 12, tzinfo=UTC), "UTC"),
    )
    assert set(patch_body(BASE, later)) == {"start", "end"}


def test_to_domain_reads_google_json() -> None:
    resource = convert(
        EventResource,
        {
            "id": "x1234",
            "etag": '"7"',
            "status": "confirmed",
            "summary": "S",
            "start": {"dateTime": "2027-01-01T10:00:00+01:00", "timeZone": "Europe/Berlin"},
            "end": {"date": "2027-01-02"},
            "attendees": [{"email": "a@example.com", "responseStatus": "accepted", "self": True}],
            "extendedProperties": {"private": {CONTACT_KEY: "c3"}},
            "recurringEventId": "series",
            "originalStartTime": {"date": "2027-01-01"},
            "iCalUID": "x1234@google.com",
            "someFutureField": {"kept": True},
        },
    )
    event = to_domain(resource)
    assert event.start.date_time == datetime(2027, 1, 1, 10, tzinfo=timezone(timedelta(hours=1)))
    assert event.end == EventTime.all_day(date(2027, 1, 2))
    assert event.attendees[0].response_status == "accepted"
    assert event.contact_id == "c3"
    assert event.original_start == EventTime.all_day(date(2027, 1, 1))
    assert event.ical_uid == "x1234@google.com"
    assert "someFutureField" not in resource.to_wire()
    assert resource.to_wire()["attendees"][0]["self"] is True


def test_a_date_time_without_an_offset_is_read_in_its_time_zone() -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    import pytest

    from touchbase.google.mapping import time_to_domain
    from touchbase.google.models import EventDateTime

    naive = dt.datetime(2027, 3, 1, 9)
    read = time_to_domain(EventDateTime(date_time=naive, time_zone="Europe/Berlin"))
    assert read.date_time == naive.replace(tzinfo=ZoneInfo("Europe/Berlin"))
    assert read.date_time is not None
    assert read.date_time.utcoffset() == dt.timedelta(hours=1)
    with pytest.raises(ValueError, match="offset"):
        time_to_domain(EventDateTime(date_time=naive))


def test_a_guest_list_sent_carries_the_answers_google_has() -> None:
    base = BASE.replace(attendees=(Attendee("dana@acme.example", "declined"),))
    target = BASE.replace(attendees=(Attendee("dana@acme.example"), Attendee("eli@x.example")))
    assert patch_body(base, target)["attendees"] == [
        {"email": "dana@acme.example", "responseStatus": "declined"},
        {"email": "eli@x.example", "responseStatus": "needsAction"},
    ]


def test_a_guests_answer_is_read_bounded_and_clean() -> None:
    guest = {
        "email": "a@example.com",
        "responseStatus": "accepted",
        "self": True,
        "comment": "Late\x00\x07 " + "x" * 5000,
        "additionalGuests": 10**9,
    }
    resource = convert(EventResource, {"id": "x1234", **HOUR_JSON, "attendees": [guest]})
    (read,) = to_domain(resource).attendees
    assert read.is_self
    assert read.comment is not None
    assert read.comment.startswith("Late x")
    assert len(read.comment) <= 1024
    assert read.additional_guests == 1000
    negative = convert(
        EventResource, {"id": "x1234", **HOUR_JSON, "attendees": [guest | {"additionalGuests": -3}]}
    )
    assert to_domain(negative).attendees[0].additional_guests == 0


def test_who_organizes_an_event_is_read_bounded_and_clean() -> None:
    def read(**fields: object) -> CalendarEvent:
        return to_domain(convert(EventResource, {"id": "x1234", **HOUR_JSON, **fields}))

    own = read(organizer={"email": "me@example.com", "self": True})
    assert (own.organizer, own.organizer_only) == ("me@example.com", False)
    assert not read().organizer_only  # no organizer said: taken as the user's own
    guest = read(organizer={"email": "carol@\x00example.com\n" + "x" * 5000})
    assert guest.organizer_only
    assert guest.organizer is not None
    assert guest.organizer.startswith("carol@example.com x")
    assert len(guest.organizer) <= 320
    modifiable = read(organizer={"email": "carol@example.com"}, guestsCanModify=True)
    assert not modifiable.organizer_only
    assert "organizer" not in patch_body(own, guest.replace(title="Other"))


def test_an_event_shown_as_free_stays_free_when_written_whole() -> None:
    resource = convert(EventResource, {"id": "x1234", **HOUR_JSON, "transparency": "transparent"})
    event = to_domain(resource)
    assert event.transparent
    assert event_body(event)["transparency"] == "transparent"
    assert "transparency" not in event_body(event.replace(transparent=False))
    assert "transparency" not in patch_body(event, event.replace(title="Renamed"))


def test_a_meet_is_asked_for_only_while_the_event_has_no_video_call() -> None:
    base = CalendarEvent(
        title="Call",
        start=EventTime.at(datetime(2027, 1, 1, 9, tzinfo=UTC)),
        end=EventTime.at(datetime(2027, 1, 1, 10, tzinfo=UTC)),
    )
    asked = base.replace(conference_request="r1")
    request = {"requestId": "r1", "conferenceSolutionKey": {"type": "hangoutsMeet"}}
    assert event_body(asked)["conferenceData"] == {"createRequest": request}
    assert patch_body(base, asked) == {"conferenceData": {"createRequest": request}}
    has_one = asked.replace(conference=Conference(url="https://meet.google.com/abc-defg-hij"))
    assert "conferenceData" not in event_body(has_one)
    assert patch_body(base, has_one) == {}


def test_a_call_taken_off_is_sent_as_null_and_only_then() -> None:
    meet = Conference(url="https://meet.google.com/abc-defg-hij", name="Google Meet")
    zoom = Conference(url="https://zoom.us/j/1", name="Zoom", solution="addOn")
    for call in (meet, zoom):
        with_call = BASE.replace(conference=call)
        assert patch_body(with_call, with_call.replace(conference=None)) == {"conferenceData": None}
        assert patch_body(with_call, with_call.replace(title="Renamed")) == {"summary": "Renamed"}
    replaced = BASE.replace(conference=zoom)
    new_meet = replaced.replace(conference=None, conference_request="r2")
    assert patch_body(replaced, new_meet)["conferenceData"]["createRequest"]["requestId"] == "r2"


def test_a_meet_is_read_with_what_copies_it_and_only_a_clean_id_copies() -> None:
    def read(conference_id: str) -> CalendarEvent:
        return to_domain(
            convert(
                EventResource,
                {
                    "id": "x1234",
                    "start": {"dateTime": "2027-01-01T10:00:00Z"},
                    "end": {"dateTime": "2027-01-01T11:00:00Z"},
                    "conferenceData": {
                        "conferenceId": conference_id,
                        "conferenceSolution": {"key": {"type": "hangoutsMeet"}},
                        "entryPoints": [
                            {"entryPointType": "video", "uri": "https://meet.google.com/abc"}
                        ],
                    },
                },
            )
        )

    meet = read("abc-defg-hij")
    assert meet.conference == Conference(
        url="https://meet.google.com/abc",
        name="Google Meet",
        solution="hangoutsMeet",
        conference_id="abc-defg-hij",
    )
    assert event_body(meet.replace(id=None))["conferenceData"] == {
        "conferenceId": "abc-defg-hij",
        "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
        "entryPoints": [{"entryPointType": "video", "uri": "https://meet.google.com/abc"}],
    }
    hostile = read('"><script>')
    assert hostile.conference is not None
    assert not hostile.conference.copyable_meet
    assert "conferenceData" not in event_body(hostile)
