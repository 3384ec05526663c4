"""Archiving a contact stops its cadence: the touchpoint the cadence planned goes, with its event
in Google; one planned by hand stays. Bringing the contact back plans the cadence's next, and
a PATCH that brings back nothing moves nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.app.test_touchpoints import _contact, _day, _in_google, _plan, _planned, _working
from tests.support.app import ApiUser, AppHarness, wait_for


def _archive(user: ApiUser, contact: dict[str, Any], **also: Any) -> None:
    if also:
        done = user.api.patch(f"/api/contacts/{contact['id']}", json={"archived": True, **also})
    else:
        done = user.api.delete(f"/api/contacts/{contact['id']}")
    assert (done.status_code, done.json()["archived"]) == (200, True), done.text


def _restore(user: ApiUser, contact: dict[str, Any]) -> None:
    back = user.api.patch(f"/api/contacts/{contact['id']}", json={"archived": False})
    assert (back.status_code, back.json()["archived"]) == (200, False), back.text


def _kept_in_touch(user: ApiUser) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Dana, kept in touch with every two weeks: the contact, the touchpoint her cadence
    planned, and its event in Google (one)."""
    dana = _contact(user, cadence={"every": 2, "unit": "week"})
    [by_cadence] = _planned(user, dana)
    [event] = _in_google(user, by_cadence)
    return dana, by_cadence, event


def test_archiving_takes_the_cadences_touchpoint_away_and_restoring_plans_the_next(
    app: AppHarness,
) -> None:
    alice = app.user()
    dana, by_cadence, _event = _kept_in_touch(alice)

    _archive(alice, dana)
    assert _planned(alice, dana) == []
    assert _in_google(alice, by_cadence) == [], "its event is gone from Google"

    _restore(alice, dana)
    [following] = _planned(alice, dana)
    assert (following["dueDate"], following["origin"]) == (
        _working(_day(14)).isoformat(),
        "cadence",
    )
    assert len(_in_google(alice, following)) == 1

    moved = _day(30).isoformat()
    by_hand = alice.api.patch(f"/api/touchpoints/{following['id']}", json={"dueDate": moved})
    assert by_hand.status_code == 200, by_hand.text
    _restore(alice, dana)  # live already: nothing to bring back
    assert [t["dueDate"] for t in _planned(alice, dana)] == [moved]


def test_a_touchpoint_planned_by_hand_outlives_the_archive(app: AppHarness) -> None:
    alice = app.user()
    eli = _contact(alice, "Eli Vance", cadence={"every": 1, "unit": "week"})
    [by_cadence] = _planned(alice, eli)
    asked_for = _plan(alice, eli, dueDate=_day(3).isoformat())

    _archive(alice, eli)
    assert [t["id"] for t in _planned(alice, eli)] == [asked_for["id"]]
    assert _in_google(alice, by_cadence) == []
    assert len(_in_google(alice, asked_for)) == 1

    _restore(alice, eli)
    assert [t["id"] for t in _planned(alice, eli)] == [asked_for["id"]], (
        "the one asked for stands in for the cadence's, as before the archive"
    )

    fran = _contact(alice, "Fran Kubelik", cadence={"every": 1, "unit": "week"})
    [frans] = _planned(alice, fran)
    _archive(alice, fran, nextTouchpointDate=None)
    assert _planned(alice, fran) == []
    assert _in_google(alice, frans) == []
    _restore(alice, fran)
    assert len(_planned(alice, fran)) == 1


def test_archiving_while_google_is_disconnected_takes_the_event_away_once_it_is_back(
    app: AppHarness,
) -> None:
    alice = app.user()
    dana, by_cadence, _event = _kept_in_touch(alice)
    assert alice.api.delete("/api/google/connection").status_code == 200

    _archive(alice, dana)
    assert _planned(alice, dana) == []
    assert len(_in_google(alice, by_cadence)) == 1, "Google is out of reach: it waits"

    alice.connect()
    wait_for(lambda: _in_google(alice, by_cadence) == [], what="its delete reached Google")


def test_archiving_answers_for_the_contact_when_the_cadences_event_meets_an_edit_in_google(
    app: AppHarness,
) -> None:
    alice = app.user()
    dana, _by_cadence, event = _kept_in_touch(alice)
    edited = alice.google.patch(f"/events/{event['id']}", json={"description": "Bring the deck"})
    assert edited.status_code == 200, edited.text

    _archive(alice, dana)  # the contact is archived: its answer says so
    [conflict] = alice.api.get("/api/calendar/conflicts").json()["items"]
    assert conflict["kind"] == "deleted_locally", "the event's fate is the user's to settle"


def test_an_overdue_touchpoints_event_stays_in_the_calendar_naming_no_touchpoint(
    app: AppHarness,
) -> None:
    alice = app.user()
    dana, by_cadence, event = _kept_in_touch(alice)
    earlier = (datetime.now(UTC) - timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    overdue = alice.api.patch(
        f"/api/touchpoints/{by_cadence['id']}", json={"dueAt": earlier.isoformat()}
    )
    assert overdue.status_code == 200, overdue.text

    _archive(alice, dana)
    assert _planned(alice, dana) == []
    assert _in_google(alice, by_cadence) == [], "it names no touchpoint"
    kept = alice.google.get(f"/events/{event['id']}").json()
    assert kept["status"] == "confirmed", "a meeting that may have happened stays"
    assert datetime.fromisoformat(kept["start"]["dateTime"]) == earlier
