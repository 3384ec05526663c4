"""A renamed contact's planned touchpoints' events take the new name, here and in Google,
where they still bear the title touchbase gave them: one the user retitled keeps theirs, and
the events of touchpoints already done stay as they were."""

from __future__ import annotations

from typing import Any

from tests.app.test_touchpoints import _at, _contact, _day, _in_google, _plan, _planned
from tests.support.app import ApiUser, AppHarness
from tests.support.sync import sync


def _rename(user: ApiUser, contact: dict[str, Any], name: str, **also: Any) -> None:
    renamed = user.api.patch(f"/api/contacts/{contact['id']}", json={"name": name, **also})
    assert (renamed.status_code, renamed.json()["name"]) == (200, name), renamed.text


def _titles(user: ApiUser, touchpoint: dict[str, Any]) -> tuple[str, str]:
    """The title of the touchpoint's event here, and in Google."""
    [in_google] = _in_google(user, touchpoint)
    event_id = user.api.get(f"/api/touchpoints/{touchpoint['id']}").json()["eventId"]
    here = user.api.get(f"/api/calendar/events/{event_id}").json()
    return here["title"], in_google["summary"]


def test_a_renamed_contacts_planned_touchpoints_take_the_new_name(app: AppHarness) -> None:
    alice = app.user()
    dana = _contact(alice, "Dana Scully", cadence={"every": 2, "unit": "week"})
    [by_cadence] = _planned(alice, dana)
    by_hand = _plan(alice, dana, dueAt=_at(3, 11).isoformat())
    retitled = _plan(alice, dana, dueAt=_at(4, 11).isoformat())
    [event] = _in_google(alice, retitled)
    alice.google.patch(f"/events/{event['id']}", json={"summary": "Lunch with Dana"})
    assert sync(alice)["status"] == "succeeded"
    held = _plan(alice, dana, dueAt=_at(-2, 11).isoformat())
    done = alice.api.patch(f"/api/touchpoints/{held['id']}", json={"status": "done"})
    assert done.status_code == 200, done.text

    _rename(alice, dana, "Dana Mulder")

    new = ("Touchpoint: Dana Mulder",) * 2
    assert _titles(alice, by_cadence) == new
    assert _titles(alice, by_hand) == new
    assert _titles(alice, retitled) == ("Lunch with Dana",) * 2, "the user's own title stays"
    assert _titles(alice, held) == ("Touchpoint: Dana Scully",) * 2, "a meeting held stays"


def test_a_rename_with_the_next_touchpoints_date_moves_and_renames_its_event(
    app: AppHarness,
) -> None:
    alice = app.user()
    eli = _contact(alice, "Eli Vance")
    planned = _plan(alice, eli, dueAt=_at(3, 11).isoformat())

    _rename(alice, eli, "Eli Vance Jr", nextTouchpointDate=_day(5).isoformat())

    [moved] = _in_google(alice, planned)
    assert moved["summary"] == "Touchpoint: Eli Vance Jr"
    assert moved["start"]["dateTime"].startswith(_day(5).isoformat())
