"""Two-way sync against the emulator, in one run:
- a full sync of 10,000 events (some of them weekly series), beside the floor (the same pages
  fetched raw with httpx and nothing else) and beside gcal-sync doing the same pull;
- an incremental sync with one change (Google calls made: should be 1);
- a push of 500 pending events (calls made: should be 1 list + ceil(500/50) batches);
- peak Python memory of each (tracemalloc, in a separate run so it does not slow the timing).
The full syncs run in interleaved rounds (floor, gcal-sync, ours); the ratios are the medians
of each round's own ratios.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from gcal_sync.api import GoogleCalendarService
from gcal_sync.auth import AbstractAuth
from gcal_sync.sync import CalendarEventSyncManager
from tests.support.inprocess import calendar_services, connected_user

from benchmarks.report import median, table
from touchbase.calendar.actors import Actor
from touchbase.calendar.events import create_calendar_event
from touchbase.calendar.sync import perform_two_way_sync
from touchbase.domain import CalendarEvent, EventTime
from touchbase.store.database import migrate
from touchbase.web.app import freeze_start_up_objects
from touchbase_emulator.process import emulator_process

EMAIL = "bench@example.com"
EVENTS = 10_000
PUSHES = 500
ROUNDS = 5


def _event(n: int) -> dict[str, Any]:
    start = datetime(2027, 1, 1, tzinfo=UTC) + timedelta(hours=n)
    body: dict[str, Any] = {
        "summary": f"Event {n}",
        "description": "Agenda " * 10,
        "location": "Room 4",
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": (start + timedelta(minutes=30)).isoformat()},
    }
    if n % 200 == 0:  # 50 weekly series among them
        body["start"]["timeZone"] = body["end"]["timeZone"] = "Europe/Berlin"
        body["recurrence"] = ["RRULE:FREQ=WEEKLY;COUNT=20"]
    return body


async def _seconds(work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    """(seconds, result) of one run."""
    began = time.perf_counter()
    result = await work()
    return time.perf_counter() - began, result


async def _peak_mib(work: Callable[[], Awaitable[Any]]) -> float:
    """Peak traced Python heap of one run (separate from the timed runs: tracing slows them)."""
    tracemalloc.start()
    await work()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def _spread(values: list[float]) -> str:
    return f"{median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


async def floor(url: str, token: str) -> int:
    """Every page fetched with httpx, nothing parsed or stored."""
    pages, page_token = 0, None
    async with httpx.AsyncClient(
        base_url=url + "/calendar/v3", headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as http:
        while True:
            params = {"maxResults": "2500", "showDeleted": "true"}
            if page_token:
                params["pageToken"] = page_token
            response = await http.get(f"/calendars/{EMAIL}/events", params=params)
            pages += 1
            page_token = response.json().get("nextPageToken")
            if not page_token:
                return pages


class _Auth(AbstractAuth):
    def __init__(self, session: aiohttp.ClientSession, host: str, token: str) -> None:
        super().__init__(session, host=host)
        self._token = token

    async def async_get_access_token(self) -> str:
        return self._token


async def gcal_sync_pull(url: str, token: str) -> int:
    """gcal-sync's event sync manager doing a full pull into its in-memory store."""
    async with aiohttp.ClientSession() as session:
        api = GoogleCalendarService(_Auth(session, url + "/calendar/v3", token))
        manager = CalendarEventSyncManager(api, calendar_id=EMAIL)
        await manager.run()
        return 1


def _meeting(n: int) -> CalendarEvent:
    start = datetime(2028, 1, 1, tzinfo=UTC) + timedelta(hours=n)
    return CalendarEvent(
        title=f"Pending {n}",
        start=EventTime.at(start),
        end=EventTime.at(start + timedelta(minutes=30)),
    )


async def run(url: str, directory: Path) -> list[list[str]]:
    control = httpx.Client(base_url=url + "/_emulator", timeout=300)
    control.post(
        "/seed", json={"users": [{"email": EMAIL, "events": [_event(n) for n in range(EVENTS)]}]}
    ).raise_for_status()
    token = control.post("/tokens", json={"email": EMAIL}).json()["access_token"]
    rows: list[list[str]] = []
    contexts: list[Any] = []

    async def fresh_connected() -> tuple[Any, Actor]:
        db_url = f"sqlite:///{directory}/full{len(contexts)}.db"
        migrate(db_url)
        context = calendar_services(db_url, url)
        services = await context.__aenter__()
        contexts.append(context)
        return services, await connected_user(services, EMAIL)

    # Every full sync starts from an empty database: one for each run, made before timing.
    databases = iter([await fresh_connected() for _ in range(ROUNDS + 2)])

    async def ours() -> Any:
        services, actor = next(databases)
        return await perform_two_way_sync(services, actor.user_id)

    async def raw() -> int:
        return await floor(url, token)

    async def theirs() -> int:
        return await gcal_sync_pull(url, token)

    for work in (raw, theirs, ours):  # warm: imports, connections, compiled statements
        await work()
    freeze_start_up_objects()  # as the server does once it has started
    seconds: dict[str, list[float]] = {"ours": [], "floor": [], "theirs": []}
    for _ in range(ROUNDS):  # interleaved, so a slow spell of the machine hits all three
        for name, work in (("floor", raw), ("theirs", theirs), ("ours", ours)):
            took, result = await _seconds(work)
            seconds[name].append(took)
    assert result.status == "succeeded", result
    assert result.counts["created"] == EVENTS, result.counts
    peaks = [await _peak_mib(work) for work in (ours, raw, theirs)]
    for context in contexts:
        await context.__aexit__(None, None, None)
    # Each round's own ratios: a slow spell of the machine then cancels out.
    over_floor = median([o / f for o, f in zip(seconds["ours"], seconds["floor"], strict=True)])
    faster = median([t / o for t, o in zip(seconds["theirs"], seconds["ours"], strict=True)])
    rows.append(
        [
            f"full sync, {EVENTS:,} events (s; median of {ROUNDS} (min-max))",
            _spread(seconds["ours"]),
            _spread(seconds["floor"]),
            _spread(seconds["theirs"]),
            f"{over_floor:.2f}x floor, {faster:.2f}x faster than gcal-sync (medians of rounds)",
        ]
    )
    rows.append(["  peak Python memory (MiB)", *(f"{peak:.0f}" for peak in peaks), ""])

    db_url = f"sqlite:///{directory}/incremental.db"
    migrate(db_url)
    async with calendar_services(db_url, url, request_google_budget_seconds=0.01) as services:
        actor = await connected_user(services, EMAIL)
        await perform_two_way_sync(services, actor.user_id)
        api = httpx.Client(
            base_url=url + "/calendar/v3/calendars/primary",
            headers={"Authorization": f"Bearer {token}"},
        )
        first = api.get("/events", params={"maxResults": 1}).json()["items"][0]["id"]
        api.patch(f"/events/{first}", json={"summary": "changed once"})
        began = time.perf_counter()
        incremental = await perform_two_way_sync(services, actor.user_id)
        inc_s = time.perf_counter() - began
        rows.append(
            [
                "incremental sync, 1 change (ms; Google calls)",
                f"{inc_s * 1000:.0f} ({incremental.google_calls} call)",
                "",
                "",
                f"calls: {incremental.google_calls} (goal 1)",
            ]
        )
        await _push_rows(services, actor, control, rows)
    return rows


async def _push_rows(
    services: Any, actor: Actor, control: httpx.Client, rows: list[list[str]]
) -> None:
    control.post(
        "/faults", json={"method": "POST", "path": "/events$", "status": 503, "times": 100_000}
    )
    for n in range(PUSHES):
        await create_calendar_event(services, actor, _meeting(n))
    control.delete("/faults")
    tracemalloc.start()
    began = time.perf_counter()
    pushed = await perform_two_way_sync(services, actor.user_id)
    push_s = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    goal = 1 + math.ceil(PUSHES / 50)
    rows.append(
        [
            f"push of {PUSHES} pending events (s; Google calls)",
            f"{push_s:.2f} ({pushed.google_calls} calls)",
            "",
            "",
            f"calls: {pushed.google_calls} (goal {goal}: 1 list + {goal - 1} batches); "
            f"peak {peak:.0f} MiB (traced)",
        ]
    )


def main() -> None:
    """Run and print the sync benchmark."""
    with tempfile.TemporaryDirectory() as directory, emulator_process() as url:
        rows = asyncio.run(run(url, Path(directory)))
    table(
        "Two-way sync against the emulator (same run; memory = peak traced Python heap)",
        ["measure", "touchbase", "floor (raw httpx)", "gcal-sync", "ratio"],
        rows,
    )
