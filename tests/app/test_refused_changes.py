"""A change Google Calendar refused for good stays in sight (the event says why), and the
user may drop it: the event is again as Google has it, nothing is sent, and later changes go
out as any other."""

from __future__ import annotations

from typing import Any

from tests.support.app import ApiUser, AppHarness


def _refused(app: AppHarness, user: ApiUser, event: dict[str, Any], **change: Any) -> Any:
    """`change` made to the event, which Google refuses (400) once."""
    app.emulator.fault(method="PATCH", status=400, reason="badRequest", times=1)
    made = user.api.patch(f"/api/calendar/events/{event['id']}", json=change)
    assert (made.status_code, made.json()["syncStatus"]) == (200, "error"), made.text
    return made.json()


def _discard(user: ApiUser, event: dict[str, Any]) -> Any:
    return user.api.post(f"/api/calendar/events/{event['id']}/discard")


def test_a_refused_change_is_dropped_and_google_s_version_is_back(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create(title="Budget call", location="Room 1").json()
    refused = _refused(app, alice, event, title="Budget call v2", location="Room 9")
    assert refused["lastError"]["code"] == "CALENDAR_INVALID_EVENT"

    back = _discard(alice, event)
    assert back.status_code == 200, back.text
    body = back.json()
    assert (body["title"], body["location"]) == ("Budget call", "Room 1")
    assert (body["syncStatus"], body["lastError"], body["pendingOperation"]) == (
        "synced",
        None,
        None,
    )
    assert body["etag"] not in (event["etag"], refused["etag"]), "a version of its own"
    [google] = alice.google_events()
    assert (google["summary"], google["location"]) == ("Budget call", "Room 1")
    assert app.emulator.stats()["byMethod"]["calendar.v3.Events.Patch"] == 1, "nothing sent"

    later = alice.api.patch(
        f"/api/calendar/events/{event['id']}",
        json={"title": "Budget call, later"},
        headers={"If-Match": body["etag"]},
    )
    assert (later.status_code, later.json()["syncStatus"]) == (200, "synced"), later.text
    assert alice.google_events()[0]["summary"] == "Budget call, later"
    said = alice.api.get("/api/audit", params={"eventId": event["id"]}).json()["items"]
    assert "discard_refused" in [entry["action"] for entry in said]


def test_a_refused_delete_dropped_brings_the_event_back(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create(title="Standup").json()
    app.emulator.fault(method="DELETE", status=403, reason="forbiddenForNonOrganizer", times=1)
    gone = alice.api.delete(f"/api/calendar/events/{event['id']}")
    assert gone.json()["syncStatus"] == "error", gone.text
    back = _discard(alice, event)
    assert back.status_code == 200, back.text
    assert (back.json()["deleted"], back.json()["syncStatus"]) == (False, "synced")
    listed = alice.api.get("/api/calendar/events").json()["items"]
    assert [e["title"] for e in listed] == ["Standup"]


def test_only_a_refused_change_is_dropped_and_only_by_its_owner(app: AppHarness) -> None:
    alice, bob = app.user(), app.user("bob@example.com")
    event = alice.create(title="Fine").json()
    nothing = _discard(alice, event)
    assert nothing.status_code == 400, nothing.text
    assert "refused no change" in nothing.json()["error"]["message"]
    _refused(app, alice, event, title="Fine v2")
    assert _discard(bob, event).status_code == 404
    assert alice.api.get(f"/api/calendar/events/{event['id']}").json()["title"] == "Fine v2"

    app.emulator.fault(method="POST", path="/events$", status=400, reason="badRequest", times=1)
    never = alice.create(title="Never in Google").json()
    assert never["syncStatus"] == "error"
    refused_new = _discard(alice, never)
    assert refused_new.status_code == 400, refused_new.text
    assert "delete it instead" in refused_new.json()["error"]["message"]
