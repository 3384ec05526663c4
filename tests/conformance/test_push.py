"""events.watch and channels.stop: real notifications POSTed to the channel's address."""

from __future__ import annotations

import time

import httpx

from tests.conformance.conftest import reason_of, timed
from tests.support.servers import EmulatorControl, WebhookReceiver


def _watch(
    raw: httpx.Client, address: str, channel_id: str = "chan-1", **extra: object
) -> dict[str, str]:
    body = {"id": channel_id, "type": "web_hook", "address": address, "token": "secret-t", **extra}
    response = raw.post("/calendars/primary/events/watch", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_watch_sends_sync_then_exists_on_each_change(raw: httpx.Client) -> None:
    with WebhookReceiver() as hook:
        channel = _watch(raw, hook.url)
        assert channel["kind"] == "api#channel"
        assert channel["id"] == "chan-1"
        assert channel["resourceId"]
        assert int(channel["expiration"]) > time.time() * 1000
        sync = hook.wait_for(1)[0]
        assert sync.headers["X-Goog-Resource-State"] == "sync"
        assert sync.body == b""
        event = raw.post(
            "/calendars/primary/events", json=timed("2027-01-01T10:00:00Z", "2027-01-01T11:00:00Z")
        ).json()
        raw.delete(f"/calendars/primary/events/{event['id']}")
        received = hook.wait_for(3)
    assert len(received) == 3
    assert [r.headers["X-Goog-Resource-State"] for r in received] == ["sync", "exists", "exists"]
    assert [r.headers["X-Goog-Message-Number"] for r in received] == ["1", "2", "3"]
    last = received[-1].headers
    assert last["X-Goog-Channel-ID"] == "chan-1"
    assert last["X-Goog-Channel-Token"] == "secret-t"
    assert last["X-Goog-Resource-ID"] == channel["resourceId"]
    assert last["X-Goog-Resource-URI"].endswith("/calendars/alice@example.com/events?alt=json")
    assert last["X-Goog-Channel-Expiration"].endswith("GMT")


def test_stopped_channel_gets_nothing_more(raw: httpx.Client) -> None:
    with WebhookReceiver() as hook:
        channel = _watch(raw, hook.url)
        hook.wait_for(1)
        stop = raw.post(
            "/channels/stop", json={"id": channel["id"], "resourceId": channel["resourceId"]}
        )
        assert stop.status_code == 204
        raw.post(
            "/calendars/primary/events", json=timed("2027-01-01T10:00:00Z", "2027-01-01T11:00:00Z")
        )
        time.sleep(0.3)
        assert len(hook.received) == 1
    again = raw.post(
        "/channels/stop", json={"id": channel["id"], "resourceId": channel["resourceId"]}
    )
    assert again.status_code == 404


def test_expired_channel_gets_nothing_more(raw: httpx.Client) -> None:
    with WebhookReceiver() as hook:
        _watch(raw, hook.url, params={"ttl": "1"})
        hook.wait_for(1)
        time.sleep(1.1)
        raw.post(
            "/calendars/primary/events", json=timed("2027-01-01T10:00:00Z", "2027-01-01T11:00:00Z")
        )
        time.sleep(0.3)
        assert len(hook.received) == 1


def test_other_calendars_changes_are_not_notified(raw: httpx.Client) -> None:
    other = raw.post("/calendars", json={"summary": "Other"}).json()["id"]
    with WebhookReceiver() as hook:
        _watch(raw, hook.url)
        hook.wait_for(1)
        raw.post(
            f"/calendars/{other}/events", json=timed("2027-01-01T10:00:00Z", "2027-01-01T11:00:00Z")
        )
        time.sleep(0.3)
        assert len(hook.received) == 1


def test_watch_address_must_be_https_or_loopback(raw: httpx.Client) -> None:
    response = raw.post(
        "/calendars/primary/events/watch",
        json={"id": "c2", "type": "web_hook", "address": "http://example.com/hook"},
    )
    assert (response.status_code, reason_of(response)) == (400, "invalid")


def test_channel_ids_are_unique(raw: httpx.Client) -> None:
    with WebhookReceiver() as hook:
        _watch(raw, hook.url, channel_id="same")
        again = raw.post(
            "/calendars/primary/events/watch",
            json={"id": "same", "type": "web_hook", "address": hook.url},
        )
        assert again.status_code == 400


def test_a_channel_lives_no_longer_than_the_emulator_allows(
    raw: httpx.Client, emulator: EmulatorControl
) -> None:
    emulator.configure(channelLifetimeSeconds=2)
    with WebhookReceiver() as hook:
        asked_week = _watch(raw, hook.url, params={"ttl": str(7 * 24 * 3600)})
        asked_second = _watch(raw, hook.url, "chan-2", params={"ttl": "1"})
    now_ms = time.time() * 1000
    assert now_ms < int(asked_week["expiration"]) <= now_ms + 2_000
    assert int(asked_second["expiration"]) <= now_ms + 1_000
