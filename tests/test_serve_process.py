"""`touchbase serve` as its own process, with pages open: it may hold as many connections as
the system lets it (not the usual soft limit of 1,024 files), and it stops at once, cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import httpx
import pytest

from tests.support.app import flow_cookie, wait_for
from tests.support.servers import EmulatorControl
from touchbase_emulator.process import free_port, wait_until_up

# The soft limit on open files `serve` is started with here; its hard limit is the test's.
STARTED_WITH = 256
STREAMS = 300


@dataclass
class Served:
    url: str
    headers: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path


# Python that lowers its soft limit, then becomes the command it is given.
LOW_SOFT_LIMIT = (
    "import os, resource, sys; "
    "_, hard = resource.getrlimit(resource.RLIMIT_NOFILE); "
    f"resource.setrlimit(resource.RLIMIT_NOFILE, ({STARTED_WITH}, hard)); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
)


@contextlib.contextmanager
def _serving(
    tmp_path: Path, emulator_url: str, environment: dict[str, str] | None = None, **settings: str
) -> Iterator[Served]:
    """`touchbase serve` on SQLite with these settings (TOUCHBASE_ ones, named without the
    prefix) and `environment`, started with a soft limit of 256 open files; a user, Ann, with
    an API token."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TOUCHBASE_")},
        **(environment or {}),
        "TOUCHBASE_MODE": "test",
        "TOUCHBASE_DATABASE_URL": f"sqlite:///{tmp_path}/serve.db",
        "TOUCHBASE_SECRET_KEY": "test-secret-key",
        "TOUCHBASE_GOOGLE_BASE_URL": emulator_url,
        **{f"TOUCHBASE_{name}": value for name, value in settings.items()},
    }
    command = [sys.executable, "-m", "touchbase"]
    added = subprocess.run(
        [*command, "user", "add", "ann@example.com"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    token = re.search(r"^(tb_\S+)$", added.stdout, re.MULTILINE)
    assert token, added.stderr
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", LOW_SOFT_LIMIT, "-m", "touchbase", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/api/health")
        yield Served(url, {"Authorization": f"Bearer {token.group(1)}"}, process, log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def served(tmp_path: Path, emulator_url: str) -> Iterator[Served]:
    """`touchbase serve`, one user allowed more streams than its soft limit of open files."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 2 * STREAMS:
        pytest.skip(f"this machine lets a process open {hard} files at most")
    with _serving(tmp_path, emulator_url, LIVE_STREAMS_PER_USER=str(2 * STREAMS)) as server:
        yield server


async def _open_streams(served: Served, count: int) -> tuple[list[int], int]:
    """Open `count` live streams at once: the status each opened with, and the status of
    a listing asked while they are all open."""
    async with contextlib.AsyncExitStack() as held:
        client = await held.enter_async_context(
            httpx.AsyncClient(
                base_url=served.url,
                headers=served.headers,
                timeout=20,
                limits=httpx.Limits(max_connections=None),
            )
        )

        async def opened() -> int:
            stream = await held.enter_async_context(client.stream("GET", "/api/calendar/changes"))
            return stream.status_code

        statuses = await asyncio.gather(*(opened() for _ in range(count)), return_exceptions=True)
        listed = await client.get("/api/contacts")
        return [s if isinstance(s, int) else -1 for s in statuses], listed.status_code


def test_hundreds_of_open_pages_fit_under_a_low_soft_limit(served: Served) -> None:
    statuses, listed = asyncio.run(_open_streams(served, STREAMS))
    assert statuses == [200] * STREAMS
    assert listed == 200
    assert "Too many open files" not in served.log.read_text(errors="replace")


def test_stopping_with_pages_open_is_prompt_and_clean(served: Served) -> None:
    async def stop_with_streams_open() -> float:
        async with (
            httpx.AsyncClient(base_url=served.url, headers=served.headers) as client,
            client.stream("GET", "/api/calendar/changes") as stream,
        ):
            assert stream.status_code == 200
            began = time.monotonic()
            served.process.send_signal(signal.SIGTERM)
            async for _ in stream.aiter_lines():  # ends whole: no error
                pass
        await asyncio.to_thread(served.process.wait, 20)
        return time.monotonic() - began

    took = asyncio.run(stop_with_streams_open())
    log = served.log.read_text(errors="replace")
    assert "timeout graceful shutdown exceeded" not in log, log
    assert "Traceback" not in log, log
    assert took < 5, f"the stop waited for the open page ({took:.1f} s)"


def test_stopping_while_google_fails_leaves_the_change_queued_at_once(
    tmp_path: Path, emulator: EmulatorControl
) -> None:
    """A push job waiting to try Google again gives up its wait when the process stops: the
    change stays queued (pushed by the next start), and the process does not wait out the
    job's backoff (it waited the whole graceful timeout, 10 s)."""
    settings = {"PUSH_IN_REQUEST": "false", "PUSH_DELAY_SECONDS": "0"}
    with _serving(tmp_path, emulator.url, **settings) as served:
        _connect_ann(served)
        emulator.fault(method="POST", path="/events$", status=503, times=1000)
        _add_event(served)
        wait_for(lambda: _inserts(emulator) >= 2, what="the push job meets Google's 503 and waits")
        _stop_promptly(served, "the push's backoff")
    assert _events_pending(tmp_path) == [("create", "pending")]


def test_stopping_while_the_google_quota_is_spent_leaves_the_change_queued_at_once(
    tmp_path: Path, emulator: EmulatorControl
) -> None:
    """A push job waiting for its turn in the user's budget of Google calls (spent: one a
    minute here, by connecting) gives up its wait when the process stops,
    as a wait to try again does; the change stays queued. It held the process for the whole
    graceful timeout."""
    settings = {
        "PUSH_IN_REQUEST": "false",
        "PUSH_DELAY_SECONDS": "0",
        "GOOGLE_CALLS_PER_MINUTE": "1",
    }
    with _serving(tmp_path, emulator.url, **settings) as served:
        _connect_ann(served)
        _add_event(served)
        time.sleep(1.0)  # the push job is under way, and waits for the quota
        assert _inserts(emulator) == 0, "the quota let the push through: nothing to wait for"
        _stop_promptly(served, "the quota's wait")
    assert _events_pending(tmp_path) == [("create", "pending")]


def test_a_wall_time_is_placed_by_the_locked_zone_rules_not_the_machines(
    tmp_path: Path, emulator_url: str
) -> None:
    """Every process reads zone rules from the `tzdata` package the lock pins, not from the
    machine's zone files first: a web process and a worker on machines of different tz
    releases place 09:00 in Berlin alike. Here the machine's own "Europe/Berlin" holds
    Tokyo's rules (an outdated or odd release, made extreme): 09:00 is still 08:00 UTC."""
    machine_zones = tmp_path / "zoneinfo"
    (machine_zones / "Europe").mkdir(parents=True)
    shutil.copy(
        resources.files("tzdata") / "zoneinfo" / "Asia" / "Tokyo",
        machine_zones / "Europe" / "Berlin",
    )
    with (
        _serving(tmp_path, emulator_url, {"PYTHONTZPATH": str(machine_zones)}) as served,
        httpx.Client(base_url=served.url, headers=served.headers) as api,
    ):
        assert api.post("/api/calendar/local").status_code == 201
        made = api.post(
            "/api/calendar/events",
            json={
                "title": "Standup",
                "startTime": "2030-01-07T09:00:00",
                "endTime": "2030-01-07T09:30:00",
                "timeZone": "Europe/Berlin",
            },
        )
        assert made.status_code == 201, made.text
        start = datetime.fromisoformat(made.json()["startTime"])
        assert start == datetime(2030, 1, 7, 8, tzinfo=UTC), start


def _connect_ann(served: Served) -> None:
    started = httpx.post(served.url + "/api/google/connect", headers=served.headers)
    consent = started.json()["authorizationUrl"] + "&login_hint=ann@example.com"
    httpx.get(consent, cookies=flow_cookie(started), follow_redirects=True).raise_for_status()


def _add_event(served: Served) -> None:
    made = httpx.post(
        served.url + "/api/calendar/events",
        headers=served.headers,
        json={
            "title": "Call",
            "startTime": "2030-01-07T09:00:00Z",
            "endTime": "2030-01-07T10:00:00Z",
        },
    )
    assert made.status_code == 201, made.text


def _inserts(emulator: EmulatorControl) -> int:
    """How many events.insert calls reached Google (the emulator)."""
    stats = emulator.http.get(emulator.url + "/_emulator/stats").json()
    return int(stats["byMethod"].get("calendar.v3.Events.Insert", 0))


def _stop_promptly(served: Served, waiting: str) -> None:
    """SIGTERM; the process leaves within 5 s (its graceful timeout is 10 s), cleanly."""
    began = time.monotonic()
    served.process.send_signal(signal.SIGTERM)
    served.process.wait(timeout=30)
    took = time.monotonic() - began
    log = served.log.read_text(errors="replace")
    assert "Traceback" not in log, log
    assert took < 5, f"the stop waited out {waiting} ({took:.1f} s)"


def _events_pending(tmp_path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(tmp_path / "serve.db") as database:
        return database.execute("SELECT pending_op, sync_status FROM events").fetchall()
