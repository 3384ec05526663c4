"""Events of a type Google keeps (a birthday from Google Contacts, an event Gmail made from
an email, a working location) are shown and not changed here: Google refuses most changes
to them (400 eventTypeRestriction; a birthday takes not even a contact's link), so touchbase
refuses first, naming why, and nothing waits for Google. Out-of-office and focus time are
the user's own blocks of time: they change as any event."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.app import ApiUser, AppHarness
from tests.support.sync import sync

BIRTHDAY = {
    "summary": "Dana's birthday",
    "eventType": "birthday",
    "start": {"date": "2027-03-14"},
    "end": {"date": "2027-03-15"},
    "recurrence": ["RRULE:FREQ=YEARLY"],
    "transparency": "transparent",
}
FLIGHT = {
    "summary": "Flight to Berlin",
    "eventType": "fromGmail",
    "start": {"dateTime": "2027-03-10T08:00:00Z"},
    "end": {"dateTime": "2027-03-10T10:00:00Z"},
}
WINDOW = {"start": "2027-03-01T00:00:00Z", "end": "2027-04-01T00:00:00Z"}


def _from_google(user: ApiUser, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The event made in Google, synced: its events (a series' occurrences) in March 2027."""
    made = user.google.post("/events", json=body)
    assert made.status_code == 200, made.text
    assert sync(user)["status"] == "succeeded"
    listed = user.api.get("/api/calendar/events", params=WINDOW).json()["items"]
    return [e for e in listed if e["googleEventId"].startswith(made.json()["id"])]


@pytest.mark.parametrize(
    ("body", "why"), [(BIRTHDAY, "Google Contacts"), (FLIGHT, "Gmail made this event")]
)
def test_an_event_google_keeps_is_shown_and_not_changed_here(
    app: AppHarness, body: dict[str, Any], why: str
) -> None:
    alice = app.user()
    dana = alice.api.post("/api/contacts", json={"name": "Dana"}).json()
    [event] = _from_google(alice, body)
    assert (event["eventType"], event["keptByGoogle"]) == (body["eventType"], True)
    path = f"/api/calendar/events/{event['id']}"
    before = alice.google_events()
    for change in ({"title": "Renamed"}, {"contactId": dana["id"]}):
        refused = alice.api.patch(path, json=change, headers={"If-Match": event["etag"]})
        assert refused.status_code == 403, refused.text
        error = refused.json()["error"]
        assert error["code"] == "CALENDAR_EVENT_KEPT_BY_GOOGLE"
        assert why in error["message"]
    refused = alice.api.delete(path, headers={"If-Match": event["etag"]})
    assert refused.status_code == 403, refused.text
    assert alice.api.get(path).json() == event, "nothing written"
    assert alice.google_events() == before, "nothing sent"
    audit = alice.api.get("/api/audit", params={"eventId": event["id"]}).json()["items"]
    assert not [e for e in audit if e["action"] in ("update", "delete")], audit


def test_an_occurrence_of_a_birthday_is_not_changed_alone_either(app: AppHarness) -> None:
    alice = app.user()
    [event] = _from_google(alice, BIRTHDAY)
    assert event["seriesId"] is not None
    path = f"/api/calendar/events/{event['id']}"
    for scope in ("instance", "following", "all"):
        moved = alice.api.patch(
            path,
            params={"scope": scope},
            json={"title": "Party"},
            headers={"If-Match": event["etag"]},
        )
        assert moved.status_code == 403, (scope, moved.text)
    assert alice.api.delete(path, params={"scope": "instance"}).status_code == 403
    assert [e["summary"] for e in alice.google_events()] == ["Dana's birthday"]


def test_out_of_office_is_the_users_own_to_change(app: AppHarness) -> None:
    alice = app.user()
    away = {
        "summary": "Out of office",
        "eventType": "outOfOffice",
        "start": {"dateTime": "2027-03-15T09:00:00Z"},
        "end": {"dateTime": "2027-03-15T17:00:00Z"},
    }
    [event] = _from_google(alice, away)
    assert (event["eventType"], event["keptByGoogle"]) == ("outOfOffice", False)
    changed = alice.api.patch(
        f"/api/calendar/events/{event['id']}",
        json={"title": "Out of office (conference)"},
        headers={"If-Match": event["etag"]},
    )
    assert (changed.status_code, changed.json()["syncStatus"]) == (200, "synced"), changed.text
    [google] = alice.google_events()
    assert (google["summary"], google["eventType"]) == ("Out of office (conference)", "outOfOffice")
