"""A touchpoint's event is the user's too: what they write on it (in Google, or here) stays
when the touchpoint moves; its message is written on it only where the event still says
what touchbase wrote."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.app.test_touchpoints import _at, _contact, _in_google, _plan
from tests.support.app import AppHarness
from tests.support.sync import sync

NOTES = "Ask about Q2<br>Agenda: pricing, the renewal"


def test_notes_written_on_a_touchpoints_event_stay_when_it_moves(app: AppHarness) -> None:
    alice = app.user()
    dana = _contact(alice)
    touchpoint = _plan(alice, dana, dueAt=_at(4, 14).isoformat(), message="Ask about Q2")
    [event] = _in_google(alice, touchpoint)
    assert event["description"] == "Ask about Q2"
    alice.google.patch(f"/events/{event['id']}", json={"description": NOTES})
    assert sync(alice)["status"] == "succeeded"

    path = f"/api/touchpoints/{touchpoint['id']}"
    moved = alice.api.patch(path, json={"dueAt": _at(5, 15).isoformat()})
    assert moved.status_code == 200, moved.text
    [after] = _in_google(alice, touchpoint)
    assert after["description"] == NOTES, "the notes, not the message again"
    changed = alice.api.patch(path, json={"message": "Ask about Q3"})
    assert changed.status_code == 200, changed.text
    [after] = _in_google(alice, touchpoint)
    assert after["description"] == NOTES, "the user's notes are not the message"


def test_a_new_message_is_written_on_an_event_that_still_says_the_old_one(
    app: AppHarness,
) -> None:
    alice = app.user()
    dana = _contact(alice)
    touchpoint = _plan(alice, dana, dueAt=_at(4, 14).isoformat(), message="Ask about Q2")
    path = f"/api/touchpoints/{touchpoint['id']}"
    changed = alice.api.patch(path, json={"message": "Ask about Q3"})
    assert changed.status_code == 200, changed.text
    [after] = _in_google(alice, touchpoint)
    assert after["description"] == "Ask about Q3"
    bare = _plan(alice, dana, dueAt=_at(6, 10).isoformat())
    changed = alice.api.patch(f"/api/touchpoints/{bare['id']}", json={"message": "Say hi"})
    assert changed.status_code == 200, changed.text
    assert _in_google(alice, bare)[0]["description"] == "Say hi", "an empty one takes it"


def test_a_touchpoints_event_made_longer_in_google_keeps_its_length_when_it_moves(
    app: AppHarness,
) -> None:
    alice = app.user()
    dana = _contact(alice)
    touchpoint = _plan(alice, dana, dueAt=_at(4, 14).isoformat())
    assert touchpoint["durationMinutes"] == 30
    [event] = _in_google(alice, touchpoint)
    longer = {"dateTime": (_at(4, 15)).isoformat()}
    alice.google.patch(f"/events/{event['id']}", json={"end": longer})
    assert sync(alice)["status"] == "succeeded"
    path = f"/api/touchpoints/{touchpoint['id']}"
    assert alice.api.get(path).json()["durationMinutes"] == 60, "as long as its event"

    moved = alice.api.patch(path, json={"dueAt": _at(5, 10).isoformat()})
    assert moved.status_code == 200, moved.text
    assert moved.json()["durationMinutes"] == 60, "the touchpoint follows its event's length"
    assert _span(_in_google(alice, touchpoint)[0]) == (_at(5, 10), _at(5, 11))
    shorter = alice.api.patch(path, json={"durationMinutes": 45})
    assert shorter.status_code == 200, shorter.text
    assert _span(_in_google(alice, touchpoint)[0]) == (_at(5, 10), _at(5, 10, 45)), "asked for"


def _span(event: dict[str, Any]) -> tuple[datetime, datetime]:
    return (
        datetime.fromisoformat(event["start"]["dateTime"]),
        datetime.fromisoformat(event["end"]["dateTime"]),
    )


def test_a_touchpoints_event_guests_were_invited_to_stays_when_skipped_or_archived(
    app: AppHarness,
) -> None:
    alice = app.user()
    dana = _contact(alice, cadence={"every": 2, "unit": "week"})
    [by_cadence] = alice.api.get(
        "/api/touchpoints", params={"contactId": dana["id"], "status": "planned"}
    ).json()["items"]
    eli = _contact(alice, "Eli Vance")
    planned = _plan(alice, eli, dueAt=_at(4, 14).isoformat())
    for touchpoint in (by_cadence, planned):
        [event] = _in_google(alice, touchpoint)
        guests = {"attendees": [{"email": "dana@acme.example"}]}
        assert alice.google.patch(f"/events/{event['id']}", json=guests).status_code == 200
    assert sync(alice)["status"] == "succeeded"

    skipped = alice.api.patch(f"/api/touchpoints/{planned['id']}", json={"status": "skipped"})
    assert skipped.status_code == 200, skipped.text
    archived = alice.api.delete(f"/api/contacts/{dana['id']}")
    assert archived.status_code == 200, archived.text
    for touchpoint in (planned, by_cadence):
        title = f"Touchpoint: {touchpoint['contactName']}"
        kept = [e for e in alice.google_events() if e.get("summary") == title]
        assert [e.get("status") for e in kept] == ["confirmed"], "a meeting with Dana, kept"
        private = kept[0].get("extendedProperties", {}).get("private", {})
        assert "touchbaseTouchpointId" not in private, "no longer the touchpoint's"


def test_a_touchpoints_reminder_still_goes_when_skipped(app: AppHarness) -> None:
    alice = app.user()
    eli = _contact(alice, "Eli Vance")
    planned = _plan(alice, eli, dueAt=_at(4, 14).isoformat())
    skipped = alice.api.patch(f"/api/touchpoints/{planned['id']}", json={"status": "skipped"})
    assert skipped.status_code == 200, skipped.text
    assert _in_google(alice, planned) == []
