"""Live updates, end to end: `touchbase serve` (its own process, SQLite, push notifications on)
against the emulator, and an open calendar page in Chromium:
- the time from a change made through the emulator's API (as another Google client would) to
  the change visible on the open page (Google's notification, the sync, the page's event
  stream, its refetch), p50/p95 over 50 changes, one at a time;
- the Google calls touchbase makes for a burst of 100 changes (goal: one incremental list,
  plus at most one follow-up).
Chromium: TOUCHBASE_BENCH_CHROMIUM, or Debian's `/usr/bin/chromium` (`scripts/chromium.sh`
installs it).
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, sync_playwright

from benchmarks.api_latency import connect_google, touchbase_server
from benchmarks.report import table
from touchbase_emulator.process import emulator_process

CHANGES = 50
BURST = 100
EMAIL = "live@example.com"
PASSWORD = "correct horse battery"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"]


def _chromium() -> str:
    found = os.environ.get("TOUCHBASE_BENCH_CHROMIUM") or shutil.which("chromium")
    if not found:
        raise SystemExit("no Chromium: set TOUCHBASE_BENCH_CHROMIUM or run scripts/chromium.sh")
    return found


def _google(emulator: str) -> httpx.Client:
    control = httpx.Client(base_url=emulator + "/_emulator")
    token = control.post("/tokens", json={"email": EMAIL}).json()["access_token"]
    return httpx.Client(
        base_url=emulator + "/calendar/v3/calendars/primary",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def _event(title: str, start: datetime) -> dict[str, Any]:
    """Five minutes: side by side in the day view, none hidden behind "+ more"."""
    return {
        "summary": title,
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": (start + timedelta(minutes=5)).isoformat()},
    }


def _today(hour: int) -> datetime:
    return datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)


def _sign_in(page: Page, url: str) -> None:
    page.goto(url + "/calendar")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/calendar")
    page.locator(".fc-timegrid").wait_for()
    page.get_by_role("button", name="Day", exact=True).click()


def _connect(url: str, token: str) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as api:
        connect_google(api, EMAIL)


def _wait_for_channel(emulator: str) -> None:
    deadline = time.monotonic() + 30
    while not httpx.get(emulator + "/_emulator/channels").json()["items"]:
        if time.monotonic() > deadline:
            raise SystemExit("touchbase made no watch channel")
        time.sleep(0.1)


def _lists(emulator: str) -> int:
    by_method = httpx.get(emulator + "/_emulator/stats").json()["byMethod"]
    return int(by_method.get("calendar.v3.Events.List", 0))


def _to_page(page: Page, google: httpx.Client) -> list[float]:
    """Each change, from the emulator's answer to it on the page."""
    samples = []
    for n in range(CHANGES):
        title = f"Live change {n}"
        start = _today(8) + timedelta(minutes=10 * n)
        began = time.perf_counter()
        google.post("/events", json=_event(title, start)).raise_for_status()
        page.locator("#calendar [data-event-id]", has_text=title).first.wait_for(timeout=30_000)
        samples.append(time.perf_counter() - began)
    return samples


def _burst(page: Page, google: httpx.Client, emulator: str) -> int:
    """Google calls touchbase made for a burst of changes (events.list)."""
    before = _lists(emulator)
    for n in range(BURST):
        start = _today(0) + timedelta(minutes=5 * n)
        google.post("/events", json=_event(f"Burst {n}", start)).raise_for_status()
    page.locator("#calendar [data-event-id]", has_text=f"Burst {BURST - 1}").first.wait_for(
        timeout=60_000
    )
    time.sleep(3)  # any follow-up sync
    return _lists(emulator) - before


def main() -> None:
    """Run the benchmark and print its table."""
    chromium = _chromium()
    with (
        tempfile.TemporaryDirectory() as directory,
        emulator_process() as emulator,
        touchbase_server(
            emulator,
            Path(directory),
            users=(EMAIL,),
            push_notifications=True,
            password=PASSWORD,
        ) as (url, tokens),
        sync_playwright() as driver,
    ):
        _connect(url, tokens[EMAIL])
        _wait_for_channel(emulator)
        browser = driver.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="UTC")
        page = context.new_page()
        _sign_in(page, url)
        google = _google(emulator)
        samples = _to_page(page, google)
        calls = _burst(page, google, emulator)
        page.goto("about:blank")  # its event stream ends before the server does
        browser.close()
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    table(
        f"Change in Google -> visible in an open page (Chromium), {CHANGES} changes, ms; "
        f"Google calls for a burst of {BURST} changes",
        ["p50", "p95", "max", "events.list calls per burst"],
        [
            [
                f"{cuts[49] * 1000:.0f}",
                f"{cuts[94] * 1000:.0f}",
                f"{max(samples) * 1000:.0f}",
                str(calls),
            ]
        ],
    )
