"""Edits on both sides: merged when they touch different fields, otherwise a conflict that the
user resolves; deletions on one side and edits on the other are conflicts too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.app import ApiUser, AppHarness


def _edit_in_google(user: ApiUser, event: dict[str, Any], **fields: Any) -> dict[str, Any]:
    response = user.google.patch(f"/events/{event['googleEventId']}", json=fields)
    assert response.status_code == 200
    return dict(response.json())


def _conflicting(app: AppHarness) -> tuple[ApiUser, dict[str, Any], dict[str, Any]]:
    alice = app.user()
    event = alice.create(title="Intro call", location="Room 1").json()
    _edit_in_google(alice, event, summary="Changed in Google")
    response = alice.api.patch(
        f"/api/calendar/events/{event['id']}",
        json={"title": "Changed in the CRM"},
        headers={"If-Match": event["etag"]},
    )
    assert response.status_code == 409, response.text
    return alice, event, response.json()["error"]


def test_edit_in_google_then_stale_patch_is_409_naming_fields_with_both_versions(
    app: AppHarness,
) -> None:
    _, event, error = _conflicting(app)
    assert error["code"] == "CALENDAR_CONFLICT"
    assert error["action"]
    conflict = error["details"]["conflict"]
    assert conflict["fields"] == ["title"]
    assert conflict["local"]["title"] == "Changed in the CRM"
    assert conflict["remote"]["title"] == "Changed in Google"
    assert conflict["base"]["title"] == "Intro call"
    assert conflict["resolutions"] == ["keep_local", "keep_remote", "merge"]
    assert error["details"]["eventId"] == event["id"]


def test_open_conflicts_are_listed_and_block_further_edits(app: AppHarness) -> None:
    alice, event, _ = _conflicting(app)
    listed = alice.api.get("/api/calendar/conflicts").json()["items"]
    assert [c["eventId"] for c in listed] == [event["id"]]
    shown = alice.api.get(f"/api/calendar/events/{event['id']}").json()
    assert shown["syncStatus"] == "conflict"
    blocked = alice.api.patch(f"/api/calendar/events/{event['id']}", json={"title": "x"})
    assert blocked.status_code == 409


@pytest.mark.parametrize(
    ("resolution", "extra", "expected"),
    [
        ("keep_local", {}, "Changed in the CRM"),
        ("keep_remote", {}, "Changed in Google"),
        ("merge", {"fields": {"title": "remote"}}, "Changed in Google"),
        ("merge", {"values": {"title": "Both, merged by hand"}}, "Both, merged by hand"),
    ],
)
def test_each_resolution_leaves_the_right_state_in_both_places(
    app: AppHarness, resolution: str, extra: dict[str, Any], expected: str
) -> None:
    alice, event, _ = _conflicting(app)
    response = alice.api.post(
        f"/api/calendar/events/{event['id']}/conflict", json={"resolution": resolution, **extra}
    )
    assert response.status_code == 200, response.text
    resolved = response.json()
    assert resolved["syncStatus"] == "synced"
    assert resolved["title"] == expected
    assert resolved["conflict"] is None
    remote = alice.google.get(f"/events/{event['googleEventId']}").json()
    assert remote["summary"] == expected
    # touchbase holds Google's current version: the next change goes straight through.
    follow = alice.api.patch(
        f"/api/calendar/events/{event['id']}",
        json={"location": "Room 2"},
        headers={"If-Match": resolved["etag"]},
    )
    assert follow.status_code == 200, follow.text
    assert follow.json()["syncStatus"] == "synced"
    assert alice.google.get(f"/events/{event['googleEventId']}").json()["location"] == "Room 2"
    assert alice.api.get("/api/calendar/conflicts").json()["items"] == []
    assert (
        alice.api.patch(f"/api/calendar/events/{event['id']}", json={"location": "Room 9"}).json()[
            "syncStatus"
        ]
        == "synced"
    )


def test_merge_keeps_changes_that_did_not_conflict(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create(title="Intro", location="Room 1").json()
    _edit_in_google(alice, event, summary="Google title", description="notes from Google")
    alice.api.patch(
        f"/api/calendar/events/{event['id']}",
        json={"title": "CRM title", "location": "Room 2"},
        headers={"If-Match": event["etag"]},
    )
    merged = alice.api.post(
        f"/api/calendar/events/{event['id']}/conflict",
        json={"resolution": "merge", "fields": {"title": "local"}},
    ).json()
    assert (merged["title"], merged["location"], merged["description"]) == (
        "CRM title",
        "Room 2",
        "notes from Google",
    )


def test_edits_to_different_fields_merge_by_themselves(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create(title="Intro", location="Room 1").json()
    _edit_in_google(alice, event, location="Room 7")
    response = alice.api.patch(
        f"/api/calendar/events/{event['id']}",
        json={"title": "Intro with Dana"},
        headers={"If-Match": event["etag"]},
    )
    assert response.status_code == 200, response.text
    merged = response.json()
    assert (merged["title"], merged["location"], merged["syncStatus"]) == (
        "Intro with Dana",
        "Room 7",
        "synced",
    )
    remote = alice.google.get(f"/events/{event['googleEventId']}").json()
    assert (remote["summary"], remote["location"]) == ("Intro with Dana", "Room 7")
    actions = [
        e["action"]
        for e in alice.api.get("/api/audit", params={"eventId": event["id"]}).json()["items"]
    ]
    assert actions[:2] == ["merge", "update"]


def test_etag_older_than_the_cache_is_409_and_writes_nothing(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create(title="v1").json()
    alice.api.patch(f"/api/calendar/events/{event['id']}", json={"title": "v2"})
    stale = alice.api.patch(
        f"/api/calendar/events/{event['id']}",
        json={"title": "v3"},
        headers={"If-Match": event["etag"]},
    )
    assert stale.status_code == 409
    details = stale.json()["error"]["details"]
    assert details["fields"] == ["title"]
    assert details["current"]["title"] == "v2"
    assert alice.api.get(f"/api/calendar/events/{event['id']}").json()["title"] == "v2"
    also_stale = alice.api.delete(
        f"/api/calendar/events/{event['id']}", headers={"If-Match": event["etag"]}
    )
    assert also_stale.status_code == 409


def _deleted_in_google_then_edited(app: AppHarness) -> tuple[ApiUser, dict[str, Any]]:
    alice = app.user()
    event = alice.create(title="Planned").json()
    assert alice.google.delete(f"/events/{event['googleEventId']}").status_code == 204
    response = alice.api.patch(
        f"/api/calendar/events/{event['id']}", json={"title": "Planned, edited"}
    )
    assert response.status_code == 409, response.text
    conflict = response.json()["error"]["details"]["conflict"]
    assert conflict["kind"] == "deleted_remotely"
    assert conflict["resolutions"] == ["recreate", "discard"]
    return alice, event


def test_deleted_in_google_then_edited_here_can_be_recreated(app: AppHarness) -> None:
    alice, event = _deleted_in_google_then_edited(app)
    recreated = alice.api.post(
        f"/api/calendar/events/{event['id']}/conflict", json={"resolution": "recreate"}
    ).json()
    assert recreated["syncStatus"] == "synced"
    assert recreated["googleEventId"] != event["googleEventId"]
    live = [e for e in alice.google_events() if e["status"] == "confirmed"]
    assert [e["summary"] for e in live] == ["Planned, edited"]


def test_deleted_in_google_then_edited_here_can_be_discarded(app: AppHarness) -> None:
    alice, event = _deleted_in_google_then_edited(app)
    discarded = alice.api.post(
        f"/api/calendar/events/{event['id']}/conflict", json={"resolution": "discard"}
    )
    assert discarded.status_code == 200
    assert alice.api.get("/api/calendar/events").json()["items"] == []
    assert all(e["status"] == "cancelled" for e in alice.google_events())


def test_edited_in_google_then_deleted_here_is_a_conflict(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create(title="Keep?").json()
    _edit_in_google(alice, event, summary="Edited in Google")
    response = alice.api.delete(
        f"/api/calendar/events/{event['id']}", headers={"If-Match": event["etag"]}
    )
    assert response.status_code == 409
    conflict = response.json()["error"]["details"]["conflict"]
    assert conflict["kind"] == "deleted_locally"
    assert conflict["fields"] == ["title"]
    restored = alice.api.post(
        f"/api/calendar/events/{event['id']}/conflict", json={"resolution": "keep_remote"}
    ).json()
    assert (restored["title"], restored["deleted"], restored["syncStatus"]) == (
        "Edited in Google",
        False,
        "synced",
    )
    assert alice.google.get(f"/events/{event['googleEventId']}").json()["status"] == "confirmed"


def test_edited_in_google_then_deleted_here_can_be_deleted_anyway(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create(title="Delete me").json()
    _edit_in_google(alice, event, summary="Edited in Google")
    alice.api.delete(f"/api/calendar/events/{event['id']}", headers={"If-Match": event["etag"]})
    done = alice.api.post(
        f"/api/calendar/events/{event['id']}/conflict", json={"resolution": "keep_local"}
    )
    assert done.status_code == 200
    assert alice.google.get(f"/events/{event['googleEventId']}").json()["status"] == "cancelled"
    assert alice.api.get("/api/calendar/events").json()["items"] == []


def test_resolution_must_fit_the_conflict(app: AppHarness) -> None:
    alice, event, _ = _conflicting(app)
    wrong = alice.api.post(
        f"/api/calendar/events/{event['id']}/conflict", json={"resolution": "recreate"}
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"]["details"]["allowed"] == ["keep_local", "keep_remote", "merge"]
    unknown = alice.api.post(
        f"/api/calendar/events/{event['id']}/conflict",
        json={"resolution": "merge", "fields": {"colour": "local"}},
    )
    assert unknown.status_code == 400
    assert alice.api.get("/api/calendar/conflicts").json()["items"] != []


def _touchpoint_and_event(user: ApiUser) -> tuple[dict[str, Any], dict[str, Any]]:
    """A touchpoint planned for a new contact, and its event."""
    dana = user.api.post("/api/contacts", json={"name": "Dana Scully"}).json()
    touchpoint = user.api.post(
        "/api/touchpoints", json={"contactId": dana["id"], "dueDate": "2031-03-04"}
    ).json()
    return touchpoint, user.api.get(f"/api/calendar/events/{touchpoint['eventId']}").json()


def test_an_event_kept_from_google_no_longer_names_the_touchpoint_deleted_here(
    app: AppHarness,
) -> None:
    alice = app.user()
    touchpoint, event = _touchpoint_and_event(alice)
    _edit_in_google(alice, event, summary="Moved in Google")
    alice.api.delete(f"/api/touchpoints/{touchpoint['id']}")  # its event's delete: a conflict
    assert alice.api.get(f"/api/touchpoints/{touchpoint['id']}").status_code == 404

    kept = alice.api.post(
        f"/api/calendar/events/{event['id']}/conflict", json={"resolution": "keep_remote"}
    )
    assert kept.status_code == 200, kept.text
    assert (kept.json()["title"], kept.json()["touchpointId"]) == ("Moved in Google", None)
    in_google = alice.google.get(f"/events/{event['googleEventId']}").json()
    assert in_google["status"] == "confirmed"
    private = in_google.get("extendedProperties", {}).get("private", {})
    assert "touchbaseTouchpointId" not in private, "it names no touchpoint that is gone"


def _move_in_google(user: ApiUser, event: dict[str, Any]) -> None:
    start = datetime.fromisoformat(event["startTime"]) + timedelta(hours=2)
    _edit_in_google(
        user,
        event,
        start={"dateTime": start.isoformat()},
        end={"dateTime": (start + timedelta(minutes=30)).isoformat()},
    )


def test_a_touchpoint_change_that_meets_an_edit_in_google_is_answered_for_what_it_did(
    app: AppHarness,
) -> None:
    alice = app.user()
    touchpoint, event = _touchpoint_and_event(alice)
    path = f"/api/touchpoints/{touchpoint['id']}"
    _move_in_google(alice, event)
    moved = alice.api.patch(path, json={"dueDate": "2031-03-11"})
    assert moved.status_code == 200, moved.text  # committed: the event's move waits
    assert (moved.json()["dueDate"], moved.json()["eventSyncStatus"]) == ("2031-03-11", "conflict")
    [conflict] = alice.api.get("/api/calendar/conflicts").json()["items"]
    assert conflict["eventId"] == event["id"]
    assert alice.api.patch(path, json={"message": "Again"}).status_code == 409, "until settled"

    settled = alice.api.post(
        f"/api/calendar/events/{event['id']}/conflict", json={"resolution": "keep_local"}
    )
    assert settled.status_code == 200, settled.text
    assert alice.api.get(path).json()["eventSyncStatus"] == "synced"
    _edit_in_google(alice, event, description="Agenda added in Google")
    done = alice.api.patch(path, json={"status": "done", "deleteEvent": True})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "done"

    other, its_event = _touchpoint_and_event(alice)
    _edit_in_google(alice, its_event, location="Moved in Google")
    gone = alice.api.delete(f"/api/touchpoints/{other['id']}")
    assert gone.status_code == 204, gone.text
    assert alice.api.get(f"/api/touchpoints/{other['id']}").status_code == 404
    its_delete = alice.api.get(f"/api/calendar/events/{its_event['id']}").json()
    assert (its_delete["deleted"], its_delete["syncStatus"]) == (True, "conflict")
    assert its_delete["conflict"]["kind"] == "deleted_locally"
    waiting = {c["eventId"] for c in alice.api.get("/api/calendar/conflicts").json()["items"]}
    assert waiting == {event["id"], its_event["id"]}

    third, third_event = _touchpoint_and_event(alice)
    _move_in_google(alice, third_event)
    contact = alice.api.patch(
        f"/api/contacts/{third['contactId']}", json={"nextTouchpointDate": "2031-04-01"}
    )
    assert contact.status_code == 200, contact.text
    listed = alice.api.get("/api/touchpoints", params={"contactId": third["contactId"]})
    [planned] = listed.json()["items"]
    assert (planned["dueDate"], planned["eventSyncStatus"]) == ("2031-04-01", "conflict")


def test_a_touchpoint_waits_while_its_events_delete_meets_an_edit_in_google(
    app: AppHarness,
) -> None:
    alice = app.user()
    touchpoint, event = _touchpoint_and_event(alice)
    _edit_in_google(alice, event, description="Agenda added in Google")
    deleted = alice.api.delete(f"/api/calendar/events/{event['id']}")
    assert deleted.json()["error"]["details"]["conflict"]["kind"] == "deleted_locally"

    path = f"/api/touchpoints/{touchpoint['id']}"
    moved = alice.api.patch(path, json={"dueDate": "2031-03-20"})
    assert moved.status_code == 409, "no second event while the first one's fate is open"
    assert alice.api.delete(path).status_code == 409

    kept = alice.api.post(
        f"/api/calendar/events/{event['id']}/conflict", json={"resolution": "keep_remote"}
    )
    assert kept.status_code == 200, kept.text
    back = alice.api.get(path).json()
    assert (back["eventId"], back["dueDate"], back["needsDate"]) == (
        event["id"],
        "2031-03-04",
        False,
    )
    tagged = [
        e
        for e in alice.google_events()
        if e.get("status") != "cancelled"
        and e.get("extendedProperties", {}).get("private", {}).get("touchbaseTouchpointId")
        == touchpoint["id"]
    ]
    assert [e["id"] for e in tagged] == [event["googleEventId"]]


def test_a_logged_meeting_is_logged_when_the_cadences_move_meets_an_edit_in_google(
    app: AppHarness,
) -> None:
    alice = app.user()
    alice.meeting("Intro", datetime.now(UTC) - timedelta(days=10), attendees=["dana@acme.example"])
    dana = alice.api.post(
        "/api/contacts",
        json={
            "name": "Dana",
            "emails": ["dana@acme.example"],
            "cadence": {"every": 3, "unit": "week"},
        },
    ).json()
    planned = alice.api.get("/api/touchpoints", params={"contactId": dana["id"]}).json()["items"]
    event = alice.api.get(f"/api/calendar/events/{planned[0]['eventId']}").json()
    moved = (datetime.now(UTC) + timedelta(days=12)).replace(
        hour=15, minute=0, second=0, microsecond=0
    )
    _edit_in_google(
        alice,
        event,
        start={"dateTime": moved.isoformat()},
        end={"dateTime": (moved + timedelta(minutes=30)).isoformat()},
    )

    path = f"/api/contacts/{dana['id']}/interactions"
    lunch = {"outcome": "held", "occurredAt": (datetime.now(UTC) - timedelta(days=5)).isoformat()}
    logged = alice.api.post(path, json=lunch)
    assert logged.status_code == 201, logged.text  # the cadence's move waits in a conflict
    [conflict] = alice.api.get("/api/calendar/conflicts").json()["items"]
    assert conflict["eventId"] == event["id"]
    [waiting] = alice.api.get("/api/touchpoints", params={"contactId": dana["id"]}).json()["items"]

    call = alice.api.post(path, json={"outcome": "held", "notes": "Call"})
    assert call.status_code == 201, "logged, though the touchpoint's event waits in a conflict"
    [left] = alice.api.get("/api/touchpoints", params={"contactId": dana["id"]}).json()["items"]
    assert left["dueDate"] == waiting["dueDate"], "left where it is until the user settles it"
