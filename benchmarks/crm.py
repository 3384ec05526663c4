"""The CRM half at scale, through touchbase's own HTTP API against the emulator, in one run:
- a user with 10,000 contacts (imported from CSV) and 100,000 events over 20 years that name
  them as guests (synced from Google), beside a user with 100 contacts and 1,000 events, so the
  ratio shows what scale costs: p50/p95 of a contacts search (by name, email and company; by
  name and by "last contacted") and of a contact's timeline, requests interleaved;
- the big user's whole list sorted by last contacted, then by next touchpoint (no search: every
  contact's key), then every contact exported (CSV, vCard), each the median of 5, and meanwhile the
  small user's requests, one every 10 ms: how long others wait while such a list is made;
- planning 1,000 touchpoints in one request: its time, and the Google calls it made (counted
  by the emulator) against the bound of one batch per 50 events, beside planning them one by
  one (20 of them, per touchpoint).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from benchmarks.api_latency import percentiles, touchbase_server
from benchmarks.listing import _connect_and_sync
from benchmarks.report import table
from touchbase_emulator.process import emulator_process

BIG, SMALL = "big@example.com", "small@example.com"
SCALES = {BIG: (10_000, 100_000), SMALL: (100, 1_000)}
FIRST = datetime(2016, 1, 1, tzinfo=UTC)
YEARS = 20
REQUESTS = 60
BATCH = 1_000
SINGLES = 20


def _email(n: int) -> str:
    return f"person{n:05d}@company{n % 500:03d}.example"


def contacts_csv(count: int) -> list[str]:
    """CSV files of `count` contacts (at most 5,000 rows each, the import's limit)."""
    rows = [f"Person {n:05d},{_email(n)},Company {n % 500:03d}" for n in range(count)]
    return ["name,email,company\n" + "\n".join(rows[i : i + 5000]) for i in range(0, count, 5000)]


def calendar(contacts: int, events: int) -> list[dict[str, Any]]:
    """`events` meetings spread over 20 years, each with one or two of the contacts as guests."""
    span = int(timedelta(days=365 * YEARS).total_seconds())
    made = []
    for n in range(events):
        start = FIRST + timedelta(seconds=(n * span) // events)
        start = start.replace(minute=(start.minute // 15) * 15, second=0)
        guests = [{"email": _email(n % contacts)}]
        if n % 3 == 0:
            guests.append({"email": _email((n * 7 + 1) % contacts)})
        made.append(
            {
                "summary": f"Meeting {n}",
                "start": {"dateTime": start.isoformat()},
                "end": {"dateTime": (start + timedelta(minutes=30)).isoformat()},
                "attendees": guests,
            }
        )
    return made


def _client(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=600)


def _prepare(api: httpx.Client, email: str, control: httpx.Client) -> list[str]:
    """Seed Google, sync, import the contacts; their ids."""
    contacts, events = SCALES[email]
    for start in range(0, events, 20_000):  # seeded in parts: one request stays small
        part = calendar(contacts, events)[start : start + 20_000]
        control.post("/seed", json={"users": [{"email": email, "events": part}]})
    _connect_and_sync(api, email)
    for content in contacts_csv(contacts):
        done = api.post("/api/contacts/import", json={"format": "csv", "content": content})
        assert done.status_code == 201, done.text
    ids = []
    while len(ids) < contacts:
        page = api.get("/api/contacts", params={"limit": 200, "offset": len(ids)}).json()
        ids += [c["id"] for c in page["items"]]
    return ids


def _timed(call: Callable[[], httpx.Response]) -> float:
    began = time.perf_counter()
    answer = call()
    took = time.perf_counter() - began
    assert answer.status_code == 200, answer.text
    return took


def _waits_while(
    other: httpx.Client, work: Callable[[], list[float]]
) -> tuple[list[float], list[float]]:
    """(what `work` returned, the times of `other`'s requests sent every 10 ms meanwhile)."""
    waits: list[float] = []
    done = threading.Event()

    def probe() -> None:
        while not done.is_set():
            waits.append(_timed(lambda: other.get("/api/contacts", params={"limit": 5})))
            time.sleep(0.01)

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        return work(), waits
    finally:
        done.set()
        prober.join()


def _beside_whole_lists(big: httpx.Client, small: httpx.Client) -> list[str]:
    """Lines: the time of each read of every contact (the list in each whole-list order, the
    export as CSV), and the small user's waits meanwhile."""
    reads = {
        f"the whole list by {order}": ("/api/contacts", {"sort": order, "limit": 20})
        for order in ("last_contacted", "next_touchpoint")
    }
    for kind in ("csv", "vcard"):
        reads[f"every contact exported as {kind}"] = ("/api/contacts/export", {"format": kind})
    lines = []
    for what, (path, params) in reads.items():
        took, waits = _waits_while(
            small,
            lambda u=path, p=params: [_timed(lambda: big.get(u, params=p)) for _ in range(5)],  # type: ignore[misc]
        )
        lines.append(
            f"{what}: {statistics.median(took) * 1000:.0f} ms (median of 5); "
            f"another user's {len(waits)} requests meanwhile: p50 "
            f"{statistics.median(waits) * 1000:.0f} ms, at most {max(waits) * 1000:.0f} ms"
        )
    return lines


def _searches(rng: random.Random, contacts: int) -> list[dict[str, str]]:
    """Queries a user types: part of a name, of an email, a company; sorted two ways."""
    queries = []
    for _ in range(REQUESTS):
        n = rng.randrange(contacts)
        text = rng.choice([f"person {n:05d}"[:10], f"company{n % 500:03d}.", f"Company {n % 50}"])
        queries.append({"q": text, "sort": rng.choice(["name", "last_contacted"])})
    return queries


def _compare(
    clients: dict[str, httpx.Client], calls: dict[str, list[Callable[[httpx.Client], Any]]]
) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {BIG: [], SMALL: []}
    for n in range(REQUESTS):
        for email, client in clients.items():
            call = calls[email][n]
            samples[email].append(_timed(lambda c=client, f=call: f(c)))  # type: ignore[misc]
    return samples


def _row(what: str, samples: dict[str, list[float]]) -> list[str]:
    b50, b95, _ = percentiles(samples[BIG])
    s50, s95, _ = percentiles(samples[SMALL])
    return [what, f"{b50:.1f} / {b95:.1f}", f"{s50:.1f} / {s95:.1f}", f"{b95 / s95:.2f}x"]


def _plans(ids: list[str], start: date) -> list[dict[str, str]]:
    """Touchpoints given only a day, ten a working day."""
    days = [
        start + timedelta(days=d) for d in range(400) if (start + timedelta(days=d)).weekday() < 5
    ]
    return [{"contactId": c, "dueDate": days[n // 10].isoformat()} for n, c in enumerate(ids)]


def _batch(api: httpx.Client, control: httpx.Client, ids: list[str]) -> list[str]:
    start = datetime.now(UTC).date() + timedelta(days=30)
    singles = _plans(ids[BATCH : BATCH + SINGLES], start + timedelta(days=200))
    began = time.perf_counter()
    for plan in singles:
        assert api.post("/api/touchpoints", json=plan).status_code == 201
    one_by_one = (time.perf_counter() - began) / SINGLES
    control.delete("/stats")
    began = time.perf_counter()
    made = api.post("/api/touchpoints/batch", json={"items": _plans(ids[:BATCH], start)})
    took = time.perf_counter() - began
    assert made.status_code == 201, made.text
    stats = control.get("/stats").json()
    body = made.json()
    timed_ones = sum(1 for t in body["items"] if t["dueAt"])
    bound = -(-BATCH // 50)
    return [
        f"{BATCH:,} touchpoints in one request: {took:.2f} s ({took / BATCH * 1000:.1f} ms each;"
        f" one by one {one_by_one * 1000:.1f} ms each: {one_by_one / (took / BATCH):.1f}x slower)",
        f"Google requests: {body['googleRequests']} by touchbase's count, "
        f"{stats['httpRequests']} HTTP requests seen by the emulator carrying "
        f"{stats['apiCalls']} calls ({dict(sorted(stats['byMethod'].items()))}); "
        f"bound {BATCH:,}/50 = {bound} batches, free slots read from the cache (0 reads)",
        f"{timed_ones:,} placed in a free slot, {BATCH - timed_ones} all-day (day full)",
    ]


def main() -> None:
    """Run and print the CRM benchmark."""
    rng = random.Random(15)
    with (
        tempfile.TemporaryDirectory() as directory,
        emulator_process() as emulator_url,
        touchbase_server(emulator_url, Path(directory), users=(BIG, SMALL)) as (url, tokens),
    ):
        control = httpx.Client(base_url=emulator_url + "/_emulator", timeout=600)
        clients = {email: _client(url, tokens[email]) for email in (BIG, SMALL)}
        began = time.perf_counter()
        ids = {email: _prepare(clients[email], email, control) for email in clients}
        prepared = time.perf_counter() - began
        searches = {e: _searches(rng, SCALES[e][0]) for e in clients}
        search_calls = {
            e: [lambda c, p=p: c.get("/api/contacts", params=p) for p in searches[e]]
            for e in clients
        }
        picked = {e: [rng.choice(ids[e]) for _ in range(REQUESTS)] for e in clients}
        timeline_calls = {
            e: [lambda c, i=i: c.get(f"/api/contacts/{i}/timeline") for i in picked[e]]
            for e in clients
        }
        _compare(clients, search_calls), _compare(clients, timeline_calls)  # warm-up
        rows = [
            _row("search contacts", _compare(clients, search_calls)),
            _row("a contact's timeline", _compare(clients, timeline_calls)),
        ]
        sizes = [
            len(clients[BIG].get(f"/api/contacts/{i}/timeline").json()["past"]) for i in picked[BIG]
        ]
        beside = _beside_whole_lists(clients[BIG], clients[SMALL])
        batch = _batch(clients[BIG], control, ids[BIG])
    table(
        f"CRM at scale ({REQUESTS} requests each, interleaved; ms; set-up {prepared:.0f} s; "
        f"big timelines hold {statistics.median(sizes):.0f} past meetings, median)",
        [
            "request",
            "10,000 contacts, 100,000 events: p50 / p95",
            "100 / 1,000: p50 / p95",
            "p95 ratio",
        ],
        rows,
    )
    print()
    for line in beside + batch:
        print(line)
