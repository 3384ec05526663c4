"""Writers that read the same version: exactly one wins, the rest are told (409); an
Idempotency-Key stands for one request only."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.support.app import ApiUser, AppHarness, wait_for

WRITERS = 30


def _at_once(calls: list[Any]) -> list[httpx.Response]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def _client(user: ApiUser) -> httpx.Client:
    return httpx.Client(base_url=str(user.api.base_url), headers=user.api.headers, timeout=60)


def test_thirty_patches_of_one_version_one_wins(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create(title="Pipeline review").json()
    clients = [_client(alice) for _ in range(WRITERS)]
    url = f"/api/calendar/events/{event['id']}"
    answers = _at_once(
        [
            lambda c=c, n=n: c.patch(
                url, json={"title": f"writer {n}"}, headers={"If-Match": event["etag"]}
            )
            for n, c in enumerate(clients)
        ]
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] + [409] * (WRITERS - 1), codes
    [winner] = [a.json() for a in answers if a.status_code == 200]
    assert winner["etag"] != event["etag"]
    final = alice.api.get(url).json()
    assert final["title"] == winner["title"]
    assert [e["summary"] for e in alice.google_events()] == [winner["title"]]
    updates = [
        e
        for e in alice.api.get("/api/audit", params={"eventId": event["id"]}).json()["items"]
        if e["action"] == "update"
    ]
    assert len(updates) == 1
    for loser in (a for a in answers if a.status_code == 409):
        assert loser.json()["error"]["code"] == "CALENDAR_CONFLICT"


def test_a_pending_change_makes_a_new_version_while_google_is_down(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create(title="Check-in").json()
    app.emulator.fault(method="PATCH", status=503, times=1000)
    url = f"/api/calendar/events/{event['id']}"
    first = alice.api.patch(url, json={"title": "one"}, headers={"If-Match": event["etag"]})
    assert first.status_code == 200, first.text
    assert first.json()["syncStatus"] == "pending"
    assert first.json()["etag"] != event["etag"]
    again = alice.api.patch(url, json={"title": "two"}, headers={"If-Match": event["etag"]})
    assert again.status_code == 409, again.text
    delete = alice.api.delete(url, headers={"If-Match": event["etag"]})
    assert delete.status_code == 409, delete.text
    assert alice.api.get(url).json()["title"] == "one"
    latest = alice.api.patch(
        url, json={"title": "three"}, headers={"If-Match": first.json()["etag"]}
    )
    assert latest.status_code == 200, latest.text


def test_a_patch_and_a_delete_of_one_version_one_wins(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create(title="QBR").json()
    url = f"/api/calendar/events/{event['id']}"
    a, b = _client(alice), _client(alice)
    answers = _at_once(
        [
            lambda: a.patch(url, json={"title": "moved"}, headers={"If-Match": event["etag"]}),
            lambda: b.delete(url, headers={"If-Match": event["etag"]}),
        ]
    )
    codes = sorted(x.status_code for x in answers)
    assert codes in ([200, 409], [200, 404]), [x.text for x in answers]


def test_one_idempotency_key_with_thirty_bodies_makes_one_event(app: AppHarness) -> None:
    alice = app.user()
    clients = [_client(alice) for _ in range(WRITERS)]
    key = {"Idempotency-Key": "create-once-0001"}
    body = {"startTime": "2027-01-10T09:00:00Z", "endTime": "2027-01-10T10:00:00Z"}
    answers = _at_once(
        [
            lambda c=c, n=n: c.post(
                "/api/calendar/events", json={**body, "title": f"body {n}"}, headers=key
            )
            for n, c in enumerate(clients)
        ]
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [422] * (WRITERS - 1), codes
    [made] = [a.json() for a in answers if a.status_code == 201]
    refused = next(a for a in answers if a.status_code == 422).json()["error"]
    assert refused["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert refused["details"]["field"] == "Idempotency-Key"
    replay = alice.api.post(
        "/api/calendar/events", json={**body, "title": made["title"]}, headers=key
    )
    assert replay.status_code == 201
    assert replay.json()["id"] == made["id"]
    assert [e["title"] for e in alice.api.get("/api/calendar/events").json()["items"]] == [
        made["title"]
    ]
    assert len(alice.google_events()) == 1


def test_one_idempotency_key_plans_one_touchpoint_for_one_request(app: AppHarness) -> None:
    alice = app.user()
    dana = alice.api.post("/api/contacts", json={"name": "Dana"}).json()
    clients = [_client(alice) for _ in range(WRITERS)]
    key = {"Idempotency-Key": "plan-once-0001"}
    body = {"contactId": dana["id"], "dueDate": "2030-01-07"}
    answers = _at_once(
        [lambda c=c: c.post("/api/touchpoints", json=body, headers=key) for c in clients]
    )
    assert sorted(a.status_code for a in answers) == [201] * WRITERS, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    other = alice.api.post(
        "/api/touchpoints", json={**body, "message": "another request"}, headers=key
    )
    assert other.status_code == 422, other.text
    assert other.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len(alice.api.get("/api/touchpoints").json()["items"]) == 1
    planned = [e for e in alice.google_events() if e["status"] != "cancelled"]
    assert len(planned) == 1


def test_a_batch_retried_with_its_key_plans_its_touchpoints_once(app: AppHarness) -> None:
    alice = app.user()
    contacts = [alice.api.post("/api/contacts", json={"name": f"C{n}"}).json() for n in range(3)]
    items = [{"contactId": c["id"], "dueDate": "2030-01-07"} for c in contacts]
    key = {"Idempotency-Key": "batch-once-0001"}
    clients = [_client(alice) for _ in range(10)]
    answers = _at_once(
        [
            lambda c=c: c.post("/api/touchpoints/batch", json={"items": items}, headers=key)
            for c in clients
        ]
    )
    assert sorted(a.status_code for a in answers) == [201] * 10, [a.text for a in answers]
    made = {tuple(t["id"] for t in a.json()["items"]) for a in answers}
    assert len(made) == 1
    assert [t["contactId"] for t in answers[0].json()["items"]] == [c["id"] for c in contacts]
    fewer = alice.api.post("/api/touchpoints/batch", json={"items": items[:2]}, headers=key)
    assert fewer.status_code == 422, fewer.text
    assert fewer.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len(alice.api.get("/api/touchpoints").json()["items"]) == 3
    assert len([e for e in alice.google_events() if e["status"] != "cancelled"]) == 3


def test_a_contact_and_an_interaction_retried_with_their_keys_are_made_once(
    app: AppHarness,
) -> None:
    alice = app.user()
    clients = [_client(alice) for _ in range(10)]
    # With an email (a retry would have been refused as a duplicate) and without one (a retry
    # would have added the person twice), and with a cadence (its touchpoint has an event).
    for n, body in enumerate(
        [
            {"name": "Dana", "emails": ["dana@acme.example"]},
            {"name": "Eli", "cadence": {"every": 2, "unit": "week"}},
        ]
    ):
        key = {"Idempotency-Key": f"contact-once-{n}"}
        answers = _at_once(
            [
                lambda c=c, body=body, key=key: c.post("/api/contacts", json=body, headers=key)
                for c in clients
            ]
        )
        assert sorted(a.status_code for a in answers) == [201] * 10, [a.text for a in answers]
        assert len({a.json()["id"] for a in answers}) == 1
        other = alice.api.post("/api/contacts", json={**body, "name": "Other"}, headers=key)
        assert other.status_code == 422, other.text
        assert other.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    contacts = alice.api.get("/api/contacts").json()["items"]
    assert sorted(c["name"] for c in contacts) == ["Dana", "Eli"]
    assert len(alice.api.get("/api/touchpoints").json()["items"]) == 1
    assert len([e for e in alice.google_events() if e["status"] != "cancelled"]) == 1

    eli = next(c for c in contacts if c["name"] == "Eli")
    url = f"/api/contacts/{eli['id']}/interactions"
    key = {"Idempotency-Key": "logged-once-0001"}
    held = {"outcome": "held", "notes": "Coffee"}
    answers = _at_once([lambda c=c: c.post(url, json=held, headers=key) for c in clients])
    assert sorted(a.status_code for a in answers) == [201] * 10, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    other = alice.api.post(url, json={**held, "notes": "Lunch"}, headers=key)
    assert other.status_code == 422, other.text
    logged = alice.api.get(f"/api/contacts/{eli['id']}/timeline").json()
    assert [i["notes"] for i in logged["past"] if i["kind"] == "interaction"] == ["Coffee"]


def test_an_empty_idempotency_key_is_refused_and_breaks_nothing(app: AppHarness) -> None:
    alice = app.user()
    empty = alice.api.post(
        "/api/calendar/events",
        json={"title": "x", "startTime": "2027-01-10T09:00:00Z", "endTime": "2027-01-10T10:00:00Z"},
        headers={"Idempotency-Key": ""},
    )
    assert empty.status_code == 422, empty.text
    assert alice.create(title="later").status_code == 201
    assert alice.create(title="and later").status_code == 201


def test_an_event_deleted_while_its_creation_is_on_the_way_to_google_is_deleted_there(
    app: AppHarness,
) -> None:
    alice = app.user()
    app.emulator.fault(method="POST", path="/events$", latencyMs=1500)  # the insert dawdles
    with ThreadPoolExecutor(max_workers=1) as pool:
        creating = pool.submit(
            lambda: _client(alice).post(
                "/api/calendar/events",
                json={
                    "title": "Gone before it arrived",
                    "startTime": "2027-01-10T09:00:00+00:00",
                    "endTime": "2027-01-10T10:00:00+00:00",
                },
            )
        )
        params = {"from": "2027-01-01T00:00:00Z", "to": "2027-02-01T00:00:00Z"}
        wait_for(
            lambda: alice.api.get("/api/calendar/events", params=params).json()["items"] != [],
            what="the stored event",
        )
        [stored] = alice.api.get("/api/calendar/events", params=params).json()["items"]
        gone = alice.api.delete(
            f"/api/calendar/events/{stored['id']}", headers={"If-Match": stored["etag"]}
        )
        assert gone.status_code in (200, 204), gone.text
        assert creating.result().status_code in (201, 409), creating.result().text

    def in_google() -> list[str]:
        return [e["summary"] for e in alice.google_events() if e["status"] != "cancelled"]

    wait_for(lambda: in_google() == [], timeout=15, what="the deletion in Google")
    time.sleep(1.0)  # and it stays deleted
    assert in_google() == []
