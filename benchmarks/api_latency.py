"""Latency of create, update and delete through touchbase's HTTP API, against the emulator
with 100 ms added to every Google call and with none, beside the bare Google round trip of
the same calls and the same calls through a minimal relay (`benchmarks/relay.py`), measured
in the same run. The difference from the bare call is touchbase's own overhead; the relay's
is the floor of the stack it runs on. On SQLite, and on PostgreSQL
(TOUCHBASE_BENCH_POSTGRES_URL, or the private server `scripts/postgres.sh` starts)."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from benchmarks.postgres import fresh_database, server_url
from benchmarks.report import table
from touchbase.store.database import migrate
from touchbase_emulator.process import emulator_process, free_port, wait_until_up

N = 100
# Google's own latency is tens of ms; at none, what remains is each server's CPU work.
LATENCIES_MS = (100, 0)
OPERATIONS = ("create", "update", "delete")
EMAIL = "bench@example.com"


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 in milliseconds."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def _timed(call: Callable[[], httpx.Response], expect: int) -> float:
    began = time.perf_counter()
    response = call()
    elapsed = time.perf_counter() - began
    assert response.status_code == expect, response.text
    return elapsed


def user_token(environment: dict[str, str], email: str, password: str | None = None) -> str:
    """`touchbase user add EMAIL` in this environment (with a password to sign in to the
    pages, if given); the API token it prints."""
    added = subprocess.run(
        [sys.executable, "-m", "touchbase", "user", "add", email]
        + (["--password-stdin"] if password else []),
        env=environment,
        input=f"{password}\n" if password else None,
        capture_output=True,
        text=True,
        check=True,
    )
    token = re.search(r"^(tb_\S+)$", added.stdout, re.MULTILINE)
    assert token is not None
    return token.group(1)


@contextmanager
def touchbase_server(
    emulator_url: str,
    directory: Path,
    *,
    users: tuple[str, ...] = (EMAIL,),
    database: str | None = None,
    push_notifications: bool = False,
    password: str | None = None,
    google_calls_per_minute: int = 500,
) -> Iterator[tuple[str, dict[str, str]]]:
    """`touchbase serve` as its own process, on `database` (a migrated one; None: a new
    SQLite file); yields (URL, API token of each user). Push notifications are off unless
    asked for (Google's notification of a write would set off a sync during a measurement
    of the API); `password` lets the users sign in to the pages."""
    port = free_port()
    env = {
        **os.environ,
        "TOUCHBASE_DATABASE_URL": database or f"sqlite:///{directory}/bench.db",
        "TOUCHBASE_SECRET_KEY": "benchmark-secret",
        "TOUCHBASE_GOOGLE_BASE_URL": emulator_url,
        "TOUCHBASE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "TOUCHBASE_MUTATIONS_PER_MINUTE": "100000",
        "TOUCHBASE_GOOGLE_CALLS_PER_MINUTE": str(google_calls_per_minute),
        "TOUCHBASE_PUSH_NOTIFICATIONS": "true" if push_notifications else "false",
        "TOUCHBASE_MODE": "test",  # a benchmark's own secret; no Google OAuth client
    }
    tokens = {email: user_token(env, email, password) for email in users}
    server = subprocess.Popen(
        [sys.executable, "-m", "touchbase", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/api/health")
        yield url, tokens
    finally:
        server.terminate()
        server.wait(timeout=20)


def connect_google(api: httpx.Client, email: str) -> None:
    """Connect the API client's user to Google through the OAuth flow (the emulator signs
    in by login hint)."""
    started = api.post("/api/google/connect")
    httpx.get(
        started.json()["authorizationUrl"] + "&login_hint=" + email,
        cookies=dict(started.cookies.items()),
        follow_redirects=True,
    ).raise_for_status()


def connected(url: str, token: str) -> None:
    """Connect the user to Google, and wait for the first sync to end (it would run beside
    the first requests measured)."""
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as api:
        connect_google(api, EMAIL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            calendars = api.get("/api/calendar/calendars").json()["items"]
            if calendars and all(c["lastSyncedAt"] for c in calendars if c["syncEnabled"]):
                return
            time.sleep(0.1)
    raise RuntimeError("the first sync did not end")


def measure_touchbase(url: str, token: str) -> dict[str, list[float]]:
    """Create, then update, then delete N events through the API."""
    samples: dict[str, list[float]] = {"create": [], "update": [], "delete": []}
    with httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        created = []
        for n in range(N):
            body = {
                "title": f"Meeting {n}",
                "startTime": "2027-01-10T09:00:00Z",
                "endTime": "2027-01-10T10:00:00Z",
            }
            began = time.perf_counter()
            response = api.post("/api/calendar/events", json=body)
            samples["create"].append(time.perf_counter() - began)
            assert response.json()["syncStatus"] == "synced", response.text
            created.append(response.json())
        for event in created:
            samples["update"].append(
                _timed(
                    lambda e=event: api.patch(  # type: ignore[misc]
                        f"/api/calendar/events/{e['id']}",
                        json={"title": "Renamed"},
                        headers={"If-Match": e["etag"]},
                    ),
                    200,
                )
            )
        for event in created:
            samples["delete"].append(
                _timed(
                    lambda e=event: api.delete(  # type: ignore[misc]
                        f"/api/calendar/events/{e['id']}"
                    ),
                    200,
                )
            )
    return samples


def google_token(emulator_url: str, email: str) -> str:
    """An access token of a new emulator user."""
    control = httpx.Client(base_url=emulator_url + "/_emulator")
    return str(control.post("/tokens", json={"email": email}).json()["access_token"])


def measure_calls(base_url: str, token: str) -> dict[str, list[float]]:
    """The same calls in Google's own form, at `base_url` (the emulator's primary calendar,
    or the relay in front of it)."""
    samples: dict[str, list[float]] = {"create": [], "update": [], "delete": []}
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as google:
        ids = []
        for n in range(N):
            body = {
                "summary": f"Meeting {n}",
                "start": {"dateTime": "2027-01-10T09:00:00Z"},
                "end": {"dateTime": "2027-01-10T10:00:00Z"},
            }
            began = time.perf_counter()
            response = google.post("/events", json=body)
            samples["create"].append(time.perf_counter() - began)
            ids.append((response.json()["id"], response.json()["etag"]))
        for event_id, etag in ids:
            samples["update"].append(
                _timed(
                    lambda i=event_id, t=etag: google.patch(  # type: ignore[misc]
                        f"/events/{i}", json={"summary": "Renamed"}, headers={"If-Match": t}
                    ),
                    200,
                )
            )
        for event_id, _ in ids:
            samples["delete"].append(
                _timed(
                    lambda i=event_id: google.delete(  # type: ignore[misc]
                        f"/events/{i}"
                    ),
                    204,
                )
            )
    return samples


@contextmanager
def relay_server(emulator_url: str) -> Iterator[str]:
    """`benchmarks.relay` as its own process, for a new emulator user; yields its URL."""
    port = free_port()
    token = google_token(emulator_url, "relay@example.com")
    relay = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.relay", emulator_url, str(port), token],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/health")
        yield url
    finally:
        relay.terminate()
        relay.wait(timeout=20)


def _measure(emulator_url: str, directory: Path, database: str | None) -> list[list[str]]:
    """One table's rows: each operation through touchbase on `database`, bare, and through
    the minimal relay, at each added latency. The calls outrun Google's per-user budget at no
    latency, so the emulator's limit and touchbase's are lifted: this measures overhead."""
    httpx.put(emulator_url + "/_emulator/config", json={"rateLimit": {"perMinute": 100_000}})
    primary = emulator_url + "/calendar/v3/calendars/primary"
    rows = []
    with (
        touchbase_server(
            emulator_url, directory, database=database, google_calls_per_minute=100_000
        ) as (url, tokens),
        relay_server(emulator_url) as relay_url,
    ):
        bare_token = google_token(emulator_url, "raw@example.com")
        httpx.put(emulator_url + "/_emulator/config", json={"latencyMs": 0})
        with httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {tokens[EMAIL]}"}
        ) as api:
            connect_google(api, EMAIL)
        time.sleep(2)  # its first sync is over
        measure_touchbase(url, tokens[EMAIL])  # warm-up: caches
        measure_calls(relay_url, "-")
        for latency in LATENCIES_MS:
            httpx.put(emulator_url + "/_emulator/config", json={"latencyMs": latency})
            ours = measure_touchbase(url, tokens[EMAIL])
            bare = measure_calls(primary, bare_token)
            relayed = measure_calls(relay_url, "-")
            rows += [_row(op, latency, ours[op], bare[op], relayed[op]) for op in OPERATIONS]
    return rows


def _row(
    op: str, latency: int, ours: list[float], bare: list[float], relayed: list[float]
) -> list[str]:
    o50, o95, o99 = percentiles(ours)
    g50, g95, g99 = percentiles(bare)
    r50, _, r99 = percentiles(relayed)
    return [
        op,
        f"{latency} ms",
        f"{o50:.1f} / {o95:.1f} / {o99:.1f}",
        f"{g50:.1f} / {g95:.1f} / {g99:.1f}",
        f"{o50 - g50:+.1f} / {o99 - g99:+.1f}",
        f"{r50 - g50:+.1f} / {r99 - g99:+.1f}",
    ]


def main() -> None:
    """Run and print the API latency benchmark, on SQLite and on PostgreSQL."""
    server = server_url()
    for name in ("SQLite", "PostgreSQL"):
        with (
            tempfile.TemporaryDirectory() as directory,
            emulator_process() as emulator_url,
            fresh_database(server, "touchbase_bench_api") as postgres,
        ):
            database = None
            if name == "PostgreSQL":
                migrate(postgres)
                database = postgres
            rows = _measure(emulator_url, Path(directory), database)
        table(
            f"HTTP API latency on {name}, {N} of each, with each latency added to every Google "
            "call (ms; p50 / p95 / p99)",
            [
                "operation",
                "added",
                "touchbase API",
                "bare Google call",
                "overhead p50 / p99",
                "minimal relay's overhead p50 / p99",
            ],
            rows,
        )
