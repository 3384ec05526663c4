"""Which database errors mean "the database did not answer, try again" (the API's 503
DATABASE_UNAVAILABLE) and which are a statement's fault (a 500 and a traceback in the log),
on real errors of both drivers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy.exc import SQLAlchemyError

from touchbase.store.database import unavailable


def _raised(engine: sqlalchemy.Engine, statement: str) -> SQLAlchemyError:
    with pytest.raises(SQLAlchemyError) as raised, engine.begin() as connection:
        connection.execute(sqlalchemy.text(statement))
    return raised.value


def test_a_write_lock_held_elsewhere_is_unavailable_a_wrong_statement_is_not(
    tmp_path: Path,
) -> None:
    path = tmp_path / "held.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    engine = sqlalchemy.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    try:
        holder.execute("BEGIN IMMEDIATE")
        assert unavailable(_raised(engine, "INSERT INTO t VALUES (1)"))
        holder.execute("ROLLBACK")
        assert not unavailable(_raised(engine, "INSERT INTO missing VALUES (1)"))
        holder.execute("INSERT INTO t VALUES (1)")
        assert not unavailable(_raised(engine, "INSERT INTO t VALUES (1)"))  # a duplicate
    finally:
        holder.close()
        engine.dispose()


def test_a_connection_refused_or_not_had_in_time_is_unavailable(tmp_path: Path) -> None:
    nobody = sqlalchemy.create_engine("postgresql+psycopg://touchbase@127.0.0.1:1/none")
    with pytest.raises(SQLAlchemyError) as refused:
        nobody.connect()
    assert unavailable(refused.value)
    engine = sqlalchemy.create_engine(
        f"sqlite:///{tmp_path}/pool.db", pool_size=1, max_overflow=0, pool_timeout=0.01
    )
    try:
        with engine.connect(), pytest.raises(SQLAlchemyError) as waited:
            engine.connect()
        assert unavailable(waited.value)
    finally:
        engine.dispose()
