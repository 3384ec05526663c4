"""An open calendar page shows a change made in Google Calendar by itself (push notification,
sync, event stream), and an open edit dialog keeps what was typed while saying its event
changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.calendar_page import CalendarPage, at
from tests.browser.conftest import PASSWORD
from tests.support.app import AppHarness, start_app, wait_for
from tests.support.databases import fresh_database
from tests.support.servers import EmulatorControl


def _channels(emulator: EmulatorControl) -> list[dict[str, object]]:
    return list(emulator.http.get(emulator.url + "/_emulator/channels").json()["items"])


@pytest.fixture
def live_page(
    sqlite_file: Path, tmp_path: Path, emulator: EmulatorControl, page: Page
) -> Iterator[CalendarPage]:
    """Alice on the calendar page of an app Google sends push notifications to."""
    with fresh_database("sqlite", template=sqlite_file, directory=tmp_path) as url:
        server, app_url = start_app(url, emulator.url, push_notifications=True)
        try:
            app = AppHarness(app_url, url, emulator)
            user = app.user("alice@example.com", password=PASSWORD)
            calendar = CalendarPage(page, app, user)
            calendar.sign_in(PASSWORD)
            wait_for(lambda: bool(_channels(emulator)), timeout=10, what="a watch channel")
            yield calendar
        finally:
            page.goto("about:blank")  # the page's event stream ends before the server does
            server.stop()


def test_a_change_in_google_shows_on_the_open_page(live_page: CalendarPage) -> None:
    start = at(10)
    made = live_page.user.google.post(
        "/events",
        json={
            "summary": "Made in Google",
            "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": start.replace(hour=11).isoformat()},
        },
    )
    assert made.status_code == 200, made.text
    expect(live_page.event("Made in Google")).to_be_visible(timeout=10_000)


def test_an_open_dialog_keeps_its_input_and_says_the_event_changed(
    live_page: CalendarPage,
) -> None:
    event = live_page.api_create("Pipeline review", at(9))
    live_page.reload()
    live_page.open_event("Pipeline review")
    live_page.page.locator("#ev-location").fill("Room 4 (typed, not saved)")
    live_page.user.google.patch(
        f"/events/{event['googleEventId']}", json={"summary": "Pipeline review (moved)"}
    )
    warning = live_page.page.locator("#event-warning")
    expect(warning).to_contain_text("just changed", timeout=10_000)
    expect(warning).to_contain_text("Pipeline review")
    expect(live_page.page.locator("#ev-location")).to_have_value("Room 4 (typed, not saved)")
