"""`touchbase serve` as its own process, with pages open: it may hold as many connections as
the system lets it (not the usual soft limit of 1,024 files), and it stops at once, cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

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


@pytest.fixture
def served(tmp_path: Path, emulator_url: str) -> Iterator[Served]:
    """`touchbase serve` on SQLite, started with a soft limit of 256 open files, one user
    allowed more streams than that."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 2 * STREAMS:
        pytest.skip(f"this machine lets a process open {hard} files at most")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TOUCHBASE_")},
        "TOUCHBASE_MODE": "test",
        "TOUCHBASE_DATABASE_URL": f"sqlite:///{tmp_path}/serve.db",
        "TOUCHBASE_SECRET_KEY": "test-secret-key",
        "TOUCHBASE_GOOGLE_BASE_URL": emulator_url,
        "TOUCHBASE_LIVE_STREAMS_PER_USER": str(2 * STREAMS),
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
