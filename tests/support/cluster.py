"""touchbase as several real processes on one PostgreSQL: `touchbase serve --no-jobs` web
processes and `touchbase worker` processes, each logging to a file the test can read."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx

from touchbase_emulator.process import free_port

JOB_LINE = re.compile(
    r"^(?P<at>\S+ \S+) touchbase\.jobs job (?P<kind>\w+) of calendar (?P<calendar>\S+) "
    r"(?P<what>started|ended) \((?P<holder>[^)]+)\)"
)


@dataclass
class Member:
    """One process of the cluster and its log."""

    process: subprocess.Popen[bytes]
    log: Path
    killed_at: datetime | None = None

    def lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines()

    def running_jobs(self) -> set[tuple[str, str]]:
        """(kind, calendar) of the jobs this process has started and not ended."""
        started: dict[str, tuple[str, str]] = {}
        for line in self.lines():
            match = JOB_LINE.match(line)
            if match is None:
                continue
            run = match["holder"] + match["kind"] + match["calendar"]
            if match["what"] == "started":
                started[run] = (match["kind"], match["calendar"])
            else:
                started.pop(run, None)
        return set(started.values())

    def kill(self) -> None:
        """SIGKILL: no goodbye, no cleanup."""
        self.killed_at = datetime.now()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


@dataclass
class Cluster:
    """The web processes' URLs and every process."""

    webs: list[str] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    workers: list[Member] = field(default_factory=list)

    def job_runs(self, kind: str) -> dict[str, list[tuple[datetime, datetime]]]:
        """Every run of a job kind, by calendar: from its start to its end (or to the kill
        of the worker that ran it)."""
        runs: dict[str, list[tuple[datetime, datetime]]] = {}
        for member in self.workers:
            open_runs: dict[str, tuple[str, datetime]] = {}
            for line in member.lines():
                match = JOB_LINE.match(line)
                if match is None or match["kind"] != kind:
                    continue
                at = datetime.strptime(match["at"], "%Y-%m-%d %H:%M:%S,%f")
                key = match["holder"] + match["calendar"]
                if match["what"] == "started":
                    open_runs[key] = (match["calendar"], at)
                elif key in open_runs:
                    calendar, began = open_runs.pop(key)
                    runs.setdefault(calendar, []).append((began, at))
            for calendar, began in open_runs.values():
                end = member.killed_at or datetime.now()
                runs.setdefault(calendar, []).append((began, end))
        return runs


def cluster_environment(database_url: str, emulator_url: str, **settings: str) -> dict[str, str]:
    """The environment of every process: this database, the emulator, quick jobs."""
    values = {
        "MODE": "test",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "GOOGLE_BASE_URL": emulator_url,
        "GOOGLE_CLIENT_ID": "touchbase-test",
        "JOB_TICK_SECONDS": "1",
        "STALLED_WORKER_SECONDS": "3",
        "REQUEST_GOOGLE_BUDGET_SECONDS": "1",
        "PUSHER_MAX_BACKOFF_SECONDS": "1",
        "PUSH_LEASE_SECONDS": "10",
        "MUTATIONS_PER_MINUTE": "100000",
        "PUSH_NOTIFICATIONS": "false",
        **settings,
    }
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHBASE_")}
    environment.update({f"TOUCHBASE_{key}": value for key, value in values.items()})
    return environment


def _start(arguments: list[str], environment: dict[str, str], log: Path) -> Member:
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "touchbase", *arguments],
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Member(process, log)


def _wait_ready(url: str, member: Member) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert member.process.poll() is None, member.log.read_text()
        try:
            if httpx.get(url + "/api/health/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not start: {member.log.read_text()}")


@contextmanager
def cluster(
    environment: dict[str, str],
    directory: Path,
    *,
    webs: int,
    workers: int,
    concurrency: int = 2,
    web_jobs: bool = False,
) -> Iterator[Cluster]:
    """`webs` web processes that only enqueue (or run jobs too: `web_jobs`), and `workers`
    workers; all stopped after."""
    running = Cluster()
    directory.mkdir(parents=True, exist_ok=True)
    try:
        for number in range(webs):
            port = free_port()
            member = _start(
                ["serve", *([] if web_jobs else ["--no-jobs"]), "--port", str(port)],
                environment,
                directory / f"web-{number}.log",
            )
            running.members.append(member)
            _wait_ready(f"http://127.0.0.1:{port}", member)
            running.webs.append(f"http://127.0.0.1:{port}")
        for number in range(workers):
            member = _start(
                ["worker", "--concurrency", str(concurrency)],
                environment,
                directory / f"worker-{number}.log",
            )
            running.members.append(member)
            running.workers.append(member)
        yield running
    finally:
        for member in running.members:
            if member.process.poll() is None:
                member.process.send_signal(signal.SIGTERM)
        for member in running.members:
            try:
                member.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                member.process.kill()
