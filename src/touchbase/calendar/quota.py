"""A per-user budget of Google calls (a token bucket), below Google's 600/min default, shared
by syncs, push jobs and user requests; Google's throttling slows all of them down. In memory
for one process (SQLite), in the database for many (PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from touchbase.google.pausing import Sleep, Stopping, pause
from touchbase.store import quota as quota_store
from touchbase.store.database import Database


class GoogleQuota:
    """`per_minute` calls per minute, refilled continuously, with pauses after throttling."""

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        stopping: Stopping | None = None,
    ) -> None:
        self.per_minute = per_minute
        self._stopping = stopping
        self._tokens = float(per_minute)
        self._clock = clock
        self._sleep = sleep
        self._then = clock()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def _refill(self, now: float) -> None:
        self._tokens = min(
            float(self.per_minute), self._tokens + (now - self._then) * self.per_minute / 60
        )
        self._then = now

    async def acquire(self) -> bool:
        """Wait for a call's turn (callers queue in order); False (no call taken) when the
        process begins stopping first."""
        async with self._lock:
            while True:
                now = self._clock()
                self._refill(now)
                wait = max(self._paused_until - now, 0.0)
                if wait == 0.0 and self._tokens >= 1:
                    self._tokens -= 1
                    return True
                if wait == 0.0:
                    wait = (1 - self._tokens) * 60 / self.per_minute
                if not await pause(wait, stopping=self._stopping, sleep=self._sleep):
                    return False

    def back_off(self, seconds: float) -> None:
        """Pause every caller for `seconds` (Google said to slow down)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)


class SharedQuota:
    """The same budget kept in the database, so every process on it spends from one bucket
    (PostgreSQL: one statement per call, committed by itself), and a pause Google asked for
    holds for all."""

    def __init__(
        self,
        db: Database,
        user_id: str,
        per_minute: int,
        *,
        sleep: Sleep = asyncio.sleep,
        stopping: Stopping | None = None,
    ) -> None:
        self.db, self.user_id, self.per_minute = db, user_id, per_minute
        self._sleep = sleep
        self._stopping = stopping
        self._writes: set[asyncio.Task[None]] = set()

    async def acquire(self) -> bool:
        """Wait for a call's turn, across processes; False (no call taken) when the process
        begins stopping first."""
        while True:
            async with self.db.autocommit() as connection:
                wait = await quota_store.take_call(
                    connection, self.user_id, per_minute=self.per_minute
                )
            if wait == 0.0:
                return True
            if not await pause(wait, stopping=self._stopping, sleep=self._sleep):
                return False

    def back_off(self, seconds: float) -> None:
        """Pause every caller, in every process, for `seconds` (written at once, aside)."""
        write = asyncio.get_running_loop().create_task(self._write_pause(seconds))
        self._writes.add(write)
        write.add_done_callback(self._writes.discard)

    async def _write_pause(self, seconds: float) -> None:
        async with self.db.autocommit() as connection:
            await quota_store.pause(connection, self.user_id, seconds)
