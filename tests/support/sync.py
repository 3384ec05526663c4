"""Running a sync through the API and waiting for its result; following the change stream."""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any

import httpx

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


def changes_told(user: ApiUser, wanted: int = 1, timeout: float = 10) -> list[dict[str, Any]]:
    """The `changed` messages of the user's change stream, until `wanted` came (or the time
    ran out: a quiet stream)."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    with (
        contextlib.suppress(httpx.ReadTimeout),
        user.api.stream("GET", "/api/calendar/changes", timeout=timeout) as stream,
    ):
        assert stream.headers["content-type"].startswith("text/event-stream")
        event = None
        for line in stream.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "changed":
                found.append(json.loads(line.removeprefix("data: ")))
                if len(found) >= wanted:
                    break
            if time.monotonic() > deadline:
                break
    return found
