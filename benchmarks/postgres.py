"""The PostgreSQL server the benchmarks use, and its throwaway databases."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from touchbase.store.database import libpq_url


def server_url() -> str:
    """TOUCHBASE_BENCH_POSTGRES_URL, or the private server `scripts/postgres.sh` starts."""
    url = os.environ.get("TOUCHBASE_BENCH_POSTGRES_URL")
    if url:
        return url
    started = subprocess.run(["./scripts/postgres.sh"], capture_output=True, text=True, check=True)
    return started.stdout.strip()


def admin(server: str, statement: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE)."""
    with psycopg.connect(libpq_url(server), autocommit=True) as connection:
        connection.execute(statement)


def database_url(server: str, name: str) -> str:
    """The URL of database `name` on `server`."""
    return server.rsplit("/", 1)[0] + "/" + name


@contextmanager
def fresh_database(server: str, name: str, *, template: str | None = None) -> Iterator[str]:
    """A new database (a copy of `template`), dropped afterwards; yields its URL."""
    admin(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin(server, f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    try:
        yield database_url(server, name)
    finally:
        admin(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
