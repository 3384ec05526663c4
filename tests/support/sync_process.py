"""One sync as a process of its own, so a test can kill it (SIGKILL) at any point.

python -m tests.support.sync_process DATABASE_URL EMULATOR_URL USER_ID
"""

from __future__ import annotations

import asyncio
import sys

from tests.support.inprocess import calendar_services
from touchbase.calendar.sync import perform_two_way_sync


async def _sync(database_url: str, emulator_url: str, user_id: str) -> None:
    async with calendar_services(
        database_url, emulator_url, request_google_budget_seconds=0.3
    ) as services:
        await perform_two_way_sync(services, user_id)


if __name__ == "__main__":
    asyncio.run(_sync(*sys.argv[1:4]))
