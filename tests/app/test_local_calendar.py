"""A calendar kept on touchbase only: a user without Google starts with one, its events work
at once and never wait for Google, and once Google is connected they move into it."""

from __future__ import annotations

from tests.support.app import AppHarness, wait_for


def test_a_local_calendar_works_without_google_then_moves_into_it(app: AppHarness) -> None:
    alice = app.user(connect=False)
    refused = alice.create(title="Before any calendar")
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["message"] == "Google Calendar is not connected."
    local = alice.api.post("/api/calendar/local")
    assert local.status_code == 201, local.text
    assert local.json()["isLocal"] is True
    assert alice.api.post("/api/calendar/local").json()["id"] == local.json()["id"], "once"

    kept = alice.create(title="Intro call", attendees=["dana@acme.example"]).json()
    assert kept["syncStatus"] == "local"
    series = alice.create(
        title="Weekly review", recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"], timeZone="UTC"
    ).json()
    gone = alice.create(title="Cancelled lunch").json()
    renamed = alice.api.patch(f"/api/calendar/events/{kept['id']}", json={"title": "Intro call!"})
    assert renamed.json()["syncStatus"] == "local"
    assert alice.api.delete(f"/api/calendar/events/{gone['id']}").status_code == 200
    titles = sorted({e["title"] for e in alice.api.get("/api/calendar/events").json()["items"]})
    assert titles == ["Intro call!", "Weekly review"]
    assert app.emulator.stats()["apiCalls"] == 0, "nothing went to Google"
    refused_sync = alice.api.patch(
        f"/api/calendar/calendars/{local.json()['id']}", json={"syncEnabled": True}
    )
    assert refused_sync.status_code == 422

    alice.connect()
    moved = alice.api.post("/api/calendar/local/move", json={})
    assert moved.status_code == 200, moved.text
    assert moved.json() == {"moved": 2}
    wait_for(
        lambda: (
            sorted(e["summary"] for e in alice.google_events() if e["status"] != "cancelled")
            == ["Intro call!", "Weekly review"]
        ),
        what="the moved events in Google",
    )
    wait_for(
        lambda: (
            {e["syncStatus"] for e in alice.api.get("/api/calendar/events").json()["items"]}
            == {"synced"}
        ),
        what="the moved events synced",
    )
    assert app.emulator.http.get(app.emulator.url + "/_emulator/invitations").json()["items"] == []
    [google_series] = [e for e in alice.google_events() if e["summary"] == "Weekly review"]
    assert google_series["recurrence"] == ["RRULE:FREQ=WEEKLY;COUNT=3"]
    assert (
        alice.api.get(f"/api/calendar/events/{series['id']}").json()["calendarId"]
        != (local.json()["id"])
    )
    assert alice.api.post("/api/calendar/local/move", json={}).json() == {"moved": 0}


def test_another_users_local_calendar_is_theirs(app: AppHarness) -> None:
    alice, bob = app.user(connect=False), app.user("bob@example.com")
    alice.api.post("/api/calendar/local")
    alice.create(title="Alice's own")
    assert bob.api.post("/api/calendar/local/move", json={}).json() == {"moved": 0}
    assert bob.api.get("/api/calendar/events").json()["items"] == []
    alices = alice.api.get("/api/calendar/calendars").json()["items"]
    refused = bob.api.post("/api/calendar/local/move", json={"calendarId": alices[0]["id"]})
    assert refused.status_code == 422
    assert refused.json()["error"]["details"]["field"] == "calendarId"
