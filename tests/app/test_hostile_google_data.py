"""Google's data is untrusted input: an event that cannot be read is recorded and skipped (the
rest syncs), and what can be read is cleaned as API input is."""

from __future__ import annotations

from typing import Any

from tests.support.app import AppHarness
from tests.support.sync import sync

HOUR = {"start": {"dateTime": "2027-01-10T09:00:00Z"}, "end": {"dateTime": "2027-01-10T10:00:00Z"}}
ZONED = {
    "start": {"dateTime": "2027-01-10T09:00:00", "timeZone": "UTC"},
    "end": {"dateTime": "2027-01-10T10:00:00", "timeZone": "UTC"},
}
# Each is skipped and named in the run's errors.
UNREADABLE: dict[str, dict[str, Any]] = {
    "yearone0001": {
        "start": {"dateTime": "0001-01-01T00:00:00+14:00"},
        "end": {"dateTime": "0001-01-01T01:00:00+14:00"},
    },
    "yearmax0001": {
        "start": {"dateTime": "9999-12-31T22:00:00-12:00"},
        "end": {"dateTime": "9999-12-31T23:00:00-12:00"},
    },
    "notatime0001": {"start": {"dateTime": "half past nine"}, "end": HOUR["end"]},
    "attstring001": {**HOUR, "summary": None, "attendees": "dana@example.com"},
    "recstring001": {**ZONED, "recurrence": "RRULE:FREQ=DAILY"},
    "negative0001": {**ZONED, "recurrence": ["RRULE:FREQ=DAILY;INTERVAL=-1"]},
    "zerointrv001": {**ZONED, "recurrence": ["RRULE:FREQ=DAILY;INTERVAL=0"]},
    "leapsecnd001": {**ZONED, "recurrence": ["RRULE:FREQ=SECONDLY;BYSECOND=60"]},
    "rdateperd001": {**ZONED, "recurrence": ["RDATE;VALUE=PERIOD:20270105T090000Z/PT1H"]},
    "badzone00001": {
        "start": {"dateTime": "2027-01-10T09:00:00", "timeZone": "../../etc/passwd"},
        "end": HOUR["end"],
    },
    "localzone001": {  # the zone of whichever machine reads it
        "start": {"dateTime": "2027-01-10T09:00:00", "timeZone": "localtime"},
        "end": {"dateTime": "2027-01-10T10:00:00", "timeZone": "localtime"},
    },
    "rightzone001": {
        "start": {"dateTime": "2027-01-10T09:00:00Z", "timeZone": "right/UTC"},
        "end": HOUR["end"],
        "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"],
    },
    "attnumber001": {**HOUR, "attendees": [{"email": 5}]},
    "attnull00001": {**HOUR, "attendees": [None]},
    "nodate000001": {"start": {}, "end": {}},
    "baddate00001": {"start": {"date": "2027-02-30"}, "end": {"date": "2027-03-01"}},
    "sequence0001": {**HOUR, "sequence": "many"},
    "props0000001": {**HOUR, "extendedProperties": {"private": ["not", "a", "map"]}},
    "updated00001": {**HOUR, "updated": "yesterday"},
    # Longer than a row keeps (a failed sync on PostgreSQL, run after run).
    "longetag0001": {**HOUR, "etag": '"' + "1" * 300 + '"'},
    "longseries01": {**HOUR, "recurringEventId": "s" * 1100, "originalStartTime": HOUR["start"]},
}
# Each syncs, cleaned.
CLEANED: dict[str, dict[str, Any]] = {
    "script000001": {
        **HOUR,
        "summary": "Scripted",
        "description": '<p>Agenda</p><script>alert(1)</script><img src=x onerror="alert(2)">',
    },
    "jslink000001": {**HOUR, "summary": "Linked", "htmlLink": "javascript:alert(document.cookie)"},
    "control00001": {**HOUR, "summary": "Call\x00 with\x07 Dana\x1b", "location": "Room\x00 4\r\n"},
    "named0000001": {
        **HOUR,
        "summary": "Guests",
        "attendees": [{"email": "dana@example.com", "displayName": "Dana\x00<b>"}],
    },
}


def test_hostile_events_from_google_are_skipped_or_cleaned_and_the_rest_syncs(
    app: AppHarness,
) -> None:
    alice = app.user()
    raw = [{"_raw": True, "id": key, "summary": key, **body} for key, body in UNREADABLE.items()]
    raw += [{"_raw": True, "id": key, **body} for key, body in CLEANED.items()]
    raw.append({"_raw": True, "summary": "no id", **HOUR, "id": None})
    good = [{"summary": f"good {n}", **HOUR} for n in range(3)]
    app.emulator.seed({"users": [{"email": alice.email, "events": good[:1] + raw + good[1:]}]})

    run = sync(alice)
    assert run["status"] == "succeeded", run
    failed = {e["googleEventId"] for e in run["calendars"][0]["errors"]}
    assert failed == set(UNREADABLE) | {""}
    assert run["counts"]["errors"] == len(UNREADABLE) + 1

    listing = alice.api.get("/api/calendar/events")
    assert listing.status_code == 200, listing.text
    by_id = {e["googleEventId"]: e for e in listing.json()["items"]}
    assert {e["title"] for e in by_id.values()} >= {"good 0", "good 1", "good 2"}
    assert set(by_id) == set(CLEANED) | {e["googleEventId"] for e in by_id.values()} - set(CLEANED)
    scripted = by_id["script000001"]["description"]
    assert "<p>Agenda</p>" in scripted
    assert "script" not in scripted
    assert "onerror" not in scripted
    assert by_id["jslink000001"]["htmlLink"] is None
    assert by_id["control00001"]["title"] == "Call with Dana"
    assert by_id["control00001"]["location"] == "Room 4"
    for event in by_id.values():
        one = alice.api.get(f"/api/calendar/events/{event['id']}")
        assert one.status_code == 200, one.text

    again = sync(alice)  # the skipped events do not stall later runs either
    assert again["status"] == "succeeded", again


def test_a_contact_link_from_google_is_kept_only_if_the_contact_is_yours(
    app: AppHarness,
) -> None:
    alice, bob = app.user("alice@example.com"), app.user("bob@example.com")
    dana = alice.api.post("/api/contacts", json={"name": "Dana"}).json()["id"]
    sam = bob.api.post("/api/contacts", json={"name": "Sam"}).json()["id"]
    for key, contact in (("foreign0001", dana), ("mine0000001", sam)):
        answer = bob.google.post(
            "/events",
            json={
                **HOUR,
                "id": key,
                "summary": key,
                "extendedProperties": {"private": {"touchbaseContactId": contact}},
            },
        )
        assert answer.status_code == 200, answer.text
    assert sync(bob)["status"] == "succeeded"
    by_id = {e["googleEventId"]: e for e in bob.api.get("/api/calendar/events").json()["items"]}
    assert by_id["foreign0001"]["contactId"] is None  # Alice's contact: not Bob's to link
    assert by_id["mine0000001"]["contactId"] == sam


# A NUL character in any of these failed every statement storing it on PostgreSQL, and with it
# every sync of the calendar.
WITH_NUL: dict[str, dict[str, Any]] = {
    "nulid\x0000001": {**HOUR, "summary": "In its id"},
    "icaluid00001": {**HOUR, "summary": "In its iCalUID", "iCalUID": "uid\x00x@example.com"},
    "etag00000001": {**HOUR, "summary": "In its etag", "etag": '"1\x00"'},
    "guest0000001": {
        **HOUR,
        "summary": "In a guest's email",
        "attendees": [{"email": "da\x00na@example.com", "responseStatus": "accepted\x00"}],
    },
    "props0000001": {
        **HOUR,
        "summary": "In its properties",
        "extendedProperties": {"private": {"touchbaseContactId": "a\x00b", "k\x00": "v"}},
    },
    "link00000001": {**HOUR, "summary": "In its link", "htmlLink": "https://x.example/\x00e"},
    "instance0001": {
        **HOUR,
        "summary": "In its series' id",
        "recurringEventId": "ser\x00ies",
        "originalStartTime": HOUR["start"],
    },
}


def test_nul_characters_from_google_are_taken_out_and_the_calendar_syncs(
    app: AppHarness,
) -> None:
    alice = app.user()
    raw = [{"_raw": True, "id": key, **body} for key, body in WITH_NUL.items()]
    app.emulator.seed({"users": [{"email": alice.email, "events": raw}]})

    run = sync(alice)
    assert run["status"] == "succeeded", run
    assert run["calendars"][0]["errors"] == []
    listing = alice.api.get("/api/calendar/events")
    assert listing.status_code == 200, listing.text
    by_title = {e["title"]: e for e in listing.json()["items"]}
    assert set(by_title) == {body["summary"] for body in WITH_NUL.values()}
    assert by_title["In its id"]["googleEventId"] == "nulid00001"
    assert by_title["In a guest's email"]["attendees"] == ["dana@example.com"]
    assert by_title["In its link"]["htmlLink"] == "https://x.example/e"
    assert "\\u0000" not in listing.text
    assert sync(alice)["status"] == "succeeded"


def test_what_google_names_too_long_to_keep_is_skipped_or_cut(app: AppHarness) -> None:
    alice = app.user()
    too_long = [{"_raw": True, "id": "a" * 1100, "summary": "Its id is too long", **HOUR}]
    calendars = [
        {"id": "c" * 300 + "@group.calendar.google.com", "summary": "Its id is too long"},
        {"summary": "N" * 400},
    ]
    events = [*too_long, {"summary": "Fits", **HOUR}]
    app.emulator.seed({"users": [{"email": alice.email, "events": events, "calendars": calendars}]})

    run = sync(alice)
    assert run["status"] == "succeeded", run
    assert [e["googleEventId"] for e in run["calendars"][0]["errors"]] == ["a" * 1024]
    listed = alice.api.get("/api/calendar/events").json()["items"]
    assert [e["title"] for e in listed] == ["Fits"]
    answer = alice.api.get("/api/calendar/calendars")
    assert answer.status_code == 200, answer.text
    names = {c["summary"] for c in answer.json()["items"]}
    assert "N" * 255 in names
    assert "Its id is too long" not in names
