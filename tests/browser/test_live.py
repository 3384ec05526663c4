"""An open calendar page shows a change made in Google Calendar by itself (push notification,
sync, event stream), also once a stream refused at first is free; and an open edit dialog
keeps what was typed while saying its event changed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.calendar_page import CalendarPage, at
from tests.browser.conftest import PASSWORD
from tests.support.app import AppHarness, start_app, wait_for
from tests.support.databases import fresh_database
from tests.support.servers import EmulatorControl


def _channels(emulator: EmulatorControl) -> list[dict[str, object]]:
    return list(emulator.http.get(emulator.url + "/_emulator/channels").json()["items"])


@contextmanager
def _live(
    sqlite_file: Path, tmp_path: Path, emulator: EmulatorControl, page: Page, **settings: Any
) -> Iterator[CalendarPage]:
    """Alice signed in to the calendar page of an app Google sends push notifications to."""
    with fresh_database("sqlite", template=sqlite_file, directory=tmp_path) as url:
        server, app_url = start_app(url, emulator.url, push_notifications=True, **settings)
        try:
            app = AppHarness(app_url, url, emulator)
            user = app.user("alice@example.com", password=PASSWORD)
            calendar = CalendarPage(page, app, user)
            calendar.sign_in(PASSWORD)
            wait_for(lambda: bool(_channels(emulator)), timeout=10, what="a watch channel")
            yield calendar
        finally:
            for tab in page.context.pages:
                tab.goto("about:blank")  # the pages' event streams end before the server does
            server.stop()


@pytest.fixture
def live_page(
    sqlite_file: Path, tmp_path: Path, emulator: EmulatorControl, page: Page
) -> Iterator[CalendarPage]:
    with _live(sqlite_file, tmp_path, emulator, page) as calendar:
        yield calendar


def _made_in_google(calendar: CalendarPage, title: str) -> None:
    start = at(10)
    made = calendar.user.google.post(
        "/events",
        json={
            "summary": title,
            "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": start.replace(hour=11).isoformat()},
        },
    )
    assert made.status_code == 200, made.text


def test_a_change_in_google_shows_on_the_open_page(live_page: CalendarPage) -> None:
    _made_in_google(live_page, "Made in Google")
    expect(live_page.event("Made in Google")).to_be_visible(timeout=10_000)


def test_a_page_refused_its_stream_follows_changes_once_one_is_free(
    sqlite_file: Path, tmp_path: Path, emulator: EmulatorControl, page: Page
) -> None:
    streams = lambda r: "/api/calendar/changes" in r.url  # noqa: E731
    with _live(sqlite_file, tmp_path, emulator, page, live_streams_per_user=1) as first:
        second = page.context.new_page()
        second.clock.install()
        with second.expect_response(streams) as refused:
            second.goto(first.app.url + "/calendar")  # Alice's one stream is the first tab's
        assert refused.value.status == 429
        later = CalendarPage(second, first.app, first.user)
        expect(second.locator(".fc-timegrid")).to_be_visible()
        page.goto("about:blank")  # the first tab closes: its stream is free

        with second.expect_response(streams) as taken:
            second.clock.run_for(31_000)  # the refused page asks again
        assert taken.value.status == 200
        _made_in_google(later, "Made while refused")
        expect(later.event("Made while refused")).to_be_visible(timeout=10_000)


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
