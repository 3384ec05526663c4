"""Our Google client beside google-api-python-client, against the same emulator, same run.

Measures: insert throughput (sequential single inserts; and ours through batch), a full paged
list of 10,000 events, and an incremental list with one change in a 10,000-event calendar.
Both clients talk HTTP to one emulator process on 127.0.0.1, so the emulator's own time is in
both columns; the ratio shows which client adds less.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build

from benchmarks.report import median, table, timed
from touchbase.domain import CalendarEvent, EventTime
from touchbase.google import GoogleCalendarClient, GoogleEndpoints, InsertEvent, StaticToken
from touchbase_emulator.process import emulator_process

USER = "bench@example.com"
EVENTS = 10_000
INSERTS = 300
REPEATS = 3


def _event_json(n: int) -> dict[str, Any]:
    start = datetime(2027, 1, 1, tzinfo=UTC) + timedelta(hours=n)
    body: dict[str, Any] = {
        "summary": f"Event {n}",
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": (start + timedelta(minutes=30)).isoformat()},
    }
    if n % 500 == 0:  # some weekly series among them
        body["start"]["timeZone"] = body["end"]["timeZone"] = "Europe/Berlin"
        body["recurrence"] = ["RRULE:FREQ=WEEKLY;COUNT=52"]
    return body


def _domain_event(n: int) -> CalendarEvent:
    start = datetime(2027, 1, 1, tzinfo=UTC) + timedelta(hours=n)
    return CalendarEvent(
        title=f"Insert {n}",
        start=EventTime.at(start),
        end=EventTime.at(start + timedelta(minutes=30)),
    )


class Bench:
    """One emulator, both clients."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.control = httpx.Client(base_url=url + "/_emulator", timeout=120.0)

    def reset(self, *, events: int = 0) -> str:
        self.control.post("/reset").raise_for_status()
        token = self.control.post("/tokens", json={"email": USER}).json()["access_token"]
        if events:
            body = {"users": [{"email": USER, "events": [_event_json(n) for n in range(events)]}]}
            self.control.post("/seed", json=body).raise_for_status()
        return str(token)

    def api_calls(self) -> int:
        return int(self.control.get("/stats").json()["httpRequests"])

    def theirs(self, token: str) -> Any:
        return build(
            "calendar",
            "v3",
            credentials=Credentials(token),
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": self.url + "/calendar/v3/"},
        )

    def ours(self, token: str) -> GoogleCalendarClient:
        return GoogleCalendarClient(StaticToken(token), endpoints=GoogleEndpoints.at(self.url))


def _theirs_list(service: Any, **params: Any) -> tuple[int, str]:
    count, page_token = 0, None
    while True:
        response = (
            service.events()
            .list(calendarId="primary", maxResults=2500, pageToken=page_token, **params)
            .execute()
        )
        count += len(response["items"])
        page_token = response.get("nextPageToken")
        if not page_token:
            return count, response["nextSyncToken"]


async def _ours_list(client: GoogleCalendarClient, **params: Any) -> tuple[int, str]:
    listing = client.list_events("primary", **params)
    count = sum([len(page.items) async for page in listing])
    return count, listing.next_sync_token or ""


def bench_inserts(bench: Bench) -> list[list[str]]:
    token = bench.reset()
    service = bench.theirs(token)
    theirs, _ = timed(
        lambda: [
            service.events().insert(calendarId="primary", body=_event_json(n)).execute()
            for n in range(INSERTS)
        ]
    )

    async def ours_sequential() -> None:
        async with bench.ours(bench.reset()) as client:
            for n in range(INSERTS):
                await client.insert_event("primary", _domain_event(n))

    async def ours_batch() -> int:
        async with bench.ours(bench.reset()) as client:
            results = await client.batch(
                [InsertEvent("primary", _domain_event(n)) for n in range(INSERTS)]
            )
            assert all(r.ok for r in results)
        return bench.api_calls()

    ours, _ = timed(lambda: asyncio.run(ours_sequential()))
    batched, calls = timed(lambda: asyncio.run(ours_batch()))
    return [
        [
            f"insert {INSERTS}, one call each (events/s)",
            f"{INSERTS / ours:,.0f}",
            f"{INSERTS / theirs:,.0f}",
            f"{theirs / ours:.2f}x",
        ],
        [
            f"insert {INSERTS} through batch (events/s; HTTP requests)",
            f"{INSERTS / batched:,.0f} ({calls} requests)",
            "-",
            "-",
        ],
    ]


def bench_lists(bench: Bench) -> list[list[str]]:
    token = bench.reset(events=EVENTS)
    service = bench.theirs(token)
    theirs_full = [timed(lambda: _theirs_list(service)) for _ in range(REPEATS)]
    assert all(count == EVENTS for _, (count, _) in theirs_full)

    async def ours_runs() -> tuple[list[float], list[float]]:
        async with bench.ours(token) as client:
            full: list[float] = []
            sync_token = ""
            for _ in range(REPEATS):
                began = asyncio.get_running_loop().time()
                count, sync_token = await _ours_list(client)
                full.append(asyncio.get_running_loop().time() - began)
                assert count == EVENTS
            incremental: list[float] = []
            for n in range(REPEATS):
                _change_one(bench, token, n)
                began = asyncio.get_running_loop().time()
                count, sync_token = await _ours_list(client, sync_token=sync_token)
                incremental.append(asyncio.get_running_loop().time() - began)
                assert count == 1
            return full, incremental

    ours_full, ours_incremental = asyncio.run(ours_runs())
    _, (_, their_token) = theirs_full[-1]
    theirs_incremental = []
    for n in range(REPEATS):
        _change_one(bench, token, 100 + n)
        seconds, (count, their_token) = timed(
            lambda t=their_token: _theirs_list(  # type: ignore[misc]
                service, syncToken=t
            )
        )
        assert count == 1
        theirs_incremental.append(seconds)
    theirs_full_s = median([s for s, _ in theirs_full])
    ours_full_s, ours_inc, theirs_inc = (
        median(ours_full),
        median(ours_incremental),
        median(theirs_incremental),
    )
    return [
        [
            f"full paged list, {EVENTS:,} events (s)",
            f"{ours_full_s:.3f}",
            f"{theirs_full_s:.3f}",
            f"{theirs_full_s / ours_full_s:.2f}x",
        ],
        [
            f"incremental list, 1 change in {EVENTS:,} (ms)",
            f"{ours_inc * 1000:.1f}",
            f"{theirs_inc * 1000:.1f}",
            f"{theirs_inc / ours_inc:.2f}x",
        ],
    ]


def _change_one(bench: Bench, token: str, n: int) -> None:
    api = httpx.Client(
        base_url=bench.url + "/calendar/v3", headers={"Authorization": f"Bearer {token}"}
    )
    first = api.get("/calendars/primary/events", params={"maxResults": 1}).json()["items"][0]
    api.patch(f"/calendars/primary/events/{first['id']}", json={"summary": f"changed {n}"})


def main() -> None:
    """Run and print the client benchmark."""
    with emulator_process() as url:
        bench = Bench(url)
        rows = bench_inserts(bench) + bench_lists(bench)
    table(
        "Google client: touchbase vs google-api-python-client (same emulator, same run; "
        f"medians of {REPEATS} where repeated)",
        ["measure", "touchbase", "google-api-python-client", "ratio (theirs/ours)"],
        rows,
    )
