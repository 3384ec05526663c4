"""Browser tests: Debian's Chromium driven by Playwright, against the app and the emulator running
as real servers on 127.0.0.1. Each test leaves a screenshot in test-artifacts/browser/."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

from tests.browser.calendar_page import ARTIFACTS, CalendarPage
from tests.support.app import AppHarness, start_app
from tests.support.databases import fresh_database, sqlite_template
from tests.support.servers import EmulatorControl

CHROMIUM = os.environ.get("TOUCHBASE_TEST_CHROMIUM")
# Chromium reaches for Google's services at start unless told not to; this machine has no internet.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PASSWORD = "correct horse battery"
BROWSER_TIME_ZONE = "America/New_York"
# The browser reports every 4xx answer, and every request a test cut, as a console error; the
# tests that cause them expect them. A test that stops its own server while its page is open
# cuts the page's event stream (the page would reconnect).
NETWORK_NOISE = re.compile(
    r"Failed to load resource: "
    r"(the server responded with a status of 4\d\d|net::ERR_CONNECTION_RESET"
    r"|net::ERR_INCOMPLETE_CHUNKED_ENCODING)"
)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM:
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs the browser tests: TOUCHBASE_TEST_CHROMIUM is unset")
        pytest.skip("no Chromium: TOUCHBASE_TEST_CHROMIUM is unset (scripts/test.sh sets it)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sqlite_template(tmp_path_factory.mktemp("browser-template"))


@pytest.fixture
def app(sqlite_file: Path, tmp_path: Path, emulator: EmulatorControl) -> Iterator[AppHarness]:
    """The app on 127.0.0.1 (SQLite) against the emulator."""
    with fresh_database("sqlite", template=sqlite_file, directory=tmp_path) as url:
        server, app_url = start_app(url, emulator.url)
        try:
            yield AppHarness(app_url, url, emulator)
        finally:
            server.stop()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context; fails the test on uncaught script errors or console errors."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id=BROWSER_TIME_ZONE, locale="en-US"
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and not NETWORK_NOISE.search(message.text):
            problems.append(f"console: {message.text}")

    tab.on("console", console)
    tab.on("pageerror", lambda error: problems.append(f"page error: {error} {error.stack}"))
    yield tab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert problems == [], problems


@pytest.fixture
def signed_in(app: AppHarness, page: Page) -> CalendarPage:
    """Alice, connected to Google, signed in on the calendar page."""
    user = app.user("alice@example.com", password=PASSWORD)
    calendar = CalendarPage(page, app, user)
    calendar.sign_in(PASSWORD)
    return calendar
