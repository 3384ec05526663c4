"""/api/health/ready says whether the process can serve: its database answers, or 503 (what a
load balancer needs to route around a process that lost its database); /api/health stays the
liveness probe (the event loop answers) and needs no database."""

from __future__ import annotations

import httpx
import pytest

from tests.support.app import AppHarness
from tests.support.databases import _admin

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
