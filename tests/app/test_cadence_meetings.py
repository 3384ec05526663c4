"""A meeting held on the calendar resets a cadence's clock, as a meeting logged does: the
cadence job moves the touchpoint the cadence planned later, by itself."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.app.test_touchpoints import _contact, _in_google, _plan, _planned, _working
from tests.support.app import ApiUser, AppHarness, start_app, wait_for
from tests.support.servers import EmulatorControl
from tests.support.sync import sync

MET_BEFORE = datetime.now(UTC).replace(microsecond=0) - timedelta(days=10)
# A meeting counts from when it ended (the next day, for one begun in the half hour before
# midnight): the intro meetings last half an hour.
INTRO = timedelta(minutes=30)
EVERY_3_WEEKS = {"every": 3, "unit": "week"}


@pytest.fixture
def app(database_url: str, emulator: EmulatorControl) -> Iterator[AppHarness]:
    """The app, its cadences reviewed every half second."""
    server, url = start_app(database_url, emulator.url, cadence_review_seconds=0.5)
    try:
        yield AppHarness(url, database_url, emulator)
    finally:
        server.stop()


def _met_before(user: ApiUser, name: str) -> dict[str, Any]:
    """A contact met ten days ago, with a cadence of three weeks."""
    email = f"{name.split(maxsplit=1)[0].lower()}@acme.example"
    user.meeting(
        f"Intro with {name}", MET_BEFORE, minutes=INTRO // timedelta(minutes=1), attendees=[email]
    )
    return _contact(user, name, emails=[email], cadence=EVERY_3_WEEKS)


def _due(user: ApiUser, contact: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(t["id"], t["dueDate"], t["origin"]) for t in _planned(user, contact)]


def test_a_meeting_held_on_the_calendar_moves_the_cadences_touchpoint_later(
    app: AppHarness,
) -> None:
    alice = app.user()
    planned_day = _working((MET_BEFORE + INTRO).date() + timedelta(days=21)).isoformat()
    dana, eli, fran, gil = (
        _met_before(alice, n) for n in ("Dana Scully", "Eli Vance", "Fran Kim", "Gil Grissom")
    )
    [first] = _planned(alice, dana)
    assert first["dueDate"] == planned_day
    # Gil's touchpoint lost its event in Google: it waits for a date, and stays so.
    [gils] = _planned(alice, gil)
    [gils_event] = _in_google(alice, gils)
    alice.google.delete(f"/events/{gils_event['id']}")
    assert sync(alice)["status"] == "succeeded"
    gil_planned = _due(alice, gil)
    by_hand = _plan(alice, eli, dueDate=(MET_BEFORE.date() + timedelta(days=12)).isoformat())
    eli_planned, fran_planned = _due(alice, eli), _due(alice, fran)
    just_now = datetime.now(UTC).replace(microsecond=0)
    # Fran's meeting is still to come; Eli's touchpoint planned by hand stands in for the
    # cadence's, and neither moves.
    alice.meeting("Demo for Fran", just_now + timedelta(hours=1), attendees=["fran@acme.example"])
    alice.meeting("Call with Eli", just_now - timedelta(minutes=31), attendees=["eli@acme.example"])
    alice.meeting("Call with Gil", just_now - timedelta(minutes=31), attendees=["gil@acme.example"])
    held = alice.meeting(
        "Lunch with Dana", just_now - timedelta(minutes=31), attendees=["dana@acme.example"]
    )
    ended = datetime.fromisoformat(held["endTime"]).astimezone(UTC).date()
    moved_to = _working(ended + timedelta(days=21)).isoformat()

    wait_for(
        lambda: _due(alice, dana) == [(first["id"], moved_to, "cadence")],
        timeout=15,
        what="the cadence's touchpoint moved after the meeting held",
    )
    wait_for(
        lambda: (
            [e["start"].get("dateTime", "")[:10] for e in _in_google(alice, first)] == [moved_to]
        ),
        what="its event moved in Google",
    )
    assert _due(alice, eli) == eli_planned
    assert by_hand["id"] in {t[0] for t in eli_planned}
    assert _due(alice, fran) == fran_planned
    assert _due(alice, gil) == gil_planned
    assert _in_google(alice, gils) == [], "not made again behind the user's back"
    assert alice.api.get(f"/api/touchpoints/{gils['id']}").json()["needsDate"] is True
    time.sleep(1.5)  # reviewed again, three times: nothing moves further
    assert _due(alice, dana) == [(first["id"], moved_to, "cadence")]
