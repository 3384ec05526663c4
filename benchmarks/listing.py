"""What expanding recurring series costs a listing: `GET /api/calendar/events` for a month of
a busy calendar (200 weekly series with 20 exceptions each, plus 2,000 single events over the
year), beside the same request for a calendar holding as many single events in that month, and
nothing else. Both calendars come from Google (the emulator) by a sync through touchbase's own
API; the requests are interleaved, so a slow spell of the machine hits both."""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from benchmarks.api_latency import connect_google, percentiles, touchbase_server
from benchmarks.report import table
from touchbase_emulator.process import emulator_process

SERIES = 200
EXCEPTIONS = 20
SINGLES = 2000
REQUESTS = 60
YEAR_START = datetime(2027, 1, 4, 9, tzinfo=UTC)  # a Monday
MONTH = {"timeMin": "2027-03-01T00:00:00Z", "timeMax": "2027-04-01T00:00:00Z"}
BUSY, PLAIN = "busy@example.com", "plain@example.com"


def _when(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def _single(n: int, start: datetime) -> dict[str, Any]:
    return {
        "summary": f"Meeting {n}",
        "start": _when(start),
        "end": _when(start + timedelta(minutes=30)),
    }


def busy_calendar() -> list[dict[str, Any]]:
    """200 weekly series, each with 20 moved and retitled occurrences, and 2,000 singles."""
    events: list[dict[str, Any]] = []
    for s in range(SERIES):
        series_id = f"series{s:04d}"
        first = YEAR_START + timedelta(days=s % 5, minutes=15 * (s % 32))
        events.append(
            {
                "id": series_id,
                "summary": f"Weekly {s}",
                "start": _when(first),
                "end": _when(first + timedelta(minutes=30)),
                "recurrence": ["RRULE:FREQ=WEEKLY"],
            }
        )
        for week in range(EXCEPTIONS):
            original = first + timedelta(weeks=week)
            moved = original + timedelta(hours=1)
            events.append(
                {
                    "_raw": True,
                    "id": f"{series_id}_{original:%Y%m%dT%H%M%SZ}",
                    "recurringEventId": series_id,
                    "originalStartTime": _when(original),
                    "summary": f"Weekly {s} (moved)",
                    "start": _when(moved),
                    "end": _when(moved + timedelta(minutes=30)),
                }
            )
    hours = 365 * 24
    events += [
        _single(n, YEAR_START + timedelta(hours=(n * hours) // SINGLES)) for n in range(SINGLES)
    ]
    return events


def plain_calendar(count: int) -> list[dict[str, Any]]:
    """`count` single events in the month listed."""
    start = datetime(2027, 3, 1, 8, tzinfo=UTC)
    minutes = 30 * 24 * 60  # from 1 March 08:00 to 31 March 08:00
    return [_single(n, start + timedelta(minutes=(n * minutes) // count)) for n in range(count)]


def _connect_and_sync(api: httpx.Client, email: str) -> None:
    connect_google(api, email)
    run_id = api.post("/api/calendar/sync").json()["runId"]
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        run = api.get(f"/api/calendar/sync/{run_id}").json()
        if run["status"] != "running":
            assert run["status"] == "succeeded", run
            return
        time.sleep(0.1)
    raise RuntimeError("the sync did not end")


def _month(api: httpx.Client) -> tuple[float, int]:
    began = time.perf_counter()
    answer = api.get("/api/calendar/events", params=MONTH)
    took = time.perf_counter() - began
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "nextPageToken" not in body, "one page"
    assert not body.get("incomplete"), "expanded within the budget"
    return took, len(body["items"])


def main() -> None:
    """Run and print the listing benchmark."""
    with (
        tempfile.TemporaryDirectory() as directory,
        emulator_process() as emulator_url,
        touchbase_server(emulator_url, Path(directory), users=(BUSY, PLAIN)) as (url, tokens),
    ):
        control = httpx.Client(base_url=emulator_url + "/_emulator", timeout=300)
        control.post("/seed", json={"users": [{"email": BUSY, "events": busy_calendar()}]})
        busy = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {tokens[BUSY]}"}, timeout=60
        )
        plain = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {tokens[PLAIN]}"}, timeout=60
        )
        _connect_and_sync(busy, BUSY)
        _, count = _month(busy)
        control.post("/seed", json={"users": [{"email": PLAIN, "events": plain_calendar(count)}]})
        _connect_and_sync(plain, PLAIN)
        assert _month(plain)[1] == count, (_month(plain)[1], count)
        samples: dict[str, list[float]] = {"busy": [], "plain": []}
        for _ in range(3):  # warm-up
            _month(busy), _month(plain)
        for _ in range(REQUESTS):
            samples["busy"].append(_month(busy)[0])
            samples["plain"].append(_month(plain)[0])
    b50, b95, _ = percentiles(samples["busy"])
    p50, p95, _ = percentiles(samples["plain"])
    ratio = statistics.median(b / p for b, p in zip(samples["busy"], samples["plain"], strict=True))
    table(
        f"GET /api/calendar/events for March 2027: {count} items "
        f"({REQUESTS} requests each, interleaved; ms)",
        ["calendar", "median", "p95", "ratio"],
        [
            [
                f"{SERIES} weekly series x {EXCEPTIONS} exceptions + {SINGLES:,} singles",
                f"{b50:.1f}",
                f"{b95:.1f}",
                f"{ratio:.2f}x plain (median of pairs; goal < 2x and < 50 ms)",
            ],
            [f"{count} single events only", f"{p50:.1f}", f"{p95:.1f}", ""],
        ],
    )
