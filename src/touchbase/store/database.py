"""The database: an async engine, sessions that commit at the boundary, and migrations."""

from __future__ import annotations

import os
import select
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import msgspec
import psycopg
from alembic import command
from alembic.config import Config
from psycopg import pq
from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import PoolProxiedConnection

from touchbase.store import pending, request_check, sqlite_driver, wal
from touchbase.store.pending import TrackedSession

MIGRATIONS = Path(__file__).parent / "migrations"
# A new SQLite database gets pages of 16 KiB rather than 4: a sync's bulk inserts cost ~25%
# less; a one-row write costs ~20 us more (it rewrites larger pages), nothing beside a request.
SQLITE_PAGE_SIZE = 16_384
# Rows ANALYZE samples per index (its statistics are then approximate, and quick).
ANALYSIS_ROWS = 1_000


_encoder = msgspec.json.Encoder()


def json_text(value: Any) -> str:
    """JSON columns are written with msgspec (several times faster than json.dumps)."""
    return _encoder.encode(value).decode()


def _json_load(text: str | bytes) -> Any:
    return msgspec.json.decode(text)


def _scheme(url: str) -> str:
    """The database of a URL: `sqlite` for sqlite:///, sqlite:///, ..."""
    return url.partition("://")[0].partition("+")[0]


# TCP keepalives on every connection to PostgreSQL (libpq's settings; a URL's own win): a
# server gone without a word (a failover, a lost machine) is noticed in about a minute, not
# the system's two hours, by a LISTEN waiting for notifications or a worker waiting for its
# next job alike; data it leaves unacknowledged for a minute ends the connection too.
KEEPALIVES = {
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
    "tcp_user_timeout": "60000",  # ms
}


def _keepalive_url(url: str) -> URL:
    parsed = make_url(url)
    missing = {key: value for key, value in KEEPALIVES.items() if key not in parsed.query}
    return parsed.update_query_dict(missing)


def with_keepalives(url: str) -> str:
    """A PostgreSQL URL with KEEPALIVES' settings where it has none of its own."""
    return _keepalive_url(url).render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    """A PostgreSQL URL as libpq reads it (no SQLAlchemy driver name), with keepalives."""
    libpq = _keepalive_url(url).set(drivername="postgresql")
    return libpq.render_as_string(hide_password=False)


def sync_url(url: str) -> str:
    """The same database through a synchronous driver (for Alembic)."""
    return (
        f"sqlite://{url.partition('://')[2]}" if _scheme(url) == "sqlite" else with_keepalives(url)
    )


def alembic_config(url: str) -> Config:
    """Alembic's configuration for `url`, without an alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sync_url(url).replace("%", "%%"))
    return config


def create_sqlite_file(path: Path) -> None:
    """A new, empty SQLite database in WAL mode with SQLITE_PAGE_SIZE pages, readable by its
    owner only (a database's page size is fixed once it holds anything; an existing file is
    left as it is)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return
    # Readable by its owner only (SQLite gives its -wal and -shm files the same mode).
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    connection = sqlite3.connect(path)
    try:
        connection.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()


def sqlite_file(url: str) -> str | None:
    """The file of a SQLite URL (None: another database, or SQLite in memory)."""
    if _scheme(url) != "sqlite" or ":///" not in url:
        return None
    path = url.split(":///", 1)[1]
    return path if path and path != ":memory:" else None


def migrate(url: str) -> None:
    """Apply every pending migration (to a new SQLite file made by `create_sqlite_file`)."""
    path = sqlite_file(url)
    if path is not None:
        create_sqlite_file(Path(path))
    command.upgrade(alembic_config(url), "head")


def _drop_if_closed(_dbapi: Any, _record: Any, connection: PoolProxiedConnection) -> None:
    """A server may end a pooled connection (a restart, a cut, an idle timeout): take another
    one then. Instead of a query at every checkout (SQLAlchemy's pre-ping, a round trip per
    transaction), look at the socket: an idle connection has nothing to read unless the
    server has ended it (its farewell, or end of file)."""
    pgconn = connection.driver_connection.pgconn  # type: ignore[union-attr]
    if pgconn.status != pq.ConnStatus.OK:
        raise DisconnectionError("the connection is broken")
    waiting = select.poll()
    waiting.register(pgconn.socket, select.POLLIN)
    if waiting.poll(0):
        raise DisconnectionError("the server ended the connection")


def unavailable(error: BaseException) -> bool:
    """Whether a database error says the database did not answer now, rather than that a
    statement was wrong: a connection refused or lost, a statement cancelled, a lock or a
    pooled connection not had in time. Trying again later may succeed."""
    if isinstance(error, PoolTimeoutError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated or isinstance(error.orig, psycopg.OperationalError):
        return True
    return _locked_elsewhere(error)


def _locked_elsewhere(error: DBAPIError) -> bool:
    """Whether SQLite refused for a lock another connection held."""
    cause = error.orig
    return isinstance(cause, sqlite3.OperationalError) and sqlite_driver.locked(cause)


# Connections to PostgreSQL one process keeps at most (as many as SQLAlchemy's default
# allows: 5 kept and 10 more).
POOL_SIZE = 15


class Database:
    """The engine and its sessions. A session commits once, when its block ends cleanly."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._sqlite = sqlite = _scheme(url) == "sqlite"
        self.engine = create_async_engine(
            f"{sqlite_driver.DRIVERNAME}://{url.partition('://')[2]}"
            if sqlite
            else with_keepalives(url),
            json_serializer=json_text,
            json_deserializer=_json_load,
            hide_parameters=True,  # an error's message never carries a user's data into logs
            # On PostgreSQL, keep every connection the pool may open (SQLAlchemy's default, 5
            # kept and 10 more closed after each use, made a worker running 10 jobs open and
            # close a connection, a server process each, many times a second).
            **({} if sqlite else {"pool_size": POOL_SIZE, "max_overflow": 0}),
        )
        if not sqlite:  # a SQLite file's connection never goes stale
            event.listen(self.engine.sync_engine, "checkout", _drop_if_closed)
        self._sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=TrackedSession
        )
        # A read on PostgreSQL runs each statement by itself (see `read`).
        self._reads = async_sessionmaker(
            self.engine.execution_options(isolation_level="AUTOCOMMIT"),
            expire_on_commit=False,
            sync_session_class=TrackedSession,
        )
        # Runs last in every transaction that ends cleanly (the job queue defers there).
        self.before_commit: Callable[[AsyncSession], Awaitable[None]] | None = None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A transaction: committed when the block ends, rolled back on an exception. The
        first of a request runs the request's waiting check first (`request_check`)."""
        async with self._transaction(self._sessions) as session:
            yield session

    @asynccontextmanager
    async def _transaction(
        self,
        sessions: async_sessionmaker[AsyncSession],
        check: request_check.RequestCheck | None = None,
    ) -> AsyncIterator[AsyncSession]:
        async with sessions() as session, session.begin():
            await request_check.run_pending(session, check)
            yield session
            if self.before_commit is not None:
                await session.flush()
                await self.before_commit(session)

    @asynccontextmanager
    async def read(
        self, check: request_check.RequestCheck | None = None
    ) -> AsyncIterator[AsyncSession]:
        """A transaction that only reads: on SQLite it takes no lock (a write transaction
        holds the write lock from its start, so a read in one waits for any writer, say a
        sync's page) and refuses writes; the request's waiting check runs in it too, and
        the little it notes (a token's use) is written after the read if no writer holds
        the lock then (`_note_if_free`). On PostgreSQL, where readers never wait for
        writers, each of its statements runs by itself (autocommit): at PostgreSQL's READ
        COMMITTED each statement of a transaction sees a snapshot of its own anyway, so a
        transaction around a read adds nothing but two round trips (BEGIN, COMMIT). `check`:
        a request's check to run in it, whatever task this is (by default, the current
        request's)."""
        if not self._sqlite:
            async with self._transaction(self._reads, check) as session:
                yield session
            return
        reading = sqlite_driver.READ_ONLY.set(True)
        try:
            async with self._sessions() as session, session.begin():
                pending.read_only(session.sync_session)
                await request_check.run_pending(session, check)
                yield session
                writes = pending.take_writes_after_read(session.sync_session)
        finally:
            sqlite_driver.READ_ONLY.reset(reading)
        if writes:
            await self._note_if_free(writes)

    async def _note_if_free(self, writes: list[pending.LaterWrite]) -> None:
        """Make the notes a read left (a token's use), unless another transaction holds the
        write lock: the read's request does not wait for it, and a later use notes again."""
        waiting = sqlite_driver.WAIT_FOR_LOCK.set(False)
        try:
            async with self.session() as session:
                for write in writes:
                    await write(session)
        except OperationalError as error:
            if not _locked_elsewhere(error):
                raise
        finally:
            sqlite_driver.WAIT_FOR_LOCK.reset(waiting)

    async def settle_request_check(self, check: request_check.RequestCheck | None = None) -> None:
        """Run a request's waiting check in a read of its own (it waits for no writer),
        raising its failure (or the one it had): the current request's, or `check` from any
        task (a streamed answer starts in a task of its own)."""
        check = check or request_check.current()
        if check is None or not check.unsettled():
            return
        async with self.read(check):
            pass

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[AsyncConnection]:
        """A connection on which each statement commits by itself: for a statement atomic on
        its own, without a transaction's BEGIN and COMMIT round trips."""
        async with self.engine.connect() as connection:
            yield await connection.execution_options(isolation_level="AUTOCOMMIT")

    @contextmanager
    def log_kept_short(self) -> Iterator[wal.Checkpointer | None]:
        """For a process that runs for long on a SQLite file: its write-ahead log is
        checkpointed from a thread meanwhile, not in a commit on the event loop (`wal`).
        Nothing on PostgreSQL."""
        path = sqlite_file(self.url)
        if path is None:
            yield None
            return
        checkpointer = wal.Checkpointer(path)
        checkpointer.start()
        try:
            yield checkpointer
        finally:
            checkpointer.stop()

    async def ping(self) -> None:
        """Raise unless the database answers a query (a new connection if the pool's broke)."""
        async with self.session() as session:
            await session.execute(text("SELECT 1"))

    async def refresh_statistics(self) -> None:
        """Give SQLite's query planner the tables' current sizes (ANALYZE, sampled: a few ms
        on 100,000 events), as after a large import; without them it can pick an index that
        scans a user's every event. PostgreSQL's autovacuum keeps its own."""
        if self.engine.dialect.name != "sqlite":
            return
        async with self.session() as session:
            await session.execute(text(f"PRAGMA analysis_limit={ANALYSIS_ROWS}"))
            await session.execute(text("ANALYZE"))

    async def dispose(self) -> None:
        """Close every connection."""
        await self.engine.dispose()
