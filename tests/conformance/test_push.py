"""events.watch and channels.stop: real notifications POSTed to the channel's address."""

from __future__ import annotations

import socket
import time
from typing import Any

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


def _watch_at(raw: httpx.Client, path: str, address: str, channel_id: str) -> dict[str, str]:
    body = {"id": channel_id, "type": "web_hook", "address": address}
    response = raw.post(path, json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_acl_calendar_list_and_settings_can_be_watched_too(raw: httpx.Client) -> None:
    side = raw.post("/calendars", json={"summary": "Side"}).json()["id"]
    with WebhookReceiver() as acl, WebhookReceiver() as lists, WebhookReceiver() as settings:
        acl_channel = _watch_at(raw, f"/calendars/{side}/acl/watch", acl.url, "acl-1")
        _watch_at(raw, "/users/me/calendarList/watch", lists.url, "list-1")
        _watch_at(raw, "/users/me/settings/watch", settings.url, "settings-1")
        for hook in (acl, lists, settings):
            assert hook.wait_for(1)[0].headers["X-Goog-Resource-State"] == "sync"
        rule = {"role": "reader", "scope": {"type": "user", "value": "bob@example.com"}}
        raw.post(f"/calendars/{side}/acl", json=rule)
        raw.patch(f"/users/me/calendarList/{side}", json={"colorId": "4"})
        raw.patch("/calendars/primary", json={"timeZone": "Europe/Paris"})
        raw.post(  # an event changes none of the three
            "/calendars/primary/events", json=timed("2027-01-01T10:00:00Z", "2027-01-01T11:00:00Z")
        )
        acl_messages = acl.wait_for(2)
        list_messages = lists.wait_for(3)  # the entry's colour, then the primary's new zone
        settings_messages = settings.wait_for(2)
        time.sleep(0.3)
    assert len(acl.received) == 2
    assert acl_messages[1].headers["X-Goog-Resource-State"] == "exists"
    assert acl_messages[1].headers["X-Goog-Resource-ID"] == acl_channel["resourceId"]
    assert (
        acl_messages[1].headers["X-Goog-Resource-URI"].endswith(f"/calendars/{side}/acl?alt=json")
    )
    assert len(lists.received) == 3
    assert (
        list_messages[1].headers["X-Goog-Resource-URI"].endswith("/users/me/calendarList?alt=json")
    )
    assert len(settings.received) == 2
    assert (
        settings_messages[1].headers["X-Goog-Resource-URI"].endswith("/users/me/settings?alt=json")
    )


def test_only_the_owner_watches_a_calendars_sharing(raw_for: Any) -> None:
    alice, bob = raw_for("alice@example.com"), raw_for("bob@example.com")
    rule = {"role": "reader", "scope": {"type": "user", "value": "bob@example.com"}}
    alice.post("/calendars/primary/acl", json=rule)
    refused = bob.post(
        "/calendars/alice@example.com/acl/watch",
        json={"id": "peek", "type": "web_hook", "address": "http://127.0.0.1:9/"},
    )
    assert refused.status_code == 403


def test_an_address_that_never_answers_holds_up_no_other_channel(raw: httpx.Client) -> None:
    with socket.socket() as black_hole, WebhookReceiver() as hook:
        black_hole.bind(("127.0.0.1", 0))
        black_hole.listen()  # connections are queued, never answered
        dead = f"http://127.0.0.1:{black_hole.getsockname()[1]}/hook"
        _watch_at(raw, "/calendars/primary/events/watch", dead, "dead-1")
        _watch_at(raw, "/calendars/primary/events/watch", hook.url, "live-1")
        raw.post(
            "/calendars/primary/events", json=timed("2027-01-01T10:00:00Z", "2027-01-01T11:00:00Z")
        )
        received = hook.wait_for(2, timeout=3.0)
    assert [r.headers["X-Goog-Resource-State"] for r in received] == ["sync", "exists"]
