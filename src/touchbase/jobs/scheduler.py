"""Periodic two-way sync of every connected user's calendars (a backstop for webhooks)."""

from __future__ import annotations

import asyncio
import logging
import random

from sqlalchemy import select

from touchbase.calendar.services import CalendarServices
from touchbase.calendar.sync import perform_two_way_sync
from touchbase.jobs.base import BackgroundJob
from touchbase.store.models import GoogleConnection

log = logging.getLogger("touchbase.scheduler")


class SyncScheduler(BackgroundJob):
    """Every `interval` seconds (give or take 20%), syncs each connected user; 0 is off."""

    def __init__(self, services: CalendarServices, *, interval: float) -> None:
        super().__init__()
        self.services = services
        self.interval = interval

    @property
    def enabled(self) -> bool:
        """Off when the interval is 0."""
        return self.interval > 0

    async def wait(self) -> None:
        """The interval, with jitter so many processes do not sync in step."""
        await asyncio.sleep(self.interval * random.uniform(0.8, 1.2))

    async def run_once(self) -> None:
        """Sync every connected user once."""
        async with self.services.db.session() as session:
            users = list(await session.scalars(select(GoogleConnection.user_id)))
        for user_id in users:
            try:
                await perform_two_way_sync(self.services, user_id, trigger="schedule")
            except Exception:
                log.exception("scheduled sync of user %s failed", user_id)
