"""A new SQLite database is made with 16 KiB pages in WAL mode (bulk inserts cost less); an
existing one keeps its pages, and its connections checkpoint every 64 MiB of WAL either way."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from sqlalchemy import text

from touchbase.store.database import SQLITE_PAGE_SIZE, Database, create_sqlite_file, migrate
from touchbase.store.sqlite_driver import WAL_CHECKPOINT_BYTES


def _pragma(path: Path, name: str) -> object:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        connection.close()


async def _autocheckpoint(url: str) -> int:
    database = Database(url)
    try:
        async with database.session() as session:
            return int((await session.execute(text("PRAGMA wal_autocheckpoint"))).scalar_one())
    finally:
        await database.dispose()


def test_a_migrated_new_database_has_large_pages_and_a_write_ahead_log(tmp_path: Path) -> None:
    path = tmp_path / "data" / "touchbase.db"
    migrate(f"sqlite:///{path}")
    assert _pragma(path, "page_size") == SQLITE_PAGE_SIZE == 16_384
    assert _pragma(path, "journal_mode") == "wal"
    checkpoint = asyncio.run(_autocheckpoint(f"sqlite:///{path}"))
    assert checkpoint == WAL_CHECKPOINT_BYTES // SQLITE_PAGE_SIZE


def test_an_existing_database_keeps_its_pages(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE kept (n INTEGER)")
    connection.close()
    create_sqlite_file(path)
    migrate(f"sqlite:///{path}")
    assert _pragma(path, "page_size") == 4_096
    connection = sqlite3.connect(path)
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    connection.close()
    assert {"kept", "events"} <= tables
    checkpoint = asyncio.run(_autocheckpoint(f"sqlite:///{path}"))
    assert checkpoint == WAL_CHECKPOINT_BYTES // 4_096
