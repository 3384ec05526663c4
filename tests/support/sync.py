"""Running a sync through the API and waiting for its result."""

from __future__ import annotations

import time
from typing import Any

from tests.support.app import ApiUser


def sync(user: ApiUser, *, timeout: float = 60.0) -> dict[str, Any]:
    """POST /api/calendar/sync, then poll until the run ends; returns the run."""
    started = user.api.post("/api/calendar/sync")
    assert started.status_code == 202, started.text
    run_id = started.json()["runId"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = user.api.get(f"/api/calendar/sync/{run_id}").json()
        if run["status"] != "running":
            return dict(run)
        time.sleep(0.05)
    raise AssertionError("the sync did not end")


def titles(user: ApiUser, **params: Any) -> list[str]:
    """Titles of the user's events as the API lists them."""
    return [e["title"] for e in user.api.get("/api/calendar/events", params=params).json()["items"]]
