"""/api/health/ready says whether the process can serve: its database answers, or 503 (what a
load balancer needs to route around a process that lost its database); /api/health stays the
liveness probe (the event loop answers) and needs no database."""

from __future__ import annotations

import httpx
import psycopg
import pytest
import sqlalchemy

from tests.support.app import AppHarness, wait_for
from tests.support.databases import POSTGRES_URL, _admin, _libpq
from touchbase.store.database import sync_url

READY = {"status": "ok", "database": "ok"}


def test_ready_is_503_while_the_database_is_unreachable_and_200_again_after(
    app: AppHarness,
) -> None:
    assert httpx.get(app.url + "/api/health/ready").json() == READY
    if not app.database_url.startswith("postgresql"):
        pytest.skip("a SQLite file cannot be taken away from a running process")
    name = app.database_url.rsplit("/", 1)[1]
    _admin(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
    try:
        _admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        down = httpx.get(app.url + "/api/health/ready", timeout=30)
        assert down.status_code == 503
        assert down.json() == {"status": "unavailable", "database": "unreachable"}
        assert httpx.get(app.url + "/api/health").status_code == 200, "still alive"
    finally:
        _admin(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
    assert httpx.get(app.url + "/api/health/ready").json() == READY


def test_a_request_while_the_database_is_unreachable_is_a_503_to_retry_not_a_500(
    app: AppHarness,
) -> None:
    """A database that does not answer (restarting, failing over, refusing connections) is
    the API's 503 with its own code and a Retry-After, as Google's unavailability is: a
    client or proxy may try again, and the log holds no traceback of a bug."""
    if not app.database_url.startswith("postgresql"):
        pytest.skip("a SQLite file cannot be taken away from a running process")
    user = app.user("down@example.com", connect=False)
    name = app.database_url.rsplit("/", 1)[1]
    _admin(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
    try:
        _end_connections(name)
        wait_for(lambda: not _connections(name), what="the connections to end")
        for request in (
            lambda: user.api.get("/api/contacts"),
            lambda: user.api.post("/api/contacts", json={"name": "Ada"}),
        ):
            down = request()
            assert down.status_code == 503, down.text
            assert down.json()["error"]["code"] == "DATABASE_UNAVAILABLE"
            assert int(down.headers["retry-after"]) >= 1
    finally:
        _admin(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
    assert user.api.post("/api/contacts", json={"name": "Ada"}).status_code == 201


def test_requests_after_the_server_ended_every_connection_are_served(app: AppHarness) -> None:
    """A pooled connection the server ended (a restart, a cut) is replaced as it is taken
    from the pool, so no request fails on it."""
    if not app.database_url.startswith("postgresql"):
        pytest.skip("a SQLite file's connections are never ended by a server")
    user = app.user("cut@example.com", connect=False)
    with httpx.Client(base_url=app.url, headers=user.api.headers) as api:
        for _ in range(3):  # several pooled connections at once
            responses = [api.get("/api/contacts") for _ in range(3)]
            assert [r.status_code for r in responses] == [200] * 3
        name = app.database_url.rsplit("/", 1)[1]
        ended = _end_connections(name)
        wait_for(lambda: not ended & _connections(name), what="the connections to end")
        after = [api.get("/api/contacts").status_code for _ in range(5)]
        assert after == [200] * 5


def _query(statement: str, *values: str) -> set[int]:
    assert POSTGRES_URL is not None
    with psycopg.connect(_libpq(POSTGRES_URL), autocommit=True) as connection:
        return {row[0] for row in connection.execute(statement, values)}  # type: ignore[arg-type]


def _end_connections(database: str) -> set[int]:
    """End every connection to the database from the server's side; their process ids."""
    return _query(
        "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
        database,
    )


def _connections(database: str) -> set[int]:
    return _query("SELECT pid FROM pg_stat_activity WHERE datname = %s", database)


def _alter(database_url: str, statement: str) -> None:
    """Run a statement on the app's database from outside the app."""
    engine = sqlalchemy.create_engine(sync_url(database_url))
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(statement))
    engine.dispose()


def test_an_unexpected_error_is_a_500_and_the_connection_serves_the_next_request(
    app: AppHarness,
) -> None:
    """A failure no handler expects (here the audit log's table taken away) is answered with
    the API's 500 envelope and the headers of every answer, and the client's next request on
    the same connection is served (the server used to close it under the client: reset)."""
    user = app.user("broken@example.com", connect=False)
    _alter(app.database_url, "ALTER TABLE audit_log RENAME TO audit_log_away")
    try:
        with httpx.Client(base_url=app.url, headers=user.api.headers) as api:
            for n in range(10):
                failed = api.post("/api/contacts", json={"name": f"Ada {n}"})
                assert failed.status_code == 500
                assert failed.json()["error"]["code"] == "INTERNAL_ERROR"
                assert failed.headers["x-content-type-options"] == "nosniff"
                assert failed.headers["cache-control"] == "no-store"
                assert api.get("/api/contacts").json()["items"] == [], "nothing half-written"
    finally:
        _alter(app.database_url, "ALTER TABLE audit_log_away RENAME TO audit_log")
    assert user.api.post("/api/contacts", json={"name": "Ada"}).status_code == 201
