"""Google push notifications against the emulator, which sends real ones: a watch channel per
synced calendar, a change in Google synced by itself, a burst as one sync, a notification
during a sync as exactly one more, spoofs and replays as nothing, renewal before expiry, and
channels stopped when nobody needs them."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.support.app import ApiUser, AppHarness, run_in_thread, start_app, wait_for
from tests.support.servers import EmulatorControl
from tests.support.sync import changes_told, titles
from touchbase.store.database import Database
from touchbase.store.models import SyncRun


@pytest.fixture
def live(database_url: str, emulator: EmulatorControl) -> Iterator[AppHarness]:
    """The app, asking Google for push notifications (no backstop sync: only they sync)."""
    server, url = start_app(database_url, emulator.url, push_notifications=True)
    try:
        yield AppHarness(url, database_url, emulator)
    finally:
        server.stop()


def _channels(emulator: EmulatorControl, email: str) -> list[dict[str, Any]]:
    listed = emulator.http.get(emulator.url + "/_emulator/channels").json()["items"]
    return [c for c in listed if email in c["resourceUri"]]


def _watched(app: AppHarness, user: ApiUser) -> dict[str, Any]:
    """The user's one channel, once it is made (and its `sync` message is through)."""
    wait_for(lambda: len(_channels(app.emulator, user.email)) == 1, timeout=10, what="a channel")
    [channel] = _channels(app.emulator, user.email)
    assert channel["address"] == app.url + "/api/google/notifications"
    return channel


def _sync_runs(app: AppHarness) -> int:
    """Syncs that notifications set off so far."""

    async def count() -> int:
        database = Database(app.database_url)
        try:
            async with database.session() as session:
                query = select(func.count()).where(SyncRun.trigger == "notification")
                return int(await session.scalar(query) or 0)
        finally:
            await database.dispose()

    return run_in_thread(count())


def _in_google(user: ApiUser, title: str) -> None:
    made = user.google.post(
        "/events",
        json={
            "summary": title,
            "start": {"dateTime": "2027-01-10T09:00:00Z"},
            "end": {"dateTime": "2027-01-10T10:00:00Z"},
        },
    )
    assert made.status_code == 200, made.text


def _updates(user: ApiUser) -> dict[str, Any]:
    [calendar] = user.api.get("/api/calendar/calendars").json()["items"]
    return dict(calendar["updates"])


def _lists(emulator: EmulatorControl) -> int:
    return int(emulator.stats()["byMethod"].get("calendar.v3.Events.List", 0))


def _settled(app: AppHarness, seconds: float = 1.5) -> int:
    """The number of notification syncs, once it has not moved for `seconds`."""
    last, since = _sync_runs(app), time.monotonic()
    while time.monotonic() - since < seconds:
        time.sleep(0.1)
        now = _sync_runs(app)
        if now != last:
            last, since = now, time.monotonic()
    return last


def test_a_change_in_google_reaches_the_cache_by_itself(live: AppHarness) -> None:
    alice = live.user()
    channel = _watched(live, alice)
    wait_for(lambda: _updates(alice)["mode"] == "live", timeout=5, what="the calendar live")
    until = datetime.fromisoformat(_updates(alice)["until"])
    assert until.timestamp() == pytest.approx(int(channel["expiration"]) / 1000, abs=1)
    _in_google(alice, "Made in Google")
    wait_for(lambda: titles(alice) == ["Made in Google"], timeout=10, what="the change")


@pytest.mark.timing
def test_a_burst_of_changes_is_one_sync_or_two(live: AppHarness) -> None:
    alice = live.user()
    _watched(live, alice)
    before_syncs, before_lists = _settled(live), _lists(live.emulator)
    # The first sync waits for Google longer than the burst takes (on a busy machine too):
    # the other 99 notifications find it running, and make one more sync, not more.
    live.emulator.fault(method="GET", path="/events$", latencyMs=4000, times=1)
    for n in range(100):
        _in_google(alice, f"burst {n}")
    wait_for(lambda: len(titles(alice)) == 100, timeout=20, what="the burst in the cache")
    syncs = _settled(live) - before_syncs
    assert 1 <= syncs <= 2
    assert 1 <= _lists(live.emulator) - before_lists <= 2 * syncs  # an incremental list each


@pytest.mark.timing
def test_a_notification_during_a_sync_is_exactly_one_more(live: AppHarness) -> None:
    alice = live.user()
    _watched(live, alice)
    before = _settled(live)
    live.emulator.fault(method="GET", path="/events$", latencyMs=1500, times=1)
    _in_google(alice, "first")
    wait_for(lambda: _sync_runs(live) == before + 1, timeout=10, what="the first sync")
    for n in range(5):  # while that sync waits for Google
        _in_google(alice, f"during {n}")
    wait_for(lambda: len(titles(alice)) == 6, timeout=15, what="the changes made meanwhile")
    assert _settled(live) - before == 2


def _notify(app: AppHarness, **headers: str | bytes) -> httpx.Response:
    return httpx.post(app.url + "/api/google/notifications", headers=headers)


def test_spoofed_and_replayed_notifications_change_nothing(live: AppHarness) -> None:
    alice = live.user()
    channel = _watched(live, alice)
    real = {
        "X-Goog-Channel-ID": channel["id"],
        "X-Goog-Channel-Token": channel["token"],
        "X-Goog-Resource-ID": channel["resourceId"],
        "X-Goog-Resource-State": "exists",
    }
    # A genuine message first (the `sync` one may come before the channel is stored, so
    # nothing says which number it had): the ones below replay it or an older one.
    assert _notify(live, **real, **{"X-Goog-Message-Number": "50"}).status_code == 200
    wait_for(lambda: _sync_runs(live) == 1, timeout=10, what="the genuine first one")
    before = _settled(live)
    spoofs: list[dict[str, str | bytes]] = [
        {**real, "X-Goog-Channel-Token": "guessed", "X-Goog-Message-Number": "100"},
        {**real, "X-Goog-Channel-ID": "no-such-channel", "X-Goog-Message-Number": "101"},
        {**real, "X-Goog-Message-Number": "50"},  # a replay
        {**real, "X-Goog-Message-Number": "1"},  # an older one
        {k: v for k, v in real.items() if k != "X-Goog-Channel-Token"}
        | {"X-Goog-Message-Number": "102"},
        {**real},  # no message number
        {**real, "X-Goog-Message-Number": "x" * 5000},
        {**real, "X-Goog-Channel-ID": ("é" * 80).encode("latin-1"), "X-Goog-Message-Number": "103"},
        {},
    ]
    for headers in spoofs:
        assert _notify(live, **headers).status_code == 200
    assert _settled(live) == before
    # The same channel and token with a new message number is Google: one sync.
    assert _notify(live, **real, **{"X-Goog-Message-Number": "200"}).status_code == 200
    wait_for(lambda: _sync_runs(live) == before + 1, timeout=10, what="the genuine one")
    # ... and that message again is a replay.
    assert _notify(live, **real, **{"X-Goog-Message-Number": "200"}).status_code == 200
    assert _settled(live) == before + 1


def test_a_channel_is_renewed_before_it_expires(live: AppHarness) -> None:
    live.emulator.configure(channelLifetimeSeconds=6)
    alice = live.user()
    first = _watched(live, alice)

    def renewed() -> bool:  # a new channel, and the old one stopped
        ids = [c["id"] for c in _channels(live.emulator, alice.email)]
        return len(ids) == 1 and ids[0] != first["id"]

    wait_for(renewed, timeout=15, what="a new channel in place of the first")
    _in_google(alice, "after the renewal")
    wait_for(lambda: titles(alice) == ["after the renewal"], timeout=10, what="the change")


def test_a_channel_whose_calendar_google_reports_gone_is_cleared(live: AppHarness) -> None:
    live.emulator.configure(channelLifetimeSeconds=12)  # replaced at 9 s, expires at 12 s
    alice = live.user()
    _watched(live, alice)
    made = time.monotonic()
    live.emulator.fault(method="POST", path="/watch$", status=404, times=100)
    wait_for(
        lambda: _channels(live.emulator, alice.email) == [],
        timeout=15,
        what="the channel stopped at its renewal",
    )
    assert time.monotonic() - made < 11.5  # not merely expired
    assert _updates(alice)["mode"] == "polled"


def test_a_calendar_no_longer_synced_has_no_channel(live: AppHarness) -> None:
    alice = live.user()
    _watched(live, alice)
    [calendar] = alice.api.get("/api/calendar/calendars").json()["items"]
    chosen = alice.api.patch(
        f"/api/calendar/calendars/{calendar['id']}", json={"syncEnabled": False}
    )
    assert chosen.status_code == 200, chosen.text
    wait_for(
        lambda: _channels(live.emulator, alice.email) == [], timeout=10, what="the channel stopped"
    )
    again = alice.api.patch(f"/api/calendar/calendars/{calendar['id']}", json={"syncEnabled": True})
    assert again.status_code == 200
    _watched(live, alice)


def test_without_an_address_google_can_reach_there_is_no_channel(
    database_url: str, emulator: EmulatorControl
) -> None:
    server, url = start_app(database_url, emulator.url, push_notifications=False)
    try:
        alice = AppHarness(url, database_url, emulator).user()
        time.sleep(1.0)  # five ticks
        assert _channels(emulator, alice.email) == []
        assert _updates(alice) == {"mode": "polled", "everySeconds": 0, "reason": "no_address"}
    finally:
        server.stop()


def test_disconnecting_google_stops_the_channels(live: AppHarness) -> None:
    alice = live.user()
    _watched(live, alice)
    gone = alice.api.delete("/api/google/connection")
    assert gone.status_code == 200, gone.text
    assert _channels(live.emulator, alice.email) == []
    assert alice.api.get("/api/google/connection").json()["connected"] is False
    time.sleep(0.6)  # three ticks: no channel comes back without Google
    assert _channels(live.emulator, alice.email) == []


def test_removing_a_user_stops_their_channels(live: AppHarness) -> None:
    alice, bob = live.user(), live.user("bob@example.com")
    _watched(live, alice)
    _watched(live, bob)
    removed = subprocess.run(
        [sys.executable, "-m", "touchbase", "user", "remove", alice.email],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("TOUCHBASE_")},
            "TOUCHBASE_MODE": "test",
            "TOUCHBASE_DATABASE_URL": live.database_url,
            "TOUCHBASE_SECRET_KEY": "test-secret-key",
            "TOUCHBASE_GOOGLE_BASE_URL": live.emulator.url,
            "TOUCHBASE_GOOGLE_CLIENT_ID": "touchbase-test",
        },
        check=False,
    )
    assert removed.returncode == 0, removed.stderr
    assert _channels(live.emulator, alice.email) == []
    assert len(_channels(live.emulator, bob.email)) == 1
    assert alice.api.get("/api/calendar/events").status_code == 401


def test_an_open_stream_is_told_which_calendar_changed(live: AppHarness) -> None:
    alice, bob = live.user(), live.user("bob@example.com")
    _watched(live, alice)
    [calendar] = alice.api.get("/api/calendar/calendars").json()["items"]
    told: dict[str, list[dict[str, Any]]] = {}

    def listen(user: ApiUser) -> None:
        told[user.email] = changes_told(user, 1, timeout=6)

    listeners = [threading.Thread(target=listen, args=(u,)) for u in (alice, bob)]
    for listener in listeners:
        listener.start()
    time.sleep(0.5)  # both streams are open
    _in_google(alice, "Made in Google")
    for listener in listeners:
        listener.join()
    assert told[alice.email] == [{"calendarIds": [calendar["id"]]}]
    assert told[bob.email] == []  # nobody else's changes
