"""The in-process job queue (SQLite, one process): jobs wait in memory, run as asyncio tasks
of the process that deferred them, and are gone if it stops; the rows they stand for stay,
and the tick, which also runs at start, defers them again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from itertools import count
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.jobs.queue import GRACEFUL_SECONDS, Job, JobQueue, Perform, Tick

log = logging.getLogger("touchbase.jobs")


class InProcessQueue(JobQueue):
    """Waiting jobs by queueing lock; running ones by lock; the tick every `tick_seconds`."""

    def __init__(
        self,
        perform: Perform,
        tick: Tick,
        *,
        tick_seconds: float,
        clock: Callable[[], datetime],
        graceful_seconds: float = GRACEFUL_SECONDS,
    ) -> None:
        self._perform, self._tick, self._tick_seconds = perform, tick, tick_seconds
        self._clock, self._graceful = clock, graceful_seconds
        self._waiting: dict[str, tuple[datetime, Job]] = {}
        self._running: dict[str, asyncio.Task[None]] = {}
        self._finished: Counter[str] = Counter()
        self._wake = asyncio.Event()
        self._runs = count(1)

    async def defer(
        self, job: Job, *, at: datetime | None = None, session: AsyncSession | None = None
    ) -> bool:
        if session is None:
            return self._add(job, at)
        # Queued when the transaction commits; nothing if it rolls back.
        waiting = job.queueing_lock in self._waiting

        def committed(_session: Any) -> None:
            self._add(job, at)

        event.listen(session.sync_session, "after_commit", committed, once=True)
        return not waiting

    def _add(self, job: Job, at: datetime | None) -> bool:
        when = at or self._clock()
        held = self._waiting.get(job.queueing_lock)
        if held is not None:
            self._waiting[job.queueing_lock] = (min(held[0], when), held[1])
        else:
            self._waiting[job.queueing_lock] = (when, job)
        self._wake.set()
        return held is None

    async def counts(self) -> dict[str, int]:
        return {"todo": len(self._waiting), "doing": len(self._running), **self._finished}

    async def work(self, concurrency: int) -> None:
        ticker = asyncio.create_task(self._ticking())
        try:
            while True:
                self._start_due(concurrency)
                self._wake.clear()
                # Not `asyncio.wait_for`: on Python 3.11 it swallows a cancellation that comes
                # as the wake-up does (a job finishing), and the loop then never stops.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._until_next()):
                        await self._wake.wait()
        finally:
            ticker.cancel()
            await self._stop_running()

    def _until_next(self) -> float:
        if not self._waiting:
            return self._tick_seconds
        earliest = min(at for at, _ in self._waiting.values())
        return min(max((earliest - self._clock()).total_seconds(), 0.01), self._tick_seconds)

    def _start_due(self, concurrency: int) -> None:
        now = self._clock()
        due = sorted((at, key) for key, (at, _) in self._waiting.items() if at <= now)
        for _, key in due:
            job = self._waiting[key][1]
            if len(self._running) >= concurrency:
                return
            if job.lock in self._running:
                continue
            del self._waiting[key]
            self._running[job.lock] = asyncio.create_task(self._run(job))

    async def _run(self, job: Job) -> None:
        try:
            await self._perform(job, f"process-job:{next(self._runs)}")
            self._finished["succeeded"] += 1
        except Exception:
            self._finished["failed"] += 1
        finally:
            del self._running[job.lock]
            self._wake.set()

    async def _ticking(self) -> None:
        while True:
            try:
                await self._tick()
            except Exception:  # one failed tick must not end the ticks
                log.exception("the job tick failed")
            await asyncio.sleep(self._tick_seconds)

    async def _stop_running(self) -> None:
        running = set(self._running.values())
        if running:
            await asyncio.wait(running, timeout=self._graceful)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
