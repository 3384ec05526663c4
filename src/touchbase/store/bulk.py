"""Inserting many rows at once, many rows per statement.

SQLAlchemy's per-value bind processing costs more than SQLite's own work for thousands of
rows; here each value is put once into the form the dialect stores (JSON text, and on SQLite
the text form of a UTC datetime that UtcDateTime reads back), then handed to the driver.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.store.database import json_text
from touchbase.store.sqlite_driver import OFF_THE_LOOP
from touchbase.store.types import UtcDateTime

# Bound parameters per INSERT: far below SQLite's 32,766 and PostgreSQL's 65,535.
PARAMETERS_PER_STATEMENT = 5_000


def _sqlite_datetime(value: datetime | None) -> str | None:
    """SQLAlchemy's SQLite text form, `YYYY-MM-DD HH:MM:SS.ffffff` (isoformat: 10x strftime)."""
    if value is None:
        return None
    utc = value if value.tzinfo is UTC else value.astimezone(UTC)
    return utc.isoformat(" ", "microseconds")[:26]  # without "+00:00"


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


def _same_in_every_row(column: list[Any]) -> bool:
    # The ends first: most columns differ there, before a full pass of comparisons.
    return column[0] == column[-1] and column.count(column[0]) == len(column)


def _null_by_default(table: Table, name: str) -> bool:
    column = table.c[name]
    return column.nullable is True and column.server_default is None


@dataclass(frozen=True)
class DriverRows:
    """Rows in the form the driver takes. `shared` columns have the same value in every row
    and are bound once per statement; `columns` vary, and `values` has a tuple of them per row."""

    shared: dict[str, Any]
    columns: list[str]
    values: list[tuple[Any, ...]]


def driver_values(
    table: Table,
    rows: list[dict[str, Any]],
    dialect: str,
    common: Mapping[str, Any] | None = None,
) -> DriverRows:
    """`rows` (dicts with the same keys), each with the values in `common` too, for the driver,
    converted a column at a time.

    A column that is None in every row and NULL by default is left out: the database fills
    it. On SQLite, a column with one value in every row (the user, the calendar, `now`, a
    status: those in `common`, and any found in `rows`) is bound once per statement. Each
    statement then binds a third of the values it would (a full sync's events), which is a
    fifth of SQLite's work for them."""
    names = list(rows[0]) if rows else []
    cells: dict[str, list[Any]] = {}
    shared: dict[str, Any] = {}
    for name in names:
        column = [row[name] for row in rows]
        if (
            column[0] is None
            and column.count(None) == len(column)
            and _null_by_default(table, name)
        ):
            continue
        if dialect == "sqlite" and len(rows) > 1 and _same_in_every_row(column):
            shared[name] = column[0]
        else:
            cells[name] = column
    for name, value in (common or {}).items():
        if value is None and _null_by_default(table, name):
            continue
        if dialect == "sqlite":
            shared[name] = value
        else:
            cells[name] = [value] * len(rows)
    if not cells and shared:  # a statement needs one column that comes from its rows
        name = next(iter(shared))
        cells[name] = [shared.pop(name)] * len(rows)
    names = [*shared, *cells]
    converters = dict(zip(names, _converters(table, names, dialect), strict=True))
    for name, convert in converters.items():
        if convert is None:
            continue
        if name in shared:
            shared[name] = None if shared[name] is None else convert(shared[name])
        else:
            cells[name] = [None if v is None else convert(v) for v in cells[name]]
    return DriverRows(shared, list(cells), list(zip(*cells.values(), strict=True)))


def _insert_statement(table: Table, rows: DriverRows, count: int, mark: str) -> str:
    """An INSERT of `count` rows: VALUES with the varying columns, and (on SQLite) the shared
    ones bound once, as `INSERT ... SELECT ?, column1, ... FROM (VALUES ...)`."""
    one_row = f"({', '.join([mark] * len(rows.columns))})"
    values = ", ".join([one_row] * count)
    names = ", ".join([*rows.shared, *rows.columns])
    if not rows.shared:
        return f"INSERT INTO {table.name} ({names}) VALUES {values}"
    picks = [mark] * len(rows.shared) + [f"column{n + 1}" for n in range(len(rows.columns))]
    return f"INSERT INTO {table.name} ({names}) SELECT {', '.join(picks)} FROM (VALUES {values})"


async def insert_rows(
    session: AsyncSession,
    table: Table,
    rows: list[dict[str, Any]],
    common: Mapping[str, Any] | None = None,
) -> None:
    """Insert `rows` (dicts with the same keys), each with the values in `common` too, into
    `table` in the session's transaction, many rows per statement: the driver's thread then
    takes the GIL back once per statement, not once per row (with executemany, a busy event
    loop slows a bulk insert a hundredfold)."""
    if not rows:
        return
    connection = await session.connection()
    prepared = driver_values(table, rows, connection.dialect.name, common)
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    per_statement = max(1, PARAMETERS_PER_STATEMENT // len(prepared.columns))
    shared = tuple(prepared.shared.values())
    for start in range(0, len(prepared.values), per_statement):
        chunk = prepared.values[start : start + per_statement]
        await connection.exec_driver_sql(
            _insert_statement(table, prepared, len(chunk), mark),
            shared + tuple(v for row in chunk for v in row),
            # Up to ~30 ms of SQLite's own work: in a thread, the loop serves meanwhile (reads
            # take no lock, so they are served; other writers wait for the lock anyway).
            execution_options=OFF_THE_LOOP,
        )
