"""Worker processes on PostgreSQL against the emulator, with 50 ms added to every Google call:
- 500 users x 200 events: the time until every calendar has finished a full sync, and then
  an incremental one, with 1, 2 and 4 `touchbase worker` processes (the speed-up per worker,
  Google calls per user, calls the emulator refused for a user's rate, syncs of one calendar
  at once, and each process's CPU);
- the time from an API edit to Google with the web process only enqueuing
  (`serve --no-jobs`, `TOUCHBASE_PUSH_IN_REQUEST=false`), p50/p95.
PostgreSQL: TOUCHBASE_BENCH_POSTGRES_URL, or the private server `scripts/postgres.sh` starts.
TOUCHBASE_BENCH_USERS changes the number of users (500).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import statistics
import subprocess
import tempfile
import time
from contextlib import AbstractContextManager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from tests.support.cluster import Cluster, cluster, cluster_environment
from tests.support.inprocess import calendar_services, connected_user

from benchmarks.api_latency import user_token
from benchmarks.postgres import admin, database_url, fresh_database, server_url
from benchmarks.report import table
from touchbase.store.database import libpq_url, migrate
from touchbase_emulator.process import emulator_process

USERS = int(os.environ.get("TOUCHBASE_BENCH_USERS", "500"))
EVENTS = 200
LATENCY_MS = 50
WORKERS = (1, 2, 4)
CONCURRENCY = 10  # jobs per worker: most of a sync is waiting for Google
EDITS = 100
TEMPLATE = "touchbase_bench_template"


def _email(n: int) -> str:
    return f"user{n}@bench.example"


def _seed(emulator: str) -> None:
    control = httpx.Client(base_url=emulator + "/_emulator", timeout=120)
    start = datetime(2027, 1, 1, tzinfo=UTC)
    for first in range(0, USERS, 25):
        users = []
        for n in range(first, min(first + 25, USERS)):
            events = [
                {
                    "summary": f"Meeting {n}-{e}",
                    "start": {"dateTime": (start + timedelta(hours=e)).isoformat()},
                    "end": {"dateTime": (start + timedelta(hours=e, minutes=30)).isoformat()},
                }
                for e in range(EVENTS)
            ]
            users.append({"email": _email(n), "events": events})
        control.post("/seed", json={"users": users}).raise_for_status()


async def _connect_everyone(database_url: str, emulator: str) -> None:
    async with calendar_services(database_url, emulator) as services:
        for n in range(USERS):
            await connected_user(services, _email(n))


def _prepare(server: str, emulator: str) -> None:
    """The template database: migrated, every user connected to Google (through OAuth)."""
    admin(server, f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
    admin(server, f"CREATE DATABASE {TEMPLATE}")
    url = database_url(server, TEMPLATE)
    migrate(url)
    asyncio.run(_connect_everyone(url, emulator))


def _fresh(server: str, name: str) -> AbstractContextManager[str]:
    return fresh_database(server, name, template=TEMPLATE)


def _scalar(url: str, query: str) -> Any:
    with psycopg.connect(libpq_url(url)) as connection:
        row = connection.execute(query).fetchone()
        return row[0] if row else None


def _users_synced(url: str, times: int) -> int:
    return int(
        _scalar(
            url,
            "SELECT count(*) FROM (SELECT user_id FROM sync_runs WHERE status = 'succeeded' "
            f"GROUP BY user_id HAVING count(*) >= {times}) AS done",
        )
    )


def _wait(url: str, times: int) -> float:
    began = time.perf_counter()
    while _users_synced(url, times) < USERS:
        time.sleep(0.2)
    return time.perf_counter() - began


def _cpu_seconds(pid: int, *, children: bool = False) -> float:
    """A process's CPU (user and system), with that of its children it has reaped."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def _postgres_cpu() -> float:
    """Every PostgreSQL process's CPU, and that of the server processes that have ended
    (counted by the postmaster, their parent, once it has reaped them)."""
    found = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True, check=False)
    total = 0.0
    for pid in found.stdout.split():
        with suppress(FileNotFoundError, ProcessLookupError):  # a backend that just ended
            total += _cpu_seconds(int(pid), children=True)
    return total


def _overlaps(running: Cluster) -> int:
    count = 0
    for runs in running.job_runs("sync").values():
        runs.sort()
        count += sum(began < ended for (_, ended), (began, _) in itertools.pairwise(runs))
    return count


def _stats(emulator: str, *, reset: bool = False) -> dict[str, Any]:
    method = "DELETE" if reset else "GET"
    return dict(httpx.request(method, emulator + "/_emulator/stats").json())


def _environment(url: str, emulator: str, **settings: str) -> dict[str, str]:
    return cluster_environment(
        url,
        emulator,
        SYNC_INTERVAL_SECONDS="3600",
        REQUEST_GOOGLE_BUDGET_SECONDS="8",
        PUSH_LEASE_SECONDS="60",
        **settings,
    )


def _one_run(server: str, emulator: str, workers: int, directory: Path) -> dict[str, Any]:
    with _fresh(server, f"touchbase_bench_{workers}") as url:
        _stats(emulator, reset=True)
        emulator_pid = httpx.get(emulator + "/_emulator/health").json()["pid"]
        emulator_before = _cpu_seconds(emulator_pid)
        pg_before, began = _postgres_cpu(), time.perf_counter()
        with cluster(
            _environment(url, emulator), directory, webs=0, workers=workers, concurrency=CONCURRENCY
        ) as running:
            full = _wait(url, 1)
            full_calls = _stats(emulator)
            _stats(emulator, reset=True)
            admin(url, "UPDATE calendars SET next_sync_at = now()")
            incremental = _wait(url, 2)
            incremental_calls = _stats(emulator)
            cpu = [_cpu_seconds(m.process.pid) for m in running.workers]
            pg_cpu = _postgres_cpu() - pg_before
            emulator_cpu = _cpu_seconds(emulator_pid) - emulator_before
            overlaps = _overlaps(running)
        wall = time.perf_counter() - began
    return {
        "workers": workers,
        "full": full,
        "incremental": incremental,
        "calls": (full_calls["apiCalls"] + incremental_calls["apiCalls"]) / USERS,
        "throttled": full_calls["throttled"] + incremental_calls["throttled"],
        "overlaps": overlaps,
        "cpu": cpu,
        "pg_cpu": pg_cpu,
        "emulator_cpu": emulator_cpu,
        "wall": wall,
    }


def _edit_to_google(server: str, emulator: str, directory: Path) -> list[float]:
    """API create -> the change recorded as landed in Google, with the web process only
    deferring the push (2 workers run it)."""
    with _fresh(server, "touchbase_bench_edits") as url:
        environment = _environment(url, emulator, PUSH_IN_REQUEST="false")
        token = user_token(environment, _email(0))
        samples = []
        with (
            cluster(environment, directory, webs=1, workers=2, concurrency=CONCURRENCY) as running,
            psycopg.connect(libpq_url(url), autocommit=True) as db,
            httpx.Client(
                base_url=running.webs[0], headers={"Authorization": f"Bearer {token}"}
            ) as api,
        ):
            _wait(url, 1)  # the first syncs are over: edits in a steady state
            for n in range(EDITS):
                body = {
                    "title": f"Edit {n}",
                    "startTime": "2027-06-01T09:00:00Z",
                    "endTime": "2027-06-01T10:00:00Z",
                }
                began = time.perf_counter()
                created = api.post("/api/calendar/events", json=body)
                assert created.status_code == 201, created.text
                event_id = created.json()["id"]
                while True:
                    row = db.execute(
                        "SELECT sync_status FROM events WHERE id = %s", (event_id,)
                    ).fetchone()
                    if row is not None and row[0] == "synced":
                        break
                    time.sleep(0.002)
                samples.append(time.perf_counter() - began)
        return samples


def _ms(samples: list[float], cut: int) -> str:
    return f"{statistics.quantiles(samples, n=100, method='inclusive')[cut - 1] * 1000:.0f}"


def main() -> None:
    """Run the benchmark and print its tables."""
    server = server_url()
    with tempfile.TemporaryDirectory() as tmp, emulator_process() as emulator:
        _seed(emulator)
        _prepare(server, emulator)
        httpx.put(
            emulator + "/_emulator/config",
            json={"latencyMs": LATENCY_MS, "rateLimit": {"perMinute": 600, "status": 429}},
        ).raise_for_status()
        runs = [_one_run(server, emulator, w, Path(tmp) / f"w{w}") for w in WORKERS]
        edits = _edit_to_google(server, emulator, Path(tmp) / "edits")
        admin(server, f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
    base = runs[0]["full"] + runs[0]["incremental"]
    rows = []
    for run in runs:
        total = run["full"] + run["incremental"]
        rows.append(
            [
                str(run["workers"]),
                f"{run['full']:.1f}",
                f"{run['incremental']:.1f}",
                f"{base / total:.2f}x",
                f"{base / total / run['workers']:.2f}",
                f"{run['calls']:.1f}",
                str(run["throttled"]),
                str(run["overlaps"]),
                " ".join(f"{c:.0f}" for c in run["cpu"]),
                f"{run['pg_cpu']:.0f}",
                f"{run['emulator_cpu']:.0f}",
                f"{run['wall']:.0f}",
            ]
        )
    table(
        f"{USERS} users x {EVENTS} events, {LATENCY_MS} ms per Google call, "
        f"{CONCURRENCY} jobs per worker (seconds)",
        [
            "workers",
            "full sync",
            "then incremental",
            "speed-up",
            "per worker",
            "Google calls/user",
            "throttled",
            "syncs at once",
            "CPU s per worker",
            "CPU s PostgreSQL",
            "CPU s emulator",
            "wall s",
        ],
        rows,
    )
    table(
        f"API edit -> in Google, web process only enqueuing ({EDITS} creates, ms)",
        ["p50", "p95"],
        [[_ms(edits, 50), _ms(edits, 95)]],
    )
