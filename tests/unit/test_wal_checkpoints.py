"""A long-running process on a SQLite file checkpoints its write-ahead log from a thread of
its own (`store/wal.py`), so no commit on the event loop pays for a checkpoint (the copy and
two syncs held every request of the process for 40-60 ms), and the log stays short under a
steady stream of writes."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import threading
from collections.abc import AsyncIterator
from functools import partial
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


def _log_starts(path: Path) -> int:
    """How many times the log has started again from its beginning: the checkpoint sequence
    number in its file's header (sqlite.org/walformat.html; SQLite locks no byte of `-wal`)."""
    with open(f"{path}-wal", "rb") as log:
        return int.from_bytes(log.read(16)[12:], "big")


def _log_frames(path: Path) -> int:
    """The pages the log holds since it last started (a PASSIVE checkpoint's answer)."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        return int(connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])
    finally:
        connection.close()


async def test_the_log_stays_short_under_steady_writes_with_no_commit_checkpointing(
    database: tuple[Database, Path],
) -> None:
    db, path = database
    checkpointer = wal.Checkpointer(str(path), threshold_bytes=256 * 1024, interval_seconds=0.01)
    checkpointer.start()
    written, writes, started = 0, 0, _log_starts(path)
    try:
        while written < 12 * 2**20:  # writes back to back, as a busy server's
            await _write(db)
            writes += 1
            written += len(ROW)
    finally:
        checkpointer.stop()
    # The loop's connections checkpoint only at 64 MiB: without the thread's checkpoints the
    # log would hold all that was written (and with PASSIVE ones only, it never starts again
    # under a steady stream of writes).
    assert written < WAL_CHECKPOINT_BYTES
    assert checkpointer.restarts >= 2
    assert _log_starts(path) - started >= 2
    async with db.session() as session:
        assert (await session.execute(text("SELECT count(*) FROM scratch"))).scalar() == writes


async def test_a_reader_still_in_the_log_defers_the_restart_not_the_writers(
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
    restart = partial(wal.checkpoint, checkpointing, restart_past_frames=0)
    try:
        assert not await asyncio.to_thread(restart)  # tried again later
        await _write(db)  # writers go on meanwhile
        logged = _log_frames(path)
        assert logged >= 22
        reader.rollback()
        assert await asyncio.to_thread(restart)
        await _write(db)  # the next writer starts the log again
        assert _log_frames(path) < logged / 4
    finally:
        reader.close()
        checkpointing.close()
    async with db.session() as session:
        assert (await session.execute(text("SELECT count(*) FROM scratch"))).scalar() == 23


_TAKE_THE_FIRST_CONNECTIONS_LOCK = """
import fcntl, os, sys
shm = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.lockf(shm, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 128)  # the DMS byte (os_unix.c)
except OSError:
    sys.exit(1)
"""


async def test_checkpointing_leaves_sqlite_its_locks_on_the_shared_memory_file(
    database: tuple[Database, Path],
) -> None:
    """A process whose lock on `-shm` is gone can have the file truncated under its mapping by
    the next process to open the database, which takes itself for the first: a bus error, or
    a wal-index rebuilt under a writer. Closing any descriptor of the file drops the lock."""
    db, path = database
    checkpointer = wal.Checkpointer(str(path), threshold_bytes=0, interval_seconds=0.01)
    checkpointer.start()
    try:
        for _ in range(40):
            await _write(db)
            await asyncio.sleep(0.005)
    finally:
        checkpointer.stop()
    assert checkpointer.restarts >= 1
    probe = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _TAKE_THE_FIRST_CONNECTIONS_LOCK, f"{path}-shm"
    )
    assert await probe.wait() == 1  # still held by this process


async def test_a_long_running_process_on_a_sqlite_file_runs_a_checkpointer(
    database: tuple[Database, Path],
) -> None:
    db, _ = database
    with db.log_kept_short() as checkpointer:
        assert checkpointer is not None
        assert any(t.name == "touchbase-wal" for t in threading.enumerate())
    assert not any(t.name == "touchbase-wal" for t in threading.enumerate())
