"""Creating, editing and deleting events through the API reaches Google exactly once."""

from __future__ import annotations

import httpx

from tests.support.app import AppHarness, google_etag, wait_for


def test_create_is_in_google_exactly_once_with_the_crm_link(app: AppHarness) -> None:
    alice = app.user()
    dana = alice.api.post("/api/contacts", json={"name": "Dana", "emails": ["dana@acme.example"]})
    contact_id = dana.json()["id"]
    response = alice.create(
        title="Intro call", contactId=contact_id, attendees=["dana@acme.example"], location="Zoom"
    )
    assert response.status_code == 201, response.text
    event = response.json()
    assert event["syncStatus"] == "synced"
    assert event["contactId"] == contact_id
    assert event["etag"]
    in_google = alice.google_events()
    assert len(in_google) == 1
    remote = in_google[0]
    assert remote["id"] == event["googleEventId"]
    assert remote["summary"] == "Intro call"
    assert remote["extendedProperties"]["private"]["touchbaseContactId"] == contact_id
    assert remote["etag"] == google_etag(app.database_url, event["id"])
    listed = alice.api.get("/api/calendar/events").json()["items"]
    assert [e["id"] for e in listed] == [event["id"]]


def test_replayed_create_with_idempotency_key_makes_one_event(app: AppHarness) -> None:
    alice = app.user()
    headers = {"Idempotency-Key": "form-submit-1"}
    body = {"title": "Once", "startTime": "2027-01-10T09:00:00Z", "endTime": "2027-01-10T10:00:00Z"}
    first = alice.api.post("/api/calendar/events", json=body, headers=headers).json()
    again = alice.api.post("/api/calendar/events", json=body, headers=headers).json()
    assert first["id"] == again["id"]
    assert len(alice.google_events()) == 1


def _invitations(app: AppHarness) -> list[tuple[str, str, list[str]]]:
    sent = app.emulator.http.get(app.emulator.url + "/_emulator/invitations").json()["items"]
    return [(s["action"], s["sendUpdates"], s["to"]) for s in sent]


def test_user_edit_reaches_google_and_emails_no_guest_unasked(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create(attendees=["dana@acme.example"]).json()
    response = alice.api.patch(
        f"/api/calendar/events/{event['id']}",
        json={"title": "Renamed", "endTime": "2027-01-10T10:30:00Z"},
        headers={"If-Match": event["etag"]},
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["syncStatus"] == "synced"
    assert updated["etag"] != event["etag"]
    remote = alice.google.get(f"/events/{event['googleEventId']}").json()
    assert remote["summary"] == "Renamed"
    assert remote["end"]["dateTime"] in ("2027-01-10T10:30:00Z", "2027-01-10T10:30:00+00:00")
    alice.api.delete(f"/api/calendar/events/{event['id']}")
    assert _invitations(app) == []


def test_guests_are_emailed_when_the_change_asks(app: AppHarness) -> None:
    alice = app.user()
    guests = ["dana@acme.example", "eve@globex.example"]
    event = alice.api.post(
        "/api/calendar/events?sendUpdates=all",
        json={
            "title": "Demo",
            "startTime": "2027-01-10T09:00:00Z",
            "endTime": "2027-01-10T10:00:00Z",
            "attendees": guests,
        },
    ).json()
    moved = alice.api.patch(
        f"/api/calendar/events/{event['id']}?sendUpdates=externalOnly",
        json={"startTime": "2027-01-11T09:00:00Z", "endTime": "2027-01-11T10:00:00Z"},
    )
    assert moved.status_code == 200, moved.text
    gone = alice.api.delete(f"/api/calendar/events/{event['id']}?sendUpdates=all")
    assert gone.status_code == 200, gone.text
    assert _invitations(app) == [
        ("created", "all", guests),
        ("updated", "externalOnly", guests),
        ("cancelled", "all", guests),
    ]
    # Removing the last guest still tells the one removed.
    other = alice.create(attendees=["dana@acme.example"]).json()
    alice.api.patch(f"/api/calendar/events/{other['id']}?sendUpdates=all", json={"attendees": []})
    assert _invitations(app)[-1][:2] == ("updated", "all")
    # Without guests there is no one to email.
    plain = alice.create().json()
    alice.api.patch(f"/api/calendar/events/{plain['id']}?sendUpdates=all", json={"title": "x"})
    assert len(_invitations(app)) == 4


def test_the_pages_ask_before_emailing_guests_unless_told_otherwise(app: AppHarness) -> None:
    alice, bob = app.user(), app.user("bob@example.com")
    assert alice.api.get("/api/settings").json()["guestEmails"] == "ask"
    changed = alice.api.patch("/api/settings", json={"guestEmails": "never"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["guestEmails"] == "never"
    hours = alice.api.get("/api/settings").json()["workingHours"]
    assert hours == {"start": "09:00", "end": "17:00", "days": [0, 1, 2, 3, 4]}, "kept"
    refused = alice.api.patch(
        "/api/settings",
        json={"guestEmails": "sometimes", "workingHours": {"start": "10:00", "end": "16:00"}},
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["details"]["field"] == "guestEmails"
    assert alice.api.get("/api/settings").json() == changed.json(), "no partial write"
    assert bob.api.get("/api/settings").json()["guestEmails"] == "ask"


def test_the_time_zone_shown_is_a_setting(app: AppHarness) -> None:
    alice = app.user()
    assert alice.api.get("/api/settings").json()["timeZone"] is None  # the browser's
    for bad in ["Mars/Olympus", "../etc/passwd", "Europe/"]:
        refused = alice.api.patch("/api/settings", json={"timeZone": bad})
        assert refused.status_code == 422, bad
        assert refused.json()["error"]["details"]["field"] == "timeZone"
    assert (
        alice.api.patch("/api/settings", json={"timeZone": "Europe/Berlin"}).json()["timeZone"]
        == "Europe/Berlin"
    )
    assert (
        alice.api.patch("/api/settings", json={"guestEmails": "send"}).json()["timeZone"]
        == "Europe/Berlin"
    ), "left as it was"
    assert alice.api.patch("/api/settings", json={"timeZone": ""}).json()["timeZone"] is None


def test_send_updates_takes_only_googles_values(app: AppHarness) -> None:
    alice = app.user()
    answer = alice.api.post(
        "/api/calendar/events?sendUpdates=everyone",
        json={"title": "x", "startTime": "2027-01-10T09:00:00Z", "endTime": "2027-01-10T10:00:00Z"},
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["details"]["field"] == "sendUpdates"
    assert alice.api.get("/api/calendar/events").json()["items"] == []


def test_delete_cancels_in_google_and_leaves_the_list(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create().json()
    response = alice.api.delete(
        f"/api/calendar/events/{event['id']}", headers={"If-Match": event["etag"]}
    )
    assert response.status_code == 200, response.text
    assert response.json()["deleted"] is True
    assert alice.api.get("/api/calendar/events").json()["items"] == []
    assert alice.google.get(f"/events/{event['googleEventId']}").json()["status"] == "cancelled"
    assert alice.api.get(f"/api/calendar/events/{event['id']}").status_code == 404


def test_list_is_windowed_by_time(app: AppHarness) -> None:
    alice = app.user()
    alice.create(title="Jan", startTime="2027-01-10T09:00:00Z", endTime="2027-01-10T10:00:00Z")
    alice.create(title="Feb", startTime="2027-02-10T09:00:00Z", endTime="2027-02-10T10:00:00Z")
    alice.create(title="All day", allDay=True, startTime="2027-02-11", endTime="2027-02-12")
    items = alice.api.get(
        "/api/calendar/events",
        params={"timeMin": "2027-02-01T00:00:00Z", "timeMax": "2027-03-01T00:00:00Z"},
    ).json()["items"]
    assert [e["title"] for e in items] == ["Feb", "All day"]
    assert items[1]["allDay"] is True
    assert items[1]["startTime"] == "2027-02-11"


def test_another_users_event_is_404(app: AppHarness) -> None:
    alice, bob = app.user(), app.user("bob@example.com")
    event = alice.create().json()
    path = f"/api/calendar/events/{event['id']}"
    assert bob.api.get(path).status_code == 404
    assert bob.api.patch(path, json={"title": "mine now"}).status_code == 404
    assert bob.api.delete(path).status_code == 404
    assert bob.api.post(path + "/conflict", json={"resolution": "keep_local"}).status_code == 404
    assert bob.api.get("/api/calendar/events").json()["items"] == []
    assert bob.api.get("/api/audit", params={"eventId": event["id"]}).json()["items"] == []
    assert alice.api.get(path).json()["title"] == "Intro call"
    assert bob.api.get(path).json()["error"]["code"] == "CALENDAR_EVENT_NOT_FOUND"


def test_requests_without_a_valid_token_are_401(app: AppHarness) -> None:
    anonymous = httpx.get(app.url + "/api/calendar/events")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "UNAUTHENTICATED"
    forged = httpx.get(
        app.url + "/api/calendar/events", headers={"Authorization": "Bearer tb_forged"}
    )
    assert forged.status_code == 401


def test_audit_log_records_who_what_when_and_from_where(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create(title="Before").json()
    alice.api.patch(f"/api/calendar/events/{event['id']}", json={"title": "After"})
    alice.api.delete(f"/api/calendar/events/{event['id']}")
    entries = alice.api.get("/api/audit", params={"eventId": event["id"]}).json()["items"]
    assert [e["action"] for e in entries] == ["delete", "update", "create"]
    update = entries[1]
    assert update["actor"] == "alice@example.com"
    assert update["source"] == "api"
    assert update["changes"] == {"title": {"before": "Before", "after": "After"}}
    assert update["at"]


def test_pending_change_reaches_google_when_it_recovers(app: AppHarness) -> None:
    alice = app.user()
    app.emulator.fault(method="POST", path="/events$", status=503, times=1000)
    created = alice.create(title="Written while Google is down")
    assert created.status_code == 201, created.text
    event = created.json()
    assert event["syncStatus"] == "pending"
    assert "will sync" in event["notice"]
    app.emulator.fault(method="PATCH", status=503, times=1000)
    edited = alice.api.patch(f"/api/calendar/events/{event['id']}", json={"location": "Cafe"})
    assert edited.status_code == 200
    assert edited.json()["syncStatus"] == "pending"
    app.emulator.http.delete(app.emulator.url + "/_emulator/faults")

    def synced() -> bool:
        return alice.api.get(f"/api/calendar/events/{event['id']}").json()["syncStatus"] == "synced"

    wait_for(synced, what="the pusher to deliver")
    in_google = alice.google_events()
    assert len(in_google) == 1
    assert (in_google[0]["summary"], in_google[0]["location"]) == (
        "Written while Google is down",
        "Cafe",
    )


def test_update_pending_while_google_is_down_is_sent_once(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create().json()
    app.emulator.fault(method="PATCH", status=503, times=1000)
    edited = alice.api.patch(f"/api/calendar/events/{event['id']}", json={"title": "Later"})
    assert edited.json()["syncStatus"] == "pending"
    app.emulator.http.delete(app.emulator.url + "/_emulator/faults")
    wait_for(
        lambda: alice.google.get(f"/events/{event['googleEventId']}").json()["summary"] == "Later",
        what="the update in Google",
    )
    wait_for(
        lambda: (
            alice.api.get(f"/api/calendar/events/{event['id']}").json()["syncStatus"] == "synced"
        ),
        what="synced",
    )
    patches = app.emulator.stats()["byMethod"]["calendar.v3.Events.Patch"]
    assert patches >= 2
    assert len(alice.google_events()) == 1


def test_create_whose_answer_was_lost_is_not_duplicated(app: AppHarness) -> None:
    alice = app.user()
    app.emulator.fault(method="POST", path="/events$", drop="after")
    event = alice.create(title="Lost answer").json()
    assert event["syncStatus"] == "synced"
    assert [e["summary"] for e in alice.google_events()] == ["Lost answer"]


def test_changes_refused_for_lost_authorization_go_out_after_reconnecting(
    app: AppHarness,
) -> None:
    alice = app.user()
    event = alice.create(title="Before").json()
    connection = alice.api.get("/api/google/connection").json()
    assert connection["canWrite"] is True
    # The person removes touchbase's access in their Google account.
    app.emulator.post("/tokens/revoke", {"email": alice.email})
    edited = alice.api.patch(f"/api/calendar/events/{event['id']}", json={"title": "After"})
    assert edited.status_code == 200
    refused = edited.json()
    assert refused["syncStatus"] == "error"
    assert refused["lastError"]["code"] == "CALENDAR_AUTHORIZATION_EXPIRED"
    assert refused["lastError"]["action"] == "Reconnect Google Calendar."
    alice.connect()
    wait_for(
        lambda: (
            alice.api.get(f"/api/calendar/events/{event['id']}").json()["syncStatus"] != "error"
        ),
        what="the refused change to be queued again",
    )
    wait_for(
        lambda: (
            alice.api.get(f"/api/calendar/events/{event['id']}").json()["syncStatus"]
            in ("synced", "conflict")
        ),
        what="the change to reach Google again",
    )


def test_activity_names_events_and_contacts_and_is_filtered(app: AppHarness) -> None:
    alice, bob = app.user(), app.user("bob@example.com")
    dana = alice.api.post("/api/contacts", json={"name": "Dana Scully"}).json()
    event = alice.create(title="Intro call", contactId=dana["id"]).json()
    alice.api.patch(f"/api/calendar/events/{event['id']}", json={"title": "Intro call (v2)"})
    answer = alice.api.get("/api/audit").json()
    assert answer["eventTitles"] == {event["id"]: "Intro call (v2)"}
    assert answer["contactNames"] == {dana["id"]: "Dana Scully"}
    assert answer["eventContacts"] == {event["id"]: dana["id"]}
    assert [e["action"] for e in answer["items"]] == ["update", "create", "contact_create"]
    assert [e["changes"] for e in answer["items"][:1]] == [
        {"title": {"before": "Intro call", "after": "Intro call (v2)"}}
    ], "no empty field reported as changed"
    by_contact = alice.api.get("/api/audit", params={"contactId": dana["id"]}).json()
    assert [e["action"] for e in by_contact["items"]] == ["contact_create"]
    assert alice.api.get("/api/audit", params={"who": "google"}).json()["items"] == []
    assert len(alice.api.get("/api/audit", params={"who": "you"}).json()["items"]) == 3
    assert alice.api.get("/api/audit", params={"who": "someone"}).status_code == 422
    theirs = bob.api.get("/api/audit", params={"contactId": dana["id"]}).json()
    assert theirs == {"items": [], "eventTitles": {}, "contactNames": {}, "eventContacts": {}}
