"""Inserting many rows at once through the driver's executemany.

SQLAlchemy's per-value bind processing costs more than SQLite's own work for thousands of
rows; here each value is put once into the form the dialect stores (JSON text, and on SQLite
the text form of a UTC datetime that UtcDateTime reads back), then handed to the driver.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.store.database import json_text
from touchbase.store.types import UtcDateTime


def _sqlite_datetime(value: datetime | None) -> str | None:
    """SQLAlchemy's SQLite text form, `YYYY-MM-DD HH:MM:SS.ffffff` (isoformat: 10x strftime)."""
    if value is None:
        return None
    utc = value if value.tzinfo is UTC else value.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _json(value: Any) -> str | None:
    return None if value is None else json_text(value)


def _converters(table: Table, columns: list[str], dialect: str) -> list[Callable[[Any], Any]]:
    out: list[Callable[[Any], Any]] = []
    for name in columns:
        column_type = table.c[name].type
        if isinstance(column_type, JSON):
            out.append(_json)
        elif isinstance(column_type, UtcDateTime) and dialect == "sqlite":
            out.append(_sqlite_datetime)
        else:
            out.append(lambda value: value)
    return out


async def insert_rows(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) into `table` in the session's transaction."""
    if not rows:
        return
    connection = await session.connection()
    dialect = connection.dialect.name
    columns = list(rows[0])
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    convert = _converters(table, columns, dialect)
    values = [tuple(c(row[name]) for c, name in zip(convert, columns, strict=True)) for row in rows]
    await connection.exec_driver_sql(statement, values)
