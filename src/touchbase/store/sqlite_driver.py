"""SQLite for the async engine, run on the event loop's own thread.

SQLAlchemy's async engine needs an async driver, and aiosqlite runs each step of a
transaction (begin, every execute, every fetch, commit) in a thread of its own, a hand-over
there and back each time: about 1 ms of CPU for a transaction of one `SELECT 1`, five times
what the statement costs run directly (measured: 1.03 ms against 0.21 ms). A query on a local
SQLite file takes microseconds, so this dialect runs Python's `sqlite3` directly, as the sync
pysqlite dialect does, and only tells the async engine it may.

What a thread protected is waiting for a lock: a transaction (they all begin IMMEDIATE, with
the write lock; see `do_begin`) waits while another connection holds it, in this process or
another. The wait must not block the loop (the holder may be a coroutine of this loop), so
SQLite's own busy wait is off, and the begin retries after an asyncio sleep instead. Once a
transaction has begun, nothing it does waits for a lock: in WAL mode readers never wait, and
its writes hold the lock already.

Two ways out of that for a long read (a list sorted by an aggregate over every meeting):
a read-only transaction (`READ_ONLY`, set by `Database.read`) begins DEFERRED and takes no
lock at all (a WAL reader never waits, nor makes anyone wait), and a statement marked
`LONG_STATEMENT` runs in a thread (`sqlite3` lets go of the GIL while SQLite works), so the
loop serves other requests meanwhile.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import weakref
from collections import deque
from contextvars import ContextVar
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.base import SQLiteExecutionContext
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.engine.interfaces import ConnectArgsType
from sqlalchemy.util import await_

# The URL scheme of this dialect (`Database` turns any SQLite URL into it).
DRIVERNAME = "sqlite+touchbase"
WAL_CHECKPOINT_BYTES = 64 * 2**20
# How long a transaction waits for the write lock before it fails, as SQLite's busy timeout did.
LOCK_WAIT_SECONDS = 10.0
FIRST_RETRY_SECONDS = 0.001
LONGEST_RETRY_SECONDS = 0.02
# Transactions of this process waiting for the write lock now (`waiting_writers`).
_waiting = 0
# True while a read-only transaction begins and ends: BEGIN DEFERRED, with writes refused.
READ_ONLY: ContextVar[bool] = ContextVar("touchbase_sqlite_read_only", default=False)
# False while a transaction that should rather not happen than wait begins: if another
# connection holds the write lock, it fails at once.
WAIT_FOR_LOCK: ContextVar[bool] = ContextVar("touchbase_sqlite_wait_for_lock", default=True)
# The execution option of a statement that may take long: run in a thread, off the loop.
LONG_STATEMENT = "touchbase_long_statement"
# The execution options of such a statement (ignored on PostgreSQL, whose driver never holds
# the loop while the server works).
OFF_THE_LOOP = {LONG_STATEMENT: True}


class _Cursor(sqlite3.Cursor):
    async def _async_soft_close(self) -> None:
        """The async engine closes an async driver's cursor early; this one's rows are read
        in place, on the loop, so there is nothing to do."""


class _LongCursor(_Cursor):
    """A cursor for a long statement: `run` steps it to its end (in a thread); its rows are
    then served from memory, on the loop."""

    rows: deque[Any]

    def run(self, statement: Any, parameters: Any) -> None:
        self.execute(statement, parameters)
        self.rows = deque(super().fetchall())

    def fetchone(self) -> Any:
        return self.rows.popleft() if self.rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(size or self.arraysize, len(self.rows))
        return [self.rows.popleft() for _ in range(count)]

    def fetchall(self) -> list[Any]:
        rows = list(self.rows)
        self.rows.clear()
        return rows


class _ExecutionContext(SQLiteExecutionContext):
    def create_cursor(self) -> Any:
        if self.execution_options.get(LONG_STATEMENT):
            return self._dbapi_connection.cursor(_LongCursor)
        return super().create_cursor()


class _Connection(sqlite3.Connection):
    query_only = False  # refusing writes (a read-only transaction's)
    _cursors: weakref.WeakSet[sqlite3.Cursor] | None = None

    def cursor(self, factory: Any = _Cursor) -> Any:
        made = super().cursor(factory)
        if self._cursors is None:
            self._cursors = weakref.WeakSet()
        self._cursors.add(made)
        return made

    def close_cursors(self) -> None:
        """Close every cursor of the transaction ending. Since Python 3.11 a commit leaves
        statements as they are, and one not stepped to its end stays active: a write with
        RETURNING whose rows nobody read makes SQLite refuse the COMMIT ("SQL statements in
        progress"), that transaction's and every later one's on this pooled connection (its
        changes were all made at its first step, so nothing is lost by closing it); and a
        read left open keeps its old snapshot, which holds the write-ahead log back."""
        for cursor in list(self._cursors or ()):
            cursor.close()


async def _no_wait() -> None:
    """Awaited once per statement: the async engine's connection insists that a statement
    awaited something (a check that it runs on an async driver)."""


def locked(error: sqlite3.OperationalError) -> bool:
    """Whether SQLite failed for a lock another connection held."""
    return error.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def configure(connection: sqlite3.Connection) -> None:
    """touchbase's settings for each new connection."""
    # No implicit transactions: do_begin opens them.
    connection.isolation_level = None
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL never corrupts the file; it syncs at checkpoints, not every commit.
    connection.execute("PRAGMA synchronous=NORMAL")
    # Checkpoint (copy the WAL into the database, with its syncs) every 64 MiB of WAL rather
    # than every 1,000 pages: a sync's bulk writes then pay for one checkpoint, not one per page.
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    connection.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_BYTES // page_size}")
    connection.execute(f"PRAGMA journal_size_limit={WAL_CHECKPOINT_BYTES}")
    # No busy wait on the loop's thread: do_begin waits for the write lock asynchronously.
    connection.execute("PRAGMA busy_timeout=0")


class InLoopSQLiteDialect(SQLiteDialect_pysqlite):
    """pysqlite, for the async engine: statements run in place, lock waits are asyncio sleeps."""

    driver = "touchbase"
    execution_ctx_cls = _ExecutionContext
    is_async = True
    has_terminate = False
    supports_statement_cache = True

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        if cls._is_url_file_db(url):
            return pool.AsyncAdaptedQueuePool
        return pool.StaticPool

    def create_connect_args(self, url: URL) -> ConnectArgsType:
        args, kwargs = super().create_connect_args(url)
        # The loop's thread uses each connection; the pool may close one from the collector's.
        kwargs.update(factory=_Connection, check_same_thread=False)
        return args, kwargs

    def on_connect(self) -> Any:
        set_up = super().on_connect()

        def connect(connection: Any) -> None:
            if set_up is not None:
                set_up(connection)
            configure(connection)

        return connect

    def do_execute(self, cursor: Any, statement: Any, parameters: Any, context: Any = None) -> None:
        if isinstance(cursor, _LongCursor):
            await_(asyncio.to_thread(cursor.run, statement, parameters))
            return
        await_(_no_wait())
        cursor.execute(statement, parameters)

    def do_execute_no_params(self, cursor: Any, statement: Any, context: Any = None) -> None:
        await_(_no_wait())
        cursor.execute(statement)

    def do_executemany(
        self, cursor: Any, statement: Any, parameters: Any, context: Any = None
    ) -> None:
        await_(_no_wait())
        cursor.executemany(statement, parameters)

    def do_begin(self, dbapi_connection: Any) -> None:
        """BEGIN IMMEDIATE: take the write lock up front, so SQLite runs transactions one
        after another and a read-then-write can never act on a stale snapshot (no lost
        updates). While another connection holds it, sleep on the loop and try again. A
        read-only transaction (`READ_ONLY`) begins DEFERRED instead, taking no lock."""
        if READ_ONLY.get():
            _refuse_writes(dbapi_connection, True)
            dbapi_connection.execute("BEGIN")
            return
        deadline = time.monotonic() + (LOCK_WAIT_SECONDS if WAIT_FOR_LOCK.get() else 0.0)
        delay = FIRST_RETRY_SECONDS
        global _waiting  # noqa: PLW0603 (one loop's count, read by `waiting_writers`)
        _waiting += 1
        try:
            while True:
                try:
                    dbapi_connection.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as error:
                    if not locked(error) or time.monotonic() + delay > deadline:
                        raise
                await_(asyncio.sleep(delay))
                delay = min(delay * 2, LONGEST_RETRY_SECONDS)
        finally:
            _waiting -= 1

    def do_commit(self, dbapi_connection: Any) -> None:
        _raw(dbapi_connection).close_cursors()
        super().do_commit(dbapi_connection)  # type: ignore[no-untyped-call]
        _refuse_writes(dbapi_connection, False)

    def do_rollback(self, dbapi_connection: Any) -> None:
        _raw(dbapi_connection).close_cursors()
        super().do_rollback(dbapi_connection)  # type: ignore[no-untyped-call]
        _refuse_writes(dbapi_connection, False)


def waiting_writers() -> int:
    """How many transactions of this process wait for the write lock (or are beginning)."""
    return _waiting


def _raw(dbapi_connection: Any) -> _Connection:
    """The sqlite3 connection under the pool's proxy."""
    raw: _Connection = getattr(dbapi_connection, "dbapi_connection", dbapi_connection)
    return raw


def _refuse_writes(dbapi_connection: Any, refuse: bool) -> None:
    """Have the connection refuse writes, or no longer (only when that changes)."""
    raw = _raw(dbapi_connection)
    if raw.query_only != refuse:
        raw.execute(f"PRAGMA query_only={'ON' if refuse else 'OFF'}")
        raw.query_only = refuse


registry.register("sqlite.touchbase", __name__, "InLoopSQLiteDialect")
