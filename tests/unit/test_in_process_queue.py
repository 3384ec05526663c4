"""The in-process queue stops when asked, whatever else happens in that instant: on Python 3.11
`asyncio.wait_for` swallowed a cancellation that came as its wake-up did, and the queue's
loop ran on (a hung test in CI, a hung stop of `serve`)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from touchbase.jobs.in_process import InProcessQueue
from touchbase.jobs.queue import Job


async def _nothing(*_args: object) -> None:
    return None


async def test_work_stops_when_cancelled_as_a_job_wakes_it() -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    for attempt in range(300):
        queue = InProcessQueue(
            _nothing, _nothing, tick_seconds=3600, clock=lambda: datetime.now(UTC)
        )
        runner = asyncio.create_task(queue.work(2))
        await asyncio.sleep(0.001)  # waiting for a job
        await queue.defer(Job("sync", f"c{attempt}"), at=later)  # wakes it
        for _ in range(attempt % 4):  # the cancellation lands at each step of the wake-up
            await asyncio.sleep(0)
        runner.cancel()
        done, _ = await asyncio.wait({runner}, timeout=2)
        assert done, f"attempt {attempt}: the queue ran on after it was cancelled"
