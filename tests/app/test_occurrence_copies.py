"""Occurrences Google holds no exception for: touchbase keeps no copy of them that would
stand for their slot, whatever a conflict's resolution or a full sync found."""

from __future__ import annotations

from tests.app.test_recurring_scopes import googles, listed, ours, weekly
from tests.support.app import ApiUser, AppHarness
from tests.support.sync import sync


def _deleted_here_while_google_moved_its_place(alice: ApiUser) -> tuple[str, str]:
    """A weekly series whose place Google changes while its second occurrence is deleted
    here: a conflict. (The series' Google id, the occurrence's id.)"""
    series_id = weekly(alice)
    gid = alice.api.get(f"/api/calendar/events/{series_id}").json()["googleEventId"]
    alice.google.patch(f"/events/{gid}", json={"location": "Room 7"})
    second = listed(alice)[1]
    gone = alice.api.delete(f"/api/calendar/events/{second['id']}", params={"scope": "instance"})
    assert gone.status_code == 409, gone.text
    return gid, str(second["id"])


def _keep_googles(alice: ApiUser) -> dict[str, object]:
    [conflict] = alice.api.get("/api/calendar/conflicts").json()["items"]
    assert (conflict["kind"], conflict["fields"]) == ("deleted_locally", ["location"])
    kept = alice.api.post(
        f"/api/calendar/events/{conflict['eventId']}/conflict", json={"resolution": "keep_remote"}
    )
    assert kept.status_code == 200, kept.text
    return dict(kept.json())


def test_googles_version_kept_of_an_occurrence_follows_its_series_again(app: AppHarness) -> None:
    """An occurrence deleted here while Google changed its series is a conflict; keeping
    Google's version leaves no copy of it here that the series' later changes would miss."""
    alice = app.user()
    gid, second = _deleted_here_while_google_moved_its_place(alice)
    assert sync(alice)["status"] == "succeeded"
    kept = _keep_googles(alice)
    assert (kept["id"], kept["location"]) == (second, "Room 7")
    assert ours(alice) == googles(alice)
    alice.google.patch(f"/events/{gid}", json={"summary": "Pipeline sync"})
    assert sync(alice)["status"] == "succeeded"
    assert [title for title, _ in ours(alice)] == ["Pipeline sync"] * 5
    assert ours(alice) == googles(alice)


def test_a_full_sync_leaves_an_occurrence_google_lists_no_exception_for_to_its_series(
    app: AppHarness,
) -> None:
    """Google's version kept before the series' change was read here is a copy; a full
    sync, which finds no exception for it in Google, does not take it for deleted."""
    alice = app.user()
    gid, _ = _deleted_here_while_google_moved_its_place(alice)
    _keep_googles(alice)
    app.emulator.post("/sync-tokens/expire")
    assert sync(alice)["calendars"][0]["full"] is True
    assert len(ours(alice)) == 5
    assert ours(alice) == googles(alice)
    alice.google.patch(f"/events/{gid}", json={"summary": "Pipeline sync"})
    assert sync(alice)["status"] == "succeeded"
    assert [title for title, _ in ours(alice)] == ["Pipeline sync"] * 5


def test_an_occurrence_deletion_waiting_for_google_survives_a_full_sync(app: AppHarness) -> None:
    alice = app.user()
    weekly(alice)
    second = listed(alice)[1]
    app.emulator.fault(method="DELETE", status=503, times=10_000)
    gone = alice.api.delete(f"/api/calendar/events/{second['id']}", params={"scope": "instance"})
    assert gone.status_code == 200, gone.text
    assert gone.json()["syncStatus"] == "pending"
    app.emulator.post("/sync-tokens/expire")
    assert sync(alice)["calendars"][0]["full"] is True
    app.emulator.http.delete(app.emulator.url + "/_emulator/faults")
    assert sync(alice)["status"] == "succeeded"
    assert len(googles(alice)) == 4, "deleted in Google too"
    assert ours(alice) == googles(alice)
