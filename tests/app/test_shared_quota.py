"""Each user's Google budget holds across processes on PostgreSQL: every process spends from
one bucket in the database, and a pause Google asked of one holds for all."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import text

from touchbase.calendar.quota import SharedQuota
from touchbase.store.database import Database
from touchbase.users import add_user


@asynccontextmanager
async def two_processes(database_url: str) -> AsyncIterator[tuple[SharedQuota, SharedQuota]]:
    if not database_url.startswith("postgresql"):
        pytest.skip("one SQLite process keeps the budget in memory")
    await add_user(database_url, "alice@example.com")
    first, second = Database(database_url), Database(database_url)
    async with first.session() as session:
        user_id = (await session.execute(text("SELECT id FROM users"))).scalar_one()
    try:
        yield SharedQuota(first, user_id, 30), SharedQuota(second, user_id, 30)
    finally:
        await first.dispose()
        await second.dispose()


async def test_two_processes_spend_from_one_budget(database_url: str) -> None:
    async with two_processes(database_url) as (one, other):
        began = time.monotonic()
        for _ in range(15):
            await one.acquire()
            await other.acquire()
        assert time.monotonic() - began < 1.5  # the burst: 30 calls at once
        began = time.monotonic()
        await other.acquire()  # the 31st waits for the refill: 30 a minute, 1 per 2 s
        assert time.monotonic() - began >= 1.5


async def test_a_pause_asked_of_one_process_holds_for_the_others(database_url: str) -> None:
    async with two_processes(database_url) as (one, other):
        await one.acquire()
        one.back_off(2.0)  # Google said 429 to this process
        await asyncio.sleep(0.1)  # written aside, at once
        began = time.monotonic()
        await other.acquire()
        assert time.monotonic() - began >= 1.5
