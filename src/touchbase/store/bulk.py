"""Inserting many rows at once, many rows per statement.

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

# Bound parameters per INSERT: far below SQLite's 32,766 and PostgreSQL's 65,535.
PARAMETERS_PER_STATEMENT = 5_000


def _sqlite_datetime(value: datetime | None) -> str | None:
    """SQLAlchemy's SQLite text form, `YYYY-MM-DD HH:MM:SS.ffffff` (isoformat: 10x strftime)."""
    if value is None:
        return None
    utc = value if value.tzinfo is UTC else value.astimezone(UTC)
    return utc.isoformat(sep=" ", timespec="microseconds")[:26]  # without "+00:00"


def _converters(
    table: Table, columns: list[str], dialect: str
) -> list[Callable[[Any], Any] | None]:
    """Per column, what turns a value into the form the driver takes (None: as it is)."""
    out: list[Callable[[Any], Any] | None] = []
    for name in columns:
        column_type = table.c[name].type
        if isinstance(column_type, JSON):
            out.append(json_text)
        elif isinstance(column_type, UtcDateTime) and dialect == "sqlite":
            out.append(_sqlite_datetime)
        else:
            out.append(None)
    return out


def _converted(values: list[Any], convert: Callable[[Any], Any], done: dict[int, Any]) -> list[Any]:
    """`values` converted; a value object shared by many rows or columns (the same `now`, one
    event as both `local` and `base`) is converted once, and `done` remembers it. The rows
    keep every value alive, so no id is reused while this runs."""
    fresh = {id(v): v for v in values if v is not None}
    done.update({key: convert(v) for key, v in fresh.items() if key not in done})
    done[id(None)] = None
    return [done[id(v)] for v in values]


def driver_values(
    table: Table, rows: list[dict[str, Any]], dialect: str
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """(columns, the rows as the driver's parameter tuples), converted a column at a time."""
    columns = list(rows[0]) if rows else []
    cells = [[row[name] for row in rows] for name in columns]
    done: dict[Callable[[Any], Any], dict[int, Any]] = {}
    for index, convert in enumerate(_converters(table, columns, dialect)):
        if convert is not None:
            cells[index] = _converted(cells[index], convert, done.setdefault(convert, {}))
    return columns, list(zip(*cells, strict=True))


async def insert_rows(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) into `table` in the session's transaction, many
    rows per statement: the driver's thread then takes the GIL back once per statement, not
    once per row (with executemany, a busy event loop slows a bulk insert a hundredfold)."""
    if not rows:
        return
    connection = await session.connection()
    columns, values = driver_values(table, rows, connection.dialect.name)
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    one_row = f"({', '.join([mark] * len(columns))})"
    per_statement = max(1, PARAMETERS_PER_STATEMENT // len(columns))
    for start in range(0, len(values), per_statement):
        chunk = values[start : start + per_statement]
        statement = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "
            f"VALUES {', '.join([one_row] * len(chunk))}"
        )
        await connection.exec_driver_sql(statement, tuple(v for row in chunk for v in row))
