"""A background job of the in-process runner: waits, works, and survives its own failures."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from typing import Any

log = logging.getLogger("touchbase.jobs")


class BackgroundJob(ABC):
    """Runs `run_once` after each `wait`, until stopped."""

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

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
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop, waiting for the loop to end."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await self.wait()
            try:
                await self.run_once()
            except Exception:  # one failed round must not end the job
                log.exception("%s round failed", type(self).__name__)
