"""A background job of the in-process runner: waits, works, and survives its own failures."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from typing import Any

log = logging.getLogger("touchbase.jobs")

STOP_GRACE_SECONDS = 10.0


class BackgroundJob(ABC):
    """Runs `run_once` after each `wait`, until stopped."""

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._waiting = False

    @property
    def enabled(self) -> bool:
        """Whether `start` starts anything."""
        return True

    @abstractmethod
    async def wait(self) -> None:
        """Until the next round is due."""

    @abstractmethod
    async def run_once(self) -> Any:
        """One round of work."""

    def start(self) -> None:
        """Start in the running event loop (once)."""
        if self.enabled and self._task is None:
            self._stopping = False
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop, waiting for the loop to end. A job that is waiting stops at once; a round under
        way may finish within `grace` seconds before it is cancelled. Cutting a round midway is
        safe (pushes and syncs converge when run again) but wasteful, and a database call cut
        while its driver's thread still works on it outlives the event loop."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        if self._waiting:
            task.cancel()
        await asyncio.wait({task}, timeout=grace)
        if not task.done():
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _run(self) -> None:
        while not self._stopping:
            self._waiting = True
            try:
                await self.wait()
            finally:
                self._waiting = False
            try:
                await self.run_once()
            except Exception:  # one failed round must not end the job
                log.exception("%s round failed", type(self).__name__)
