"""A touchpoint deleted: its event goes, and a contact's cadence goes on, planning the next
from its day as skipping does (one occurrence deleted, not the series)."""

from __future__ import annotations

from datetime import date, timedelta

from tests.app.test_touchpoints import _contact, _day, _in_google, _plan, _planned, _working
from tests.support.app import AppHarness


def test_deleting_the_cadences_touchpoint_plans_the_next_a_cadence_later(
    app: AppHarness,
) -> None:
    alice = app.user()
    dana = _contact(alice, cadence={"every": 2, "unit": "week"})
    [first] = _planned(alice, dana)
    assert alice.api.delete(f"/api/touchpoints/{first['id']}").status_code == 204
    assert _in_google(alice, first) == []
    [following] = _planned(alice, dana)
    wanted = _working(date.fromisoformat(first["dueDate"]) + timedelta(days=14))
    assert (following["dueDate"], following["origin"]) == (wanted.isoformat(), "cadence")
    assert len(_in_google(alice, following)) == 1, "its event, in Google"
    contact = alice.api.get(f"/api/contacts/{dana['id']}").json()
    assert contact["nextTouchpoint"]["id"] == following["id"]


def test_a_deleted_touchpoint_plans_nothing_without_a_cadence_or_beside_another(
    app: AppHarness,
) -> None:
    alice = app.user()
    eli = _contact(alice, "Eli Vance")
    alone = _plan(alice, eli, dueDate=_day(3).isoformat())
    assert alice.api.delete(f"/api/touchpoints/{alone['id']}").status_code == 204
    assert _planned(alice, eli) == [], "no cadence: nothing planned"

    dana = _contact(alice, cadence={"every": 2, "unit": "week"})
    [by_cadence] = _planned(alice, dana)
    done = alice.api.patch(f"/api/touchpoints/{by_cadence['id']}", json={"status": "done"})
    assert done.status_code == 200, done.text
    [next_one] = _planned(alice, dana)
    assert alice.api.delete(f"/api/touchpoints/{by_cadence['id']}").status_code == 204
    assert [t["id"] for t in _planned(alice, dana)] == [next_one["id"]], "a done one: no more"

    fran = _contact(alice, "Fran Kubelik")
    by_hand = _plan(alice, fran, dueDate=_day(2).isoformat())
    monthly = {"cadence": {"every": 1, "unit": "month"}}
    assert alice.api.patch(f"/api/contacts/{fran['id']}", json=monthly).status_code == 200
    assert [t["origin"] for t in _planned(alice, fran)] == ["manual"], "one planned already"
    assert alice.api.delete(f"/api/contacts/{fran['id']}").status_code == 200
    assert alice.api.delete(f"/api/touchpoints/{by_hand['id']}").status_code == 204
    assert _planned(alice, fran) == [], "an archived contact's cadence plans nothing"


def test_deleting_a_touchpoint_planned_by_hand_lets_the_cadence_plan_one(
    app: AppHarness,
) -> None:
    alice = app.user()
    fran = _contact(alice, "Fran Kubelik")
    by_hand = _plan(alice, fran, dueDate=_day(2).isoformat())
    monthly = {"cadence": {"every": 1, "unit": "month"}}
    assert alice.api.patch(f"/api/contacts/{fran['id']}", json=monthly).status_code == 200
    assert alice.api.delete(f"/api/touchpoints/{by_hand['id']}").status_code == 204
    [following] = _planned(alice, fran)
    assert following["origin"] == "cadence"
    assert date.fromisoformat(following["dueDate"]) > date.fromisoformat(by_hand["dueDate"])
