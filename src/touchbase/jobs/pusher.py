"""The background pusher: sends every pending change whose retry time has come, until it
lands. Runs in-process; several processes may run one each (pushes are leased per event)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from touchbase.calendar.push import push_event
from touchbase.calendar.services import CalendarServices
from touchbase.jobs.base import BackgroundJob
from touchbase.store import events as event_store

log = logging.getLogger("touchbase.pusher")


class Pusher(BackgroundJob):
    """Wakes every `interval` seconds, or at once when told there is work."""

    def __init__(self, services: CalendarServices, *, interval: float) -> None:
        super().__init__()
        self.services = services
        self.interval = interval
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look for work now (called after a commit that left some)."""
        self._wake.set()

    async def wait(self) -> None:
        """Until the interval passes or someone wakes the pusher."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
        self._wake.clear()

    async def run_once(self) -> int:
        """Push every due event once; returns how many were tried."""
        async with self.services.db.session() as session:
            due = await event_store.due_for_push(session, now=self.services.clock())
        for event_id in due:
            try:
                await push_event(self.services, event_id, retry=self.services.pusher_retry)
            except Exception:  # one bad event must not stop the others
                log.exception("pushing event %s failed", event_id)
        return len(due)
