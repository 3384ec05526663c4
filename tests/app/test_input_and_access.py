"""Input is validated and sanitized, writes need write access, mutations are rate limited,
and secrets are stored safely."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text

from tests.support.app import AppHarness, start_app
from tests.support.servers import EmulatorControl
from tests.support.sync import sync
from touchbase.store.database import Database

GOOD = {"title": "Call", "startTime": "2027-01-10T09:00:00Z", "endTime": "2027-01-10T10:00:00Z"}
INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("end before start", {"endTime": "2027-01-10T08:00:00Z"}, "endTime"),
    ("end equals start", {"endTime": "2027-01-10T09:00:00Z"}, "endTime"),
    ("bad time zone", {"timeZone": "Mars/Olympus"}, "timeZone"),
    ("the server's own zone", {"timeZone": "localtime"}, "timeZone"),
    ("a zone counting leap seconds", {"timeZone": "right/Europe/Berlin"}, "timeZone"),
    ("naive time without zone", {"startTime": "2027-01-10T09:00:00"}, "startTime"),
    ("bad email", {"attendees": ["not-an-email"]}, "attendees[0]"),
    ("title too long", {"title": "x" * 1025}, "title"),
    ("title far too long", {"title": "x" * 5000}, "title"),
    ("blank title", {"title": "  \u0007 "}, "title"),
    ("missing title", {"title": None}, "title"),
    ("description too long", {"description": "x" * 9000}, "description"),
    ("location too long", {"location": "x" * 1025}, "location"),
    ("not a date", {"startTime": "next tuesday"}, "startTime"),
    ("unknown field", {"colour": "red"}, "colour"),
    ("wrong type", {"attendees": "a@b.co"}, "attendees"),
    (
        "all-day with same dates",
        {"allDay": True, "startTime": "2027-01-10", "endTime": "2027-01-10"},
        "endTime",
    ),
    ("bad recurrence", {"timeZone": "UTC", "recurrence": ["RRULE:FREQ=OFTEN"]}, "recurrence"),
    ("contact id too long", {"contactId": "c" * 65}, "contactId"),
    (
        "year one far east of UTC",
        {"startTime": "0001-01-01T00:00:00+14:00", "endTime": "0001-01-01T01:00:00+14:00"},
        "startTime",
    ),
    (
        "year 9999 far west of UTC",
        {"startTime": "9999-12-31T20:00:00-12:00", "endTime": "9999-12-31T21:00:00-12:00"},
        "startTime",
    ),
    ("hour 25", {"timeZone": "UTC", "recurrence": ["RRULE:FREQ=HOURLY;BYHOUR=25"]}, "recurrence"),
    ("garbage date", {"timeZone": "UTC", "recurrence": ["RDATE:garbage"]}, "recurrence"),
]


@pytest.mark.parametrize(("case", "change", "field"), INVALID, ids=[c for c, _, _ in INVALID])
def test_invalid_create_is_422_naming_the_field_and_writes_nothing(
    app: AppHarness, case: str, change: dict[str, Any], field: str
) -> None:
    alice = app.user()
    body = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    response = alice.api.post("/api/calendar/events", json=body)
    assert response.status_code == 422, (case, response.text)
    error = response.json()["error"]
    assert error["code"] == "CALENDAR_INVALID_EVENT"
    assert error["details"]["field"] == field, error
    assert error["message"]
    assert alice.api.get("/api/calendar/events").json()["items"] == []
    assert alice.google_events() == []
    assert alice.api.get("/api/audit").json()["items"] == []


def test_invalid_patch_changes_nothing(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create().json()
    bad = alice.api.patch(
        f"/api/calendar/events/{event['id']}",
        json={"title": "New", "endTime": "2020-01-01T00:00:00Z"},
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"]["field"] == "endTime"
    assert alice.api.get(f"/api/calendar/events/{event['id']}").json()["title"] == "Intro call"
    assert alice.google.get(f"/events/{event['googleEventId']}").json()["summary"] == "Intro call"


def test_text_is_sanitized(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create(
        title="Lunch\u0000 with\nDana\u001b",
        description='<b>Agenda</b><script>alert(1)</script><a href="javascript:x">x</a>'
        '<img src=x onerror=alert(1)> <a href="https://acme.example">site</a>',
        location="Cafe\r\nNorth",
    ).json()
    assert event["title"] == "Lunch with Dana"
    assert event["location"] == "Cafe North"
    description = event["description"]
    assert "<b>Agenda</b>" in description
    assert "script" not in description
    assert "javascript" not in description
    assert "onerror" not in description
    assert 'href="https://acme.example"' in description


def test_read_only_connection_is_permission_denied_with_reconnect(app: AppHarness) -> None:
    readonly = "https://www.googleapis.com/auth/calendar.readonly"
    app.emulator.http.put(
        app.emulator.url + "/_emulator/consent/rita@example.com", json={"scopes": [readonly]}
    )
    rita = app.user("rita@example.com", connect=False)
    connected = rita.connect()
    assert connected["canWrite"] is False
    assert connected["scopes"] == ["https://www.googleapis.com/auth/calendar.readonly"]
    response = rita.create()
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "CALENDAR_PERMISSION_DENIED"
    assert "Reconnect" in error["action"]
    assert error["details"]["reconnect"] == "/api/google/connect"
    assert rita.api.get("/api/calendar/events").json()["items"] == []


def test_not_connected_is_permission_denied(app: AppHarness) -> None:
    nora = app.user("nora@example.com", connect=False)
    response = nora.create()
    assert response.status_code == 403
    assert response.json()["error"]["action"] == "Connect Google Calendar."


def test_too_many_mutations_are_429_with_retry_after(
    database_url: str, emulator: EmulatorControl
) -> None:
    server, url = start_app(database_url, emulator.url, mutations_per_minute=3)
    try:
        alice = AppHarness(url, database_url, emulator).user()
        statuses = [alice.create(title=f"n{n}").status_code for n in range(4)]
        assert statuses == [201, 201, 201, 429]
        limited = alice.create()
        assert limited.json()["error"]["code"] == "CALENDAR_RATE_LIMIT"
        assert int(limited.headers["retry-after"]) >= 1
        assert alice.api.get("/api/calendar/events").status_code == 200
        assert len(alice.google_events()) == 3
    finally:
        server.stop()


def _raw_rows(database_url: str, query: str) -> list[tuple[Any, ...]]:
    async def read() -> list[tuple[Any, ...]]:
        database = Database(database_url)
        try:
            async with database.session() as session:
                return [tuple(r) for r in (await session.execute(text(query))).all()]
        finally:
            await database.dispose()

    return asyncio.run(read())


def test_google_tokens_are_encrypted_and_api_tokens_hashed(app: AppHarness) -> None:
    alice = app.user()
    [(access, refresh, scopes)] = _raw_rows(
        app.database_url, "SELECT access_token, refresh_token, scopes FROM google_connections"
    )
    assert not access.startswith("ya29.")
    assert not refresh.startswith("1//")
    assert "calendar.events" in scopes
    token = alice.api.headers["authorization"].split()[1]
    hashes = [row[0] for row in _raw_rows(app.database_url, "SELECT token_hash FROM api_tokens")]
    assert token not in hashes
    assert len(hashes[0]) == 64


def test_a_patch_out_of_the_years_is_422_and_nothing_reaches_google(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create(**GOOD).json()
    before = alice.google_events()
    answer = alice.api.patch(
        f"/api/calendar/events/{event['id']}",
        json={
            "startTime": "0001-01-01T00:00:00",
            "endTime": "0001-01-01T01:00:00",
            "timeZone": "Pacific/Kiritimati",
        },
        headers={"If-Match": event["etag"]},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["details"]["field"] == "startTime"
    assert alice.google_events() == before
    assert alice.api.get(f"/api/calendar/events/{event['id']}").json()["etag"] == event["etag"]
    window = alice.api.get("/api/calendar/events", params={"timeMin": "0001-01-01T00:00:00+14:00"})
    assert window.status_code == 422
    assert window.json()["error"]["details"]["field"] == "timeMin"


def test_a_nul_character_anywhere_in_a_request_is_refused_or_taken_out(app: AppHarness) -> None:
    """PostgreSQL cannot store one: each of these was a 500 there."""
    alice = app.user()
    dana = alice.api.post("/api/contacts", json={"name": "Dana", "company": "Acme"}).json()
    event = alice.create(title="Call").json()
    for path in (
        "/api/contacts/a%00b",
        "/api/contacts/a%00b/timeline",
        "/api/calendar/events/a%00b",
        "/api/touchpoints/a%00b",
        "/api/calendar/sync/a%00b",
    ):
        assert alice.api.get(path).status_code == 404, path
    patched = alice.api.patch("/api/calendar/events/a%00b", json={"title": "x"})
    assert patched.status_code == 404
    for path, name in (
        ("/api/contacts?q=Da%00na", "q"),
        ("/api/touchpoints?contactId=a%00b", "contactId"),
        (f"/api/audit?eventId={event['id']}%00", "eventId"),
    ):
        refused = alice.api.get(path)
        assert refused.status_code == 422, path
        assert refused.json()["error"]["details"]["field"] == name

    renamed = alice.api.patch(f"/api/contacts/{dana['id']}", json={"company": "Ac\x00me"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["company"] == "Acme"
    planned = alice.api.post(
        "/api/touchpoints", json={"contactId": f"{dana['id']}\x00", "dueDate": "2031-03-04"}
    )
    assert planned.status_code == 201, planned.text
    assert planned.json()["contactId"] == dana["id"]


def test_an_event_from_google_beyond_what_a_request_may_hold_can_still_be_changed(
    app: AppHarness,
) -> None:
    """An all-hands with 250 guests, one of them at an address this check does not know, and a
    long agenda: moving or renaming it is not refused for what the change left alone."""
    alice = app.user()
    guests = [{"email": f"g{n}@example.com"} for n in range(250)]
    guests.append({"email": "anna@bücher.example"})
    hands = {
        "_raw": True,
        "id": "allhands0001",
        "summary": "All hands",
        "description": "d" * 9000,
        "attendees": guests,
        "start": {"dateTime": "2027-01-10T09:00:00Z"},
        "end": {"dateTime": "2027-01-10T10:00:00Z"},
    }
    app.emulator.seed({"users": [{"email": alice.email, "events": [hands]}]})
    assert sync(alice)["status"] == "succeeded"
    [event] = alice.api.get("/api/calendar/events").json()["items"]
    path = f"/api/calendar/events/{event['id']}"

    moved = alice.api.patch(
        path,
        json={
            "title": "All hands (moved)",
            "startTime": "2027-01-10T10:00:00Z",
            "endTime": "2027-01-10T11:00:00Z",
        },
        headers={"If-Match": event["etag"]},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["syncStatus"] == "synced", moved.json()
    in_google = alice.google.get("/events/allhands0001").json()
    assert (in_google["summary"], len(in_google["attendees"])) == ("All hands (moved)", 251)
    assert in_google["start"]["dateTime"].startswith("2027-01-10T10:00:00")

    # A guest list sent is checked, less the address Google had already: a new bad one is not.
    fewer = {"attendees": ["anna@bücher.example", "not-an-email"]}
    refused = alice.api.patch(path, json=fewer)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["details"]["field"] == "attendees[1]"
    backwards = alice.api.patch(path, json={"endTime": "2027-01-10T08:00:00Z"})
    assert backwards.status_code == 422
    assert backwards.json()["error"]["details"]["field"] == "endTime"
