"""A long-running process on a SQLite file checkpoints its write-ahead log from a thread of
its own (`store/wal.py`), so no commit on the event loop pays for a checkpoint (the copy and
two syncs held every request of the process for 40-60 ms), and the log stays short under a
steady stream of writes."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from touchbase.store import wal
from touchbase.store.database import Database, migrate
from touchbase.store.sqlite_driver import WAL_CHECKPOINT_BYTES

ROW = b"x" * 32_768


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[tuple[Database, Path]]:
    path = tmp_path / "log.db"
    migrate(f"sqlite:///{path}")
    found = Database(f"sqlite:///{path}")
    async with found.session() as session:
        await session.execute(text("CREATE TABLE scratch (body BLOB)"))
    yield found, path
    await found.dispose()


async def _write(db: Database) -> None:
    async with db.session() as session:
        await session.execute(text("INSERT INTO scratch VALUES (:body)"), {"body": ROW})


async def test_the_log_stays_short_under_steady_writes_with_no_commit_checkpointing(
    database: tuple[Database, Path],
) -> None:
    db, path = database
    checkpointer = wal.Checkpointer(str(path), threshold_bytes=256 * 1024, interval_seconds=0.01)
    checkpointer.start()
    written, writes, restarts, logged = 0, 0, 0, 0
    try:
        while written < 12 * 2**20:  # writes back to back, as a busy server's
            await _write(db)
            writes += 1
            written += len(ROW)
            now = checkpointer.log_bytes()
            restarts += now < logged  # the log started again from its beginning
            logged = now
    finally:
        checkpointer.stop()
    # The loop's connections checkpoint only at 64 MiB: without the thread's checkpoints the
    # log would only have grown (and with PASSIVE ones only, it never starts again under a
    # steady stream of writes).
    assert written < WAL_CHECKPOINT_BYTES
    assert checkpointer.checkpoints >= 2
    assert restarts >= 2
    async with db.session() as session:
        assert (await session.execute(text("SELECT count(*) FROM scratch"))).scalar() == writes


async def test_a_reader_still_in_the_log_defers_the_checkpoint_not_the_writers(
    database: tuple[Database, Path],
) -> None:
    db, path = database
    for _ in range(20):
        await _write(db)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM scratch").fetchone()  # reads from the log
    await _write(db)
    checkpointing = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    checkpointing.execute(f"PRAGMA busy_timeout={wal.RESTART_WAIT_MS}")
    checkpointer = wal.Checkpointer(str(path))
    try:
        assert not await asyncio.to_thread(wal.checkpoint, checkpointing)  # tried again later
        await _write(db)  # writers go on meanwhile
        logged = checkpointer.log_bytes()
        assert logged >= 22 * len(ROW)
        reader.rollback()
        assert await asyncio.to_thread(wal.checkpoint, checkpointing)
        await _write(db)  # the next writer starts the log again
        assert checkpointer.log_bytes() < logged / 4
    finally:
        reader.close()
        checkpointing.close()
    async with db.session() as session:
        assert (await session.execute(text("SELECT count(*) FROM scratch"))).scalar() == 23


async def test_a_long_running_process_on_a_sqlite_file_runs_a_checkpointer(
    database: tuple[Database, Path],
) -> None:
    db, _ = database
    with db.log_kept_short() as checkpointer:
        assert checkpointer is not None
        assert any(t.name == "touchbase-wal" for t in threading.enumerate())
    assert not any(t.name == "touchbase-wal" for t in threading.enumerate())
