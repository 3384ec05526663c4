"""The background pusher: sends every pending change whose retry time has come, until it
lands. Runs in-process; several processes may run one each (pushes are leased per event)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from touchbase.calendar.push import push_event
from touchbase.calendar.services import CalendarServices
from touchbase.store import events as event_store

log = logging.getLogger("touchbase.pusher")


class Pusher:
    """Wakes every `interval` seconds, or at once when told there is work."""

    def __init__(self, services: CalendarServices, *, interval: float) -> None:
        self.services = services
        self.interval = interval
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.rounds = 0

    def wake(self) -> None:
        """Look for work now (called after a commit that left some)."""
        self._wake.set()

    def start(self) -> None:
        """Start the loop in the running event loop."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop the loop."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run_once(self) -> int:
        """Push every due event once; returns how many were tried."""
        async with self.services.db.session() as session:
            due = await event_store.due_for_push(session, now=self.services.clock())
        for event_id in due:
            try:
                await push_event(self.services, event_id, retry=self.services.pusher_retry)
            except Exception:  # one bad event must not stop the others
                log.exception("pushing event %s failed", event_id)
        self.rounds += 1
        return len(due)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
            self._wake.clear()
            try:
                await self.run_once()
            except Exception:
                log.exception("pusher round failed")
