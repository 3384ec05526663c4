"""SQLite runs on the event loop's thread, so a transaction waiting for the write lock must
wait on the loop, not block it: the loop keeps serving, a coroutine of the same loop that
holds the lock can finish, and a lock held too long fails the waiting transaction cleanly."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, text
from sqlalchemy.exc import OperationalError

from touchbase.store import search as search_store
from touchbase.store import sqlite_driver
from touchbase.store.bulk import insert_rows
from touchbase.store.database import Database, migrate


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[tuple[Database, Path]]:
    path = tmp_path / "locks.db"
    migrate(f"sqlite:///{path}")
    found = Database(f"sqlite:///{path}")
    yield found, path
    await found.dispose()


@contextmanager
def _writer_holding_the_lock(path: Path) -> Iterator[None]:
    """Another connection holds the write lock until the block ends."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.rollback()
        other.close()


async def _ticks_while(work: asyncio.Task[None]) -> int:
    """How many 5 ms sleeps the loop ran while `work` was under way."""
    ticks = 0
    while not work.done():
        await asyncio.sleep(0.005)
        ticks += 1
    await work
    return ticks


async def test_a_transaction_waits_for_another_process_lock_without_blocking_the_loop(
    database: tuple[Database, Path],
) -> None:
    db, path = database
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    began = time.monotonic()

    async def write() -> None:
        async with db.session() as session:
            await session.execute(text("UPDATE users SET email = email"))

    work = asyncio.create_task(write())
    asyncio.get_running_loop().call_later(0.3, other.commit)
    ticks = await _ticks_while(work)
    other.close()
    assert time.monotonic() - began >= 0.3  # it did wait for the lock
    assert ticks >= 20  # and the loop ran meanwhile (blocked, it would tick once or twice)


async def test_a_coroutine_holding_the_lock_finishes_while_another_waits_for_it(
    database: tuple[Database, Path],
) -> None:
    db, _ = database
    order: list[str] = []

    async def holder() -> None:
        async with db.session() as session:
            await session.execute(text("UPDATE users SET email = email"))
            await asyncio.sleep(0.2)  # the lock is held across an await on the same loop
            order.append("holder")

    async def waiter() -> None:
        await asyncio.sleep(0.05)
        async with db.session() as session:
            await session.execute(text("UPDATE users SET email = email"))
            order.append("waiter")

    await asyncio.wait_for(asyncio.gather(holder(), waiter()), timeout=5)
    assert order == ["holder", "waiter"]


async def test_a_lock_held_too_long_fails_the_waiting_transaction(
    database: tuple[Database, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, path = database
    monkeypatch.setattr(sqlite_driver, "LOCK_WAIT_SECONDS", 0.2)
    with _writer_holding_the_lock(path), pytest.raises(OperationalError, match="locked"):
        async with db.session() as session:
            await session.execute(text("SELECT 1"))
    async with db.session() as session:  # and the connection is fine afterwards
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1


# A statement SQLite works on for a while (counting to a few million), whose rows come last.
SLOW_COUNT = text(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) "
    "SELECT count(*) FROM n"
)


async def test_a_long_statement_runs_off_the_loop(database: tuple[Database, Path]) -> None:
    db, _ = database

    async def count(long: bool) -> None:
        options = {sqlite_driver.LONG_STATEMENT: True} if long else {}
        async with db.read() as session:
            found = await session.execute(SLOW_COUNT, execution_options=options)
            assert found.scalar_one() == 3_000_000

    began = time.monotonic()
    in_place = await _ticks_while(asyncio.create_task(count(long=False)))
    took = time.monotonic() - began
    off_the_loop = await _ticks_while(asyncio.create_task(count(long=True)))
    assert took > 0.2  # long enough to tell
    assert in_place <= 2  # on the loop, nothing else ran meanwhile
    assert off_the_loop >= took / 0.005 / 3  # off it, the loop kept turning


async def test_a_read_takes_no_lock_and_refuses_writes(database: tuple[Database, Path]) -> None:
    db, path = database
    with _writer_holding_the_lock(path):
        began = time.monotonic()
        async with db.read() as session:
            assert (await session.execute(text("SELECT count(*) FROM users"))).scalar() == 0
        assert time.monotonic() - began < 0.5, "the read did not wait for the writer"
        with pytest.raises(OperationalError, match="readonly"):
            async with db.read() as session:
                await session.execute(text("DELETE FROM users"))
    async with db.session() as session:  # the same pooled connection writes again
        await session.execute(text("UPDATE users SET email = email"))


async def test_a_bulk_insert_runs_off_the_loops_thread(database: tuple[Database, Path]) -> None:
    """A sync's page of inserts (each statement up to ~30 ms of SQLite's work) leaves the
    loop free for the requests meanwhile, which read without waiting for its lock."""
    db, _ = database
    ran_on: list[tuple[int, str]] = []
    async with db.session() as session:
        await session.execute(text("CREATE TABLE scratch (n INTEGER, body TEXT)"))
        raw = (await (await session.connection()).get_raw_connection()).driver_connection
        raw.set_trace_callback(lambda sql: ran_on.append((threading.get_ident(), sql)))
        table = Table("scratch", MetaData(), Column("n", Integer), Column("body", Text))
        await insert_rows(session, table, [{"n": n, "body": "x" * 100} for n in range(3_000)])
        raw.set_trace_callback(None)
    inserts = {thread for thread, sql in ran_on if sql.startswith("INSERT INTO scratch")}
    assert inserts
    assert threading.get_ident() not in inserts
    async with db.session() as session:
        assert (await session.execute(text("SELECT count(*) FROM scratch"))).scalar() == 3_000


async def test_a_search_runs_off_the_loops_thread(database: tuple[Database, Path]) -> None:
    """SQLite's search index is every user's: a word's prefix walks its postings in all
    their events, so the statement leaves the loop to the requests meanwhile."""
    db, _ = database
    ran_on: list[tuple[int, str]] = []
    async with db.read() as session:
        raw = (await (await session.connection()).get_raw_connection()).driver_connection
        raw.set_trace_callback(lambda sql: ran_on.append((threading.get_ident(), sql)))
        found = await search_store.find_events(
            session, "someone", ["a"], now=datetime.now(UTC), upcoming=True, limit=5, offset=0
        )
        raw.set_trace_callback(None)
    assert found == []
    searches = {thread for thread, sql in ran_on if "MATCH" in sql}
    assert searches
    assert threading.get_ident() not in searches


async def test_a_transaction_ends_whatever_its_statements_left_unread(
    database: tuple[Database, Path],
) -> None:
    """A write with RETURNING whose rows nobody read (its changes are made at its first
    step), and a read not read to its end: the transaction still commits, the pooled
    connection serves the next one, and no old snapshot holds the write-ahead log back."""
    db, path = database
    async with db.session() as session:
        await session.execute(text("CREATE TABLE scratch (n INTEGER)"))
        await session.execute(text("INSERT INTO scratch VALUES (1), (2), (3)"))
    unread = []
    async with db.session() as session:
        unread.append(await session.execute(text("UPDATE scratch SET n = n + 10 RETURNING n")))
        unread.append(await session.execute(text("SELECT n FROM scratch")))
        unread[-1].fetchmany(1)
    async with db.session() as session:  # the same pooled connection
        rows = await session.execute(text("SELECT n FROM scratch ORDER BY n"))
        assert rows.scalars().all() == [11, 12, 13]
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("INSERT INTO scratch VALUES (4)")
        busy, _, _ = other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        other.close()
    assert busy == 0, "a reader's snapshot held the log back"
