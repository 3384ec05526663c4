"""The calendar page and search at scale, `touchbase serve` (its own process, SQLite) against
the emulator, in one run:
- the time from navigating to the calendar page (Chromium, month view) to its 500 events of
  the month painted, median of 10 loads (goal: under 300 ms);
- a search over 100,000 events (titles, places, guests; 20 years), p50/p95 of 60 queries of
  one to three words, each word a prefix, upcoming and past (goal: p95 under 50 ms), beside
  the same queries on a user with 1,000 events (the ratio shows what scale costs).
Chromium: TOUCHBASE_BENCH_CHROMIUM, or Debian's `/usr/bin/chromium`.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, sync_playwright

from benchmarks.api_latency import percentiles, touchbase_server
from benchmarks.listing import _connect_and_sync
from benchmarks.live import CHROMIUM_FLAGS, _chromium
from benchmarks.report import table
from touchbase_emulator.process import emulator_process

PAGE_USER, BIG, SMALL = "month@example.com", "big@example.com", "small@example.com"
PASSWORD = "correct horse battery"
MONTH_EVENTS = 500
LOADS = 10
QUERIES = 60
COMPANIES = ["Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Acme", "Cyberdyne"]
KINDS = ["Demo", "Intro call", "Pipeline review", "Renewal", "Kickoff", "Lunch", "QBR"]
PLACES = ["Berlin", "Zoom", "Room 4", "London office", "Cafe North", "Paris"]
FIRST = datetime(2010, 1, 1, tzinfo=UTC)


def _meeting(n: int, start: datetime, minutes: int = 30) -> dict[str, Any]:
    company = COMPANIES[n % len(COMPANIES)]
    return {
        "summary": f"{KINDS[n % len(KINDS)]} with {company} {n}",
        "location": PLACES[n % len(PLACES)],
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": (start + timedelta(minutes=minutes)).isoformat()},
        "attendees": [{"email": f"person{n % 5000:04d}@{company.lower()}.example"}],
    }


def _years(events: int) -> list[dict[str, Any]]:
    """`events` meetings over 20 years (the last few still to come)."""
    span = int(timedelta(days=365 * 20).total_seconds())
    return [
        _meeting(n, FIRST + timedelta(seconds=(n * span) // events // 900 * 900))
        for n in range(events)
    ]


def _this_month() -> list[dict[str, Any]]:
    first = datetime.now(UTC).replace(day=1, hour=8, minute=0, second=0, microsecond=0)
    return [
        _meeting(n, first + timedelta(days=n % 28, minutes=30 * (n // 28)), 25)
        for n in range(MONTH_EVENTS)
    ]


def _seed(control: httpx.Client, email: str, events: list[dict[str, Any]]) -> None:
    for start in range(0, len(events), 20_000):
        part = events[start : start + 20_000]
        assert control.post("/seed", json={"users": [{"email": email, "events": part}]}).is_success


def _queries(rng: random.Random) -> list[str]:
    made = []
    for _ in range(QUERIES):
        company, kind = rng.choice(COMPANIES), rng.choice(KINDS)
        made.append(
            rng.choice(
                [
                    company.lower()[:4],
                    f"{kind} {company}",
                    f"person{rng.randrange(5000):04d}",
                    f"{rng.choice(PLACES).split()[0]} {company[:3]}",
                    f"{kind.split()[0][:3]}",
                ]
            )
        )
    return made


def _search(url: str, tokens: dict[str, str], queries: list[str]) -> list[list[str]]:
    clients = {
        e: httpx.Client(base_url=url, headers={"Authorization": f"Bearer {tokens[e]}"}, timeout=60)
        for e in (BIG, SMALL)
    }
    samples: dict[str, list[float]] = {BIG: [], SMALL: []}
    for round_ in range(2):  # the first warms up
        for n, q in enumerate(queries):
            when = "upcoming" if n % 2 else "past"
            for email, client in clients.items():
                began = time.perf_counter()
                answer = client.get("/api/calendar/search", params={"q": q, "when": when})
                took = time.perf_counter() - began
                assert answer.status_code == 200, answer.text
                if round_:
                    samples[email].append(took)
    rows = []
    for email, label in ((BIG, "100,000 events"), (SMALL, "1,000 events")):
        p50, p95, _ = percentiles(samples[email])
        rows.append(
            [
                f"search, {label}",
                f"{p50:.1f}",
                f"{p95:.1f}",
                "goal p95 < 50"
                if email == BIG
                else f"p95 ratio {percentiles(samples[BIG])[1] / p95:.2f}x",
            ]
        )
    return rows


# Set when the month's events are on the page, in the next frame (painted).
PAINTED = f"""
window.__painted = null;
new MutationObserver(() => {{
  const shown = document.querySelectorAll("#calendar [data-event-id]").length;
  if (window.__painted === null && shown >= {MONTH_EVENTS}) {{
    requestAnimationFrame(() => {{ window.__painted = performance.now(); }});
  }}
}}).observe(document, {{ subtree: true, childList: true }});
"""


def _month_loads(page: Page, url: str) -> list[float]:
    page.goto(url + "/calendar")
    page.get_by_label("Email").fill(PAGE_USER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/calendar")
    page.get_by_role("button", name="Month", exact=True).click()  # remembered for the loads
    page.context.add_init_script(PAINTED)
    took = []
    for _ in range(LOADS + 1):
        page.goto(url + "/calendar")
        page.wait_for_function("window.__painted !== null", timeout=30_000)
        took.append(float(page.evaluate("window.__painted")))
    return took[1:]  # the first warms up


def main() -> None:
    """Run the benchmark and print its table."""
    chromium = _chromium()
    rng = random.Random(18)
    with (
        tempfile.TemporaryDirectory() as directory,
        emulator_process() as emulator,
        touchbase_server(
            emulator, Path(directory), users=(PAGE_USER, BIG, SMALL), password=PASSWORD
        ) as (url, tokens),
        sync_playwright() as driver,
    ):
        control = httpx.Client(base_url=emulator + "/_emulator", timeout=600)
        _seed(control, PAGE_USER, _this_month())
        _seed(control, BIG, _years(100_000))
        _seed(control, SMALL, _years(1_000))
        for email in (PAGE_USER, BIG, SMALL):
            with httpx.Client(
                base_url=url, headers={"Authorization": f"Bearer {tokens[email]}"}, timeout=600
            ) as api:
                _connect_and_sync(api, email)
        rows = _search(url, tokens, _queries(rng))
        browser = driver.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_context(
            viewport={"width": 1280, "height": 900}, timezone_id="UTC", bypass_csp=True
        ).new_page()
        loads = _month_loads(page, url)
        page.goto("about:blank")
        browser.close()
    month = statistics.median(loads)
    rows.insert(
        0,
        [
            f"calendar page, month of {MONTH_EVENTS} events painted (median of {LOADS}, ms)",
            f"{month:.0f}",
            f"max {max(loads):.0f}",
            "goal < 300",
        ],
    )
    table(
        "The calendar page and search (Chromium; SQLite; ms)",
        ["measure", "p50", "p95", "goal"],
        rows,
    )
