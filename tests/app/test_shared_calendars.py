"""Calendars another person shares with the user: one shared to view only takes no change
(refused before anything is written, not queued for a Google that will refuse it), and the
meetings in a shared calendar are the user's only where the user is a guest."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.app import ApiUser, AppHarness, RequestWatch
from tests.support.sharing import BOB, google_as, meeting, shared_with
from tests.support.sync import sync


def _in_calendar(alice: ApiUser, calendar_id: str) -> list[dict[str, Any]]:
    listed = alice.api.get(
        "/api/calendar/events",
        params={"start": "2026-01-01T00:00:00Z", "end": "2028-01-01T00:00:00Z"},
    ).json()["items"]
    return [e for e in listed if e["calendarId"] == calendar_id]


def test_a_calendar_shared_to_view_only_takes_no_change(app: AppHarness) -> None:
    app.user(BOB)
    alice = app.user("alice@example.com")
    start = datetime(2027, 3, 1, 10, tzinfo=UTC)
    shared, calendar = shared_with(app, alice, "reader", meeting(start, "Bob's review"))
    assert (calendar["accessRole"], calendar["writable"]) == ("reader", False)
    [bobs] = _in_calendar(alice, calendar["id"])

    made = alice.create(calendarId=calendar["id"], title="Alice's note")
    assert made.status_code == 422, made.text
    assert made.json()["error"]["details"]["field"] == "calendarId"
    assert "view only" in made.json()["error"]["message"]
    changed = alice.api.patch(f"/api/calendar/events/{bobs['id']}", json={"title": "Renamed"})
    assert changed.status_code == 403, changed.text
    assert changed.json()["error"]["code"] == "CALENDAR_READ_ONLY"
    deleted = alice.api.delete(f"/api/calendar/events/{bobs['id']}")
    assert deleted.status_code == 403, deleted.text
    assert [(e["title"], e["syncStatus"]) for e in _in_calendar(alice, calendar["id"])] == [
        ("Bob's review", "synced")
    ]
    in_google = google_as(app, BOB).get(f"/calendars/{shared}/events").json()["items"]
    assert [e["summary"] for e in in_google] == ["Bob's review"]

    # Made a writer, she may change it (her touchbase learns so when it lists her calendars).
    rule = f"/calendars/{shared}/acl/user:{alice.email}"
    assert google_as(app, BOB).patch(rule, json={"role": "writer"}).status_code == 200
    listed = alice.api.get("/api/calendar/calendars").json()["items"]
    assert next(c for c in listed if c["id"] == calendar["id"])["writable"] is True
    changed = alice.api.patch(f"/api/calendar/events/{bobs['id']}", json={"title": "Renamed"})
    assert changed.status_code == 200, changed.text
    in_google = google_as(app, BOB).get(f"/calendars/{shared}/events").json()["items"]
    assert [e["summary"] for e in in_google] == ["Renamed"]


def test_a_change_google_refuses_for_a_calendar_now_read_only_says_so(app: AppHarness) -> None:
    app.user(BOB)
    alice = app.user("alice@example.com")
    start = datetime(2027, 3, 1, 10, tzinfo=UTC)
    shared, calendar = shared_with(app, alice, "writer", meeting(start, "Bob's review"))
    [bobs] = _in_calendar(alice, calendar["id"])
    rule = f"/calendars/{shared}/acl/user:{alice.email}"
    assert google_as(app, BOB).patch(rule, json={"role": "reader"}).status_code == 200

    changed = alice.api.patch(f"/api/calendar/events/{bobs['id']}", json={"title": "Renamed"})
    assert changed.status_code == 200, changed.text
    error = changed.json()["lastError"]
    assert error["code"] == "CALENDAR_READ_ONLY", error
    assert "view only" in error["message"]


@pytest.mark.parametrize(
    ("role", "bobs_primary"),
    [("reader", False), ("owner", True), ("owner", False)],
    ids=[
        "a calendar of his shared to read",
        "his own calendar shared to manage",
        "a secondary calendar of his shared to manage",
    ],
)
def test_another_persons_meetings_in_a_shared_calendar_are_not_the_users(
    app: AppHarness, role: str, bobs_primary: bool
) -> None:
    app.user(BOB)
    alice = app.user("alice@example.com")
    now = datetime.now(UTC).replace(microsecond=0)
    bobs_alone = meeting(now - timedelta(days=3), "Bob and Carol", "carol@example.com")
    with_alice = meeting(
        now - timedelta(days=5), "Bob, Alice and Dave", "dave@example.com", alice.email
    )
    shared, _ = shared_with(app, alice, role, bobs_alone, with_alice, bobs_primary=bobs_primary)
    listed = alice.api.get("/api/calendar/calendars").json()["items"]
    calendar = next(c for c in listed if c["googleCalendarId"] == shared)
    assert (calendar["accessRole"], calendar["shared"]) == (role, True)
    carol = alice.api.post(
        "/api/contacts", json={"name": "Carol", "emails": ["carol@example.com"]}
    ).json()
    dave = alice.api.post("/api/contacts", json={"name": "Dave", "emails": ["dave@example.com"]})
    dave_id = dave.json()["id"]

    assert alice.api.get(f"/api/contacts/{carol['id']}").json()["lastContacted"] is None
    timeline = alice.api.get(f"/api/contacts/{carol['id']}/timeline").json()
    assert (timeline["past"], timeline["lastContacted"]) == ([], None), timeline
    seen = datetime.fromisoformat(alice.api.get(f"/api/contacts/{dave_id}").json()["lastContacted"])
    assert seen == now - timedelta(days=5) + timedelta(hours=1)
    listed = alice.api.get("/api/contacts", params={"sort": "last_contacted"}).json()["items"]
    assert {c["name"]: c["lastContacted"] is not None for c in listed} == {
        "Carol": False,
        "Dave": True,
    }

    # Her own meeting with Carol, in her own calendar, is hers.
    alice.meeting("Alice and Carol", now - timedelta(days=8), attendees=["carol@example.com"])
    seen = datetime.fromisoformat(
        alice.api.get(f"/api/contacts/{carol['id']}").json()["lastContacted"]
    )
    assert seen == now - timedelta(days=8) + timedelta(minutes=30)


def test_the_users_own_secondary_calendars_are_hers_and_google_is_asked_once(
    app: AppHarness,
) -> None:
    alice = app.user("alice@example.com")
    now = datetime.now(UTC).replace(microsecond=0)
    google = google_as(app, alice.email)
    own = google.post("/calendars", json={"summary": "Alice's clients"}).json()["id"]
    assert google.post("/calendars", json={"summary": "Alice's team"}).status_code == 200
    with_carol = meeting(now - timedelta(days=3), "Alice and Carol", "carol@example.com")
    assert google.post(f"/calendars/{own}/events", json=with_carol).status_code == 200
    app.emulator.http.delete(app.emulator.url + "/_emulator/stats")
    listed = alice.api.get("/api/calendar/calendars").json()["items"]
    calendar = next(c for c in listed if c["googleCalendarId"] == own)
    assert (calendar["accessRole"], calendar["shared"]) == ("owner", False)
    chosen = alice.api.patch(
        f"/api/calendar/calendars/{calendar['id']}", json={"syncEnabled": True}
    )
    assert chosen.status_code == 200, chosen.text
    assert sync(alice)["status"] == "succeeded"
    carol = alice.api.post(
        "/api/contacts", json={"name": "Carol", "emails": ["carol@example.com"]}
    ).json()

    seen = alice.api.get(f"/api/contacts/{carol['id']}").json()["lastContacted"]
    assert datetime.fromisoformat(seen) == now - timedelta(days=3) + timedelta(hours=1)
    alice.api.get("/api/calendar/calendars")  # the list read again: whose it is is known
    asked = app.emulator.stats()["byMethod"].get("calendar.v3.Calendars.Get", 0)
    assert asked == 2, "each secondary calendar once"


def test_a_calendar_no_longer_shared_is_forgotten_and_the_rest_still_syncs(
    app: AppHarness,
) -> None:
    app.user(BOB)
    alice = app.user("alice@example.com")
    start = datetime(2027, 3, 1, 10, tzinfo=UTC)
    shared, calendar = shared_with(app, alice, "reader", meeting(start, "Bob's review"))
    [bobs] = _in_calendar(alice, calendar["id"])
    assert alice.google.post("/events", json=meeting(start, "Dentist")).status_code == 200
    unshared = google_as(app, BOB).delete(f"/calendars/{shared}/acl/user:{alice.email}")
    assert unshared.status_code == 204

    run = sync(alice)
    assert run["status"] == "succeeded", run
    assert {c["summary"]: c["status"] for c in run["calendars"]} == {
        "Bob's clients": "removed",
        alice.email: "succeeded",
    }
    assert run["counts"]["pulled"] == 1  # her own calendar synced all the same
    listed = alice.api.get("/api/calendar/calendars").json()["items"]
    assert [c["summary"] for c in listed] == [alice.email]
    assert _in_calendar(alice, calendar["id"]) == []
    assert alice.api.get(f"/api/calendar/events/{bobs['id']}").status_code == 404
    assert sync(alice)["status"] == "succeeded"


def test_a_calendar_hidden_in_googles_list_is_kept(app: AppHarness) -> None:
    alice = app.user("alice@example.com")
    google = google_as(app, alice.email)
    gym = google.post("/calendars", json={"summary": "Gym"}).json()["id"]
    hidden = google.patch(f"/users/me/calendarList/{gym}", json={"hidden": True})
    assert hidden.status_code == 200, hidden.text
    listed = alice.api.get("/api/calendar/calendars").json()["items"]
    [kept] = [c for c in listed if c["googleCalendarId"] == gym]
    chosen = alice.api.patch(f"/api/calendar/calendars/{kept['id']}", json={"syncEnabled": True})
    assert chosen.status_code == 200
    assert sync(alice)["status"] == "succeeded"
    listed = alice.api.get("/api/calendar/calendars").json()["items"]
    assert [c["syncEnabled"] for c in listed if c["googleCalendarId"] == gym] == [True]


def test_one_calendar_google_refuses_to_list_fails_alone(app: AppHarness) -> None:
    app.user(BOB)
    alice = app.user("alice@example.com")
    start = datetime(2027, 3, 1, 10, tzinfo=UTC)
    shared, calendar = shared_with(app, alice, "reader", meeting(start, "Bob's review"))
    rule = f"/calendars/{shared}/acl/user:{alice.email}"
    lowered = google_as(app, BOB).patch(rule, json={"role": "freeBusyReader"})
    assert lowered.status_code == 200, lowered.text
    assert alice.google.post("/events", json=meeting(start, "Dentist")).status_code == 200

    run = sync(alice)  # "Bob's clients" goes first (by name) and is refused
    assert run["status"] == "failed", run
    assert run["error"]["message"] == (
        "Bob's clients: This calendar shares only when its owner is busy with you, not its events."
    )
    assert {c["summary"]: c["status"] for c in run["calendars"]} == {
        "Bob's clients": "failed",
        alice.email: "succeeded",
    }
    assert run["counts"]["pulled"] == 1  # her own calendar synced all the same

    # Known for what it is, it is synced no more, and cannot be chosen to be.
    listed = alice.api.get("/api/calendar/calendars").json()["items"]
    [busy_only] = [c for c in listed if c["id"] == calendar["id"]]
    assert (busy_only["accessRole"], busy_only["syncEnabled"]) == ("freeBusyReader", False)
    on = alice.api.patch(f"/api/calendar/calendars/{calendar['id']}", json={"syncEnabled": True})
    assert on.status_code == 422, on.text
    assert on.json()["error"]["details"]["field"] == "syncEnabled"


@pytest.mark.timing
def test_forgetting_a_large_calendar_stalls_no_other_request(app: AppHarness) -> None:
    if not app.database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's driver never holds the loop while the server works")
    alice = app.user("alice@example.com")
    shared, start = "big@group.calendar.google.com", datetime(2026, 1, 1, tzinfo=UTC)
    events = [
        meeting(start + timedelta(hours=i), f"Meeting {i}", f"guest{i % 500}@example.com")
        for i in range(40_000)
    ]
    calendars = [{"id": shared, "summary": "Bob's archive", "events": events}]
    app.emulator.seed({"users": [{"email": BOB, "calendars": calendars}]})
    bob = google_as(app, BOB)
    scope = {"type": "user", "value": alice.email}
    assert bob.post(f"/calendars/{shared}/acl", json={"role": "reader", "scope": scope}).is_success
    added = google_as(app, alice.email).post("/users/me/calendarList", json={"id": shared})
    assert added.is_success
    [big] = [
        c
        for c in alice.api.get("/api/calendar/calendars").json()["items"]
        if c["googleCalendarId"] == shared
    ]
    alice.api.patch(f"/api/calendar/calendars/{big['id']}", json={"syncEnabled": True})
    assert sync(alice, timeout=300)["counts"]["pulled"] == 40_000
    assert bob.delete(f"/calendars/{shared}/acl/user:{alice.email}").status_code == 204

    with RequestWatch(app.url) as watch:
        time.sleep(0.2)
        listed = alice.api.get("/api/calendar/calendars").json()["items"]
        time.sleep(0.2)
    assert [c["summary"] for c in listed] == [alice.email]
    assert _in_calendar(alice, big["id"]) == []
    assert watch.failures == 0
    assert watch.slowest < 0.3, watch.slowest  # the 40,000 events deleted on the loop: 0.7 s


def test_a_calendar_left_out_of_the_list_but_still_shown_is_kept(app: AppHarness) -> None:
    """Only a calendar Google no longer shows the user is forgotten: one merely left out of
    their calendar list (here removed from it by them, still theirs) keeps its cache and the
    choice to sync it."""
    alice = app.user("alice@example.com")
    google = google_as(app, alice.email)
    gym = google.post("/calendars", json={"summary": "Gym"}).json()["id"]
    swim = meeting(datetime(2027, 3, 1, 7, tzinfo=UTC), "Swim")
    assert google.post(f"/calendars/{gym}/events", json=swim).is_success
    listed = alice.api.get("/api/calendar/calendars").json()["items"]
    [kept] = [c for c in listed if c["googleCalendarId"] == gym]
    alice.api.patch(f"/api/calendar/calendars/{kept['id']}", json={"syncEnabled": True})
    assert sync(alice)["status"] == "succeeded"
    assert google.delete(f"/users/me/calendarList/{gym}").status_code == 204

    listed = alice.api.get("/api/calendar/calendars").json()["items"]
    assert [(c["summary"], c["syncEnabled"]) for c in listed if c["id"] == kept["id"]] == [
        ("Gym", True)
    ]
    assert [e["title"] for e in _in_calendar(alice, kept["id"])] == ["Swim"]
    assert sync(alice)["status"] == "succeeded"
