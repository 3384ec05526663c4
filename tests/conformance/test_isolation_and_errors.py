"""Users are isolated, and every error comes in Google's envelope, never as a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conformance.conftest import ALICE, BOB, timed


def test_one_users_token_never_reaches_anothers_calendar(
    raw_for: Callable[..., httpx.Client],
) -> None:
    alice, bob = raw_for(ALICE), raw_for(BOB)
    event = alice.post(
        "/calendars/primary/events", json=timed("2027-01-01T10:00:00Z", "2027-01-01T11:00:00Z")
    ).json()
    assert bob.get(f"/calendars/{ALICE}/events").status_code == 404
    assert bob.get(f"/calendars/{ALICE}/events/{event['id']}").status_code == 404
    assert bob.patch(f"/calendars/{ALICE}/events/{event['id']}", json={}).status_code == 404
    assert bob.delete(f"/calendars/{ALICE}/events/{event['id']}").status_code == 404
    assert bob.get(f"/calendars/{ALICE}").status_code == 404
    assert bob.get("/calendars/primary/events").json()["items"] == []
    assert [c["id"] for c in bob.get("/users/me/calendarList").json()["items"]] == [BOB]


GOOD_START = {"dateTime": "2027-01-01T10:00:00Z"}
GOOD_END = {"dateTime": "2027-01-01T11:00:00Z"}
BAD_BODIES: list[tuple[str, Any]] = [
    ("malformed json", "{not json"),
    ("not an object", "[1, 2]"),
    ("no start", {"end": GOOD_END}),
    ("no end", {"start": GOOD_START}),
    ("bad date-time", {"start": {"dateTime": "tomorrow"}, "end": GOOD_END}),
    ("no offset, no zone", {"start": {"dateTime": "2027-01-01T10:00:00"}, "end": GOOD_END}),
    ("bad date", {"start": {"date": "2027-02-30"}, "end": {"date": "2027-03-01"}}),
    ("date and dateTime", {"start": {**GOOD_START, "date": "2027-01-01"}, "end": GOOD_END}),
    ("mixed kinds", {"start": {"date": "2027-01-01"}, "end": GOOD_END}),
    ("end before start", {"start": GOOD_END, "end": GOOD_START}),
    ("bad time zone", {"start": {**GOOD_START, "timeZone": "Moon/Base"}, "end": GOOD_END}),
    ("the server's zone", {"start": {**GOOD_START, "timeZone": "localtime"}, "end": GOOD_END}),
    ("a leap-second zone", {"start": GOOD_START, "end": {**GOOD_END, "timeZone": "right/UTC"}}),
    ("unknown status", {"start": GOOD_START, "end": GOOD_END, "status": "maybe"}),
    ("unknown visibility", {"start": GOOD_START, "end": GOOD_END, "visibility": "secret"}),
    ("attendee without email", {"start": GOOD_START, "end": GOOD_END, "attendees": [{}]}),
    (
        "bad attendee email",
        {"start": GOOD_START, "end": GOOD_END, "attendees": [{"email": "nobody"}]},
    ),
    (
        "unknown response status",
        {
            "start": GOOD_START,
            "end": GOOD_END,
            "attendees": [{"email": "a@b.co", "responseStatus": "meh"}],
        },
    ),
    ("summary not a string", {"start": GOOD_START, "end": GOOD_END, "summary": 5}),
    (
        "property not a string",
        {"start": GOOD_START, "end": GOOD_END, "extendedProperties": {"private": {"a": 1}}},
    ),
    (
        "bad reminder",
        {
            "start": GOOD_START,
            "end": GOOD_END,
            "reminders": {"useDefault": False, "overrides": [{"method": "sms"}]},
        },
    ),
    ("bad id", {"id": "UPPER", "start": GOOD_START, "end": GOOD_END}),
    ("bad sendUpdates", None),
]


@pytest.mark.parametrize(("case", "body"), BAD_BODIES, ids=[c for c, _ in BAD_BODIES])
def test_bad_input_is_400_in_googles_envelope(raw: httpx.Client, case: str, body: Any) -> None:
    if body is None:
        response = raw.post(
            "/calendars/primary/events",
            params={"sendUpdates": "sometimes"},
            json={"start": GOOD_START, "end": GOOD_END},
        )
    elif isinstance(body, str):
        response = raw.post("/calendars/primary/events", content=body)
    else:
        response = raw.post("/calendars/primary/events", json=body)
    assert response.status_code == 400, (case, response.text)
    error = response.json()["error"]
    assert error["code"] == 400
    assert error["message"]
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["errors"][0]["domain"] == "global"
    assert error["errors"][0]["reason"] in ("invalid", "required", "parseError", "timeRangeEmpty")


def test_bad_patch_leaves_the_event_unchanged(raw: httpx.Client) -> None:
    event = raw.post(
        "/calendars/primary/events", json=timed("2027-01-01T10:00:00Z", "2027-01-01T11:00:00Z")
    ).json()
    path = f"/calendars/primary/events/{event['id']}"
    bad = raw.patch(path, json={"summary": "new", "end": {"dateTime": "2026-01-01T00:00:00Z"}})
    assert bad.status_code == 400
    assert raw.get(path).json() == event


def test_unknown_path_is_404_in_envelope(raw: httpx.Client) -> None:
    response = raw.get("/calendars/primary/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["errors"][0]["reason"] == "notFound"
