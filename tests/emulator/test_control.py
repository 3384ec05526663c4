"""The emulator's own controls (not part of Google's API): faults, latency, throttling,
token and sync-token expiry, seeding, reset, invitations and persistence."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.support.servers import EmulatorControl, emulator_process
from touchbase_emulator.state import EmulatorState

EVENT = {
    "summary": "x",
    "start": {"dateTime": "2027-01-01T10:00:00Z"},
    "end": {"dateTime": "2027-01-01T11:00:00Z"},
}


def _client(emulator: EmulatorControl, email: str = "alice@example.com") -> httpx.Client:
    token = emulator.token(email)
    return httpx.Client(
        base_url=emulator.url + "/calendar/v3",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10.0,
    )


def test_fault_answers_the_next_n_matching_calls(emulator: EmulatorControl) -> None:
    client = _client(emulator)
    emulator.fault(method="POST", path="/events$", status=503, times=2)
    statuses = [client.post("/calendars/primary/events", json=EVENT).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert client.get("/calendars/primary/events").status_code == 200


def test_fault_reason_and_retry_after(emulator: EmulatorControl) -> None:
    client = _client(emulator)
    emulator.fault(status=403, reason="userRateLimitExceeded", retryAfter=7)
    response = client.get("/users/me/calendarList")
    assert response.status_code == 403
    error = response.json()["error"]["errors"][0]
    assert (error["domain"], error["reason"]) == ("usageLimits", "userRateLimitExceeded")
    assert response.headers["retry-after"] == "7"


def test_fault_for_one_user_only(emulator: EmulatorControl) -> None:
    alice, bob = _client(emulator), _client(emulator, "bob@example.com")
    emulator.fault(user="bob@example.com", status=500, times=5)
    assert alice.get("/users/me/calendarList").status_code == 200
    assert bob.get("/users/me/calendarList").status_code == 500


def test_dropped_connection_before_the_call_runs(emulator: EmulatorControl) -> None:
    client = _client(emulator)
    emulator.fault(method="POST", drop="before")
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/calendars/primary/events", json={**EVENT, "id": "drop00001"})
    assert client.get("/calendars/primary/events/drop00001").status_code == 404


def test_dropped_connection_after_the_call_ran(emulator: EmulatorControl) -> None:
    client = _client(emulator)
    emulator.fault(method="POST", drop="after")
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/calendars/primary/events", json={**EVENT, "id": "drop00002"})
    assert client.get("/calendars/primary/events/drop00002").status_code == 200


def test_latency_per_fault_and_for_every_call(emulator: EmulatorControl) -> None:
    client = _client(emulator)
    emulator.fault(latencyMs=300)
    began = time.monotonic()
    assert client.get("/users/me/calendarList").status_code == 200
    assert time.monotonic() - began >= 0.3
    emulator.configure(latencyMs=200)
    began = time.monotonic()
    client.get("/users/me/calendarList")
    client.get("/users/me/calendarList")
    assert time.monotonic() - began >= 0.4


@pytest.mark.parametrize("status", [403, 429])
def test_per_user_rate_limit(emulator: EmulatorControl, status: int) -> None:
    client = _client(emulator)
    emulator.configure(rateLimit={"perMinute": 5, "status": status})
    statuses = [client.get("/users/me/calendarList").status_code for _ in range(7)]
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [status, status]
    throttled = client.get("/users/me/calendarList")
    assert throttled.json()["error"]["errors"][0]["reason"] == "rateLimitExceeded"
    assert int(throttled.headers["retry-after"]) >= 1
    other = _client(emulator, "bob@example.com")
    assert other.get("/users/me/calendarList").status_code == 200
    assert emulator.stats()["throttled"] == 3  # counted, for benchmarks


def test_faults_can_be_listed_and_cleared(emulator: EmulatorControl) -> None:
    emulator.fault(status=500, times=10)
    assert len(emulator.http.get(emulator.url + "/_emulator/faults").json()["rules"]) == 1
    emulator.http.delete(emulator.url + "/_emulator/faults")
    assert _client(emulator).get("/users/me/calendarList").status_code == 200


def test_bad_control_input_is_400(emulator: EmulatorControl) -> None:
    response = emulator.http.post(emulator.url + "/_emulator/faults", json={"drop": "sideways"})
    assert response.status_code == 400
    response = emulator.http.put(
        emulator.url + "/_emulator/config", json={"rateLimit": {"perMinute": 1, "status": 500}}
    )
    assert response.status_code == 400


def test_seed_users_calendars_and_events(emulator: EmulatorControl) -> None:
    created = emulator.seed(
        {
            "users": [
                {
                    "email": "sam@example.com",
                    "timeZone": "America/New_York",
                    "events": [{**EVENT, "id": "seeded001"}],
                    "calendars": [
                        {
                            "id": "team@group.calendar.google.com",
                            "summary": "Team",
                            "events": [EVENT],
                        }
                    ],
                }
            ]
        }
    )
    assert len(created["events"]) == 2
    client = _client(emulator, "sam@example.com")
    calendars = client.get("/users/me/calendarList").json()["items"]
    assert {c["id"] for c in calendars} == {"sam@example.com", "team@group.calendar.google.com"}
    assert calendars[0]["timeZone"] == "America/New_York"
    assert client.get("/calendars/primary/events/seeded001").status_code == 200
    bad = emulator.http.post(
        emulator.url + "/_emulator/seed",
        json={"users": [{"email": "x@example.com", "events": [{"summary": "no times"}]}]},
    )
    assert bad.status_code == 400


def test_reset_forgets_everything(emulator: EmulatorControl) -> None:
    client = _client(emulator)
    client.post("/calendars/primary/events", json=EVENT)
    emulator.configure(latencyMs=50)
    emulator.reset()
    assert client.get("/calendars/primary/events").status_code == 401
    assert emulator.configure()["latencyMs"] == 0
    fresh = _client(emulator)
    assert fresh.get("/calendars/primary/events").json()["items"] == []


def test_stats_count_http_requests_and_calls(emulator: EmulatorControl) -> None:
    client = _client(emulator)
    client.get("/users/me/calendarList")
    client.post("/calendars/primary/events", json=EVENT)
    stats = emulator.stats()
    assert stats["httpRequests"] == 2
    assert stats["byMethod"] == {"calendar.v3.CalendarList.List": 1, "calendar.v3.Events.Insert": 1}


def test_invitations_follow_send_updates(emulator: EmulatorControl) -> None:
    client = _client(emulator)
    body = {**EVENT, "attendees": [{"email": "guest@example.com"}]}
    client.post("/calendars/primary/events", json=body, params={"sendUpdates": "none"})
    client.post("/calendars/primary/events", json=body, params={"sendUpdates": "all"})
    sent = emulator.http.get(emulator.url + "/_emulator/invitations").json()["items"]
    assert [(s["action"], s["to"]) for s in sent] == [("created", ["guest@example.com"])]


def test_state_persists_across_restarts(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    with emulator_process("--state-file", str(state_file)) as url:
        control = EmulatorControl(url)
        tokens = control.tokens("pat@example.com")
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        created = httpx.post(
            url + "/calendar/v3/calendars/primary/events",
            json={**EVENT, "id": "keep00001"},
            headers=headers,
        )
        assert created.status_code == 200
        rule = {"role": "reader", "scope": {"type": "user", "value": "lee@example.com"}}
        api = url + "/calendar/v3"
        assert httpx.post(api + "/calendars/primary/acl", json=rule, headers=headers).is_success
        entry = httpx.patch(
            api + "/users/me/calendarList/primary", json={"colorId": "3"}, headers=headers
        )
        assert entry.is_success
    assert state_file.exists()
    with emulator_process("--state-file", str(state_file)) as url:
        fetched = httpx.get(
            url + "/calendar/v3/calendars/primary/events/keep00001", headers=headers
        )
        assert fetched.status_code == 200
        assert fetched.json()["etag"] == created.json()["etag"]
        api = url + "/calendar/v3"
        rules = httpx.get(api + "/calendars/primary/acl", headers=headers).json()["items"]
        assert [r["id"] for r in rules] == ["user:pat@example.com", "user:lee@example.com"]
        listed = httpx.get(api + "/users/me/calendarList/primary", headers=headers).json()
        assert listed["colorId"] == "3"


def test_a_state_file_from_before_sharing_still_loads(tmp_path: Path) -> None:
    """A state file written before calendars had acl rules and users list entries."""
    state = EmulatorState()
    state.ensure_user("old@example.com")
    raw = state.to_json()
    for calendar in raw["calendars"].values():
        del calendar["acl"], calendar["location"]
    for user in raw["users"].values():
        del user["list_entries"]
    loaded = EmulatorState.from_json(raw)
    assert loaded.calendars["old@example.com"].acl == {}
    assert loaded.users["old@example.com"].list_entries == {}


def test_purge_removes_an_event_entirely(emulator: EmulatorControl) -> None:
    client = _client(emulator)
    client.post("/calendars/primary/events", json={**EVENT, "id": "purge0001"})
    client.delete("/calendars/primary/events/purge0001")
    emulator.post("/purge", {"calendarId": "alice@example.com", "eventId": "purge0001"})
    assert client.get("/calendars/primary/events/purge0001").status_code == 404
    listed = client.get("/calendars/primary/events", params={"showDeleted": "true"}).json()
    assert listed["items"] == []


def test_raw_seeded_events_are_stored_unvalidated(emulator: EmulatorControl) -> None:
    emulator.seed(
        {
            "users": [
                {
                    "email": "alice@example.com",
                    "events": [
                        {
                            "_raw": True,
                            "id": "legacy001",
                            "summary": "odd",
                            "start": {
                                "dateTime": "2027-01-01T10:00:00Z",
                                "timeZone": "Mars/Olympus",
                            },
                            "end": {"dateTime": "2027-01-01T11:00:00Z"},
                        }
                    ],
                }
            ]
        }
    )
    client = _client(emulator)
    fetched = client.get("/calendars/primary/events/legacy001").json()
    assert fetched["start"]["timeZone"] == "Mars/Olympus"
