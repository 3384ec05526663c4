"""Periodic two-way sync of every connected user's calendars (a backstop for webhooks)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random

from sqlalchemy import select

from touchbase.calendar.services import CalendarServices
from touchbase.calendar.sync import perform_two_way_sync
from touchbase.store.models import GoogleConnection

log = logging.getLogger("touchbase.scheduler")


class SyncScheduler:
    """Every `interval` seconds (give or take 20%), syncs each connected user."""

    def __init__(self, services: CalendarServices, *, interval: float) -> None:
        self.services = services
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start, unless the interval is 0 (off)."""
        if self.interval > 0 and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run_once(self) -> None:
        """Sync every connected user once."""
        async with self.services.db.session() as session:
            users = list(await session.scalars(select(GoogleConnection.user_id)))
        for user_id in users:
            try:
                await perform_two_way_sync(self.services, user_id, trigger="schedule")
            except Exception:
                log.exception("scheduled sync of user %s failed", user_id)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval * random.uniform(0.8, 1.2))
            await self.run_once()
