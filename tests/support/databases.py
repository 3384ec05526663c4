"""Databases for tests: SQLite always, PostgreSQL when TOUCHBASE_TEST_POSTGRES_URL is set.

Each test gets a fresh database copied from a template that the migrations built once.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from touchbase.store.database import migrate

POSTGRES_URL = os.environ.get("TOUCHBASE_TEST_POSTGRES_URL")  # postgresql+psycopg://.../db
# One template per pytest-xdist worker: a template being copied cannot be dropped or made again.
TEMPLATE = f"touchbase_test_template_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def _admin(statement: str) -> None:
    assert POSTGRES_URL is not None
    with psycopg.connect(_libpq(POSTGRES_URL), autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def sqlite_template(directory: Path) -> Path:
    """A migrated SQLite file."""
    path = directory / "template.db"
    migrate(f"sqlite:///{path}")
    return path


def postgres_template() -> None:
    """A migrated PostgreSQL template database."""
    assert POSTGRES_URL is not None
    _admin(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
    _admin(f"CREATE DATABASE {TEMPLATE}")
    migrate(_with_database(POSTGRES_URL, TEMPLATE))


@contextmanager
def fresh_database(backend: str, *, template: Path, directory: Path) -> Iterator[str]:
    """A new database with the schema; dropped afterwards."""
    if backend == "sqlite":
        path = directory / f"{uuid.uuid4().hex}.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    assert POSTGRES_URL is not None
    name = f"tb_{uuid.uuid4().hex[:16]}"
    _admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    try:
        yield _with_database(POSTGRES_URL, name)
    finally:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
