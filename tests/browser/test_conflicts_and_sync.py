"""Conflicts resolved on the page, Google failing and recovering, errors rolled back, "Sync now"
with progress, and a read-only Google connection."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.calendar_page import CalendarPage, at
from tests.browser.conftest import PASSWORD
from tests.support.app import AppHarness, start_app
from tests.support.databases import fresh_database
from tests.support.servers import EmulatorControl


def _edit_in_google(page: CalendarPage, event: dict[str, Any], **changes: Any) -> None:
    answer = page.user.google.patch(f"/events/{event['googleEventId']}", json=changes)
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("resolution", ["keep_local", "keep_remote", "merge"])
def test_resolve_a_conflict(signed_in: CalendarPage, resolution: str) -> None:
    page = signed_in.page
    event = signed_in.api_create("Board prep", at(15), location="Room 1")
    signed_in.reload()
    _edit_in_google(signed_in, event, summary="Board prep (Google)", location="Google HQ")

    signed_in.open_event("Board prep")
    signed_in.fill_form(title="Board prep (here)")
    page.get_by_label("Description").fill("Bring the numbers")
    signed_in.save_form()

    modal = page.locator("#conflict-modal")
    expect(modal).to_be_visible()
    title_row = modal.locator('tr[data-field="title"]')
    expect(title_row).to_have_class("differs disputed")
    expect(title_row.locator("td.local")).to_have_text("Board prep (here)")
    expect(title_row.locator("td.remote")).to_have_text("Board prep (Google)")
    expect(modal.locator('tr[data-field="location"]')).to_have_class("differs")
    expect(modal.locator('tr[data-field="description"]')).to_have_class("differs")

    # Preselected: the merge that keeps Google's location and the description written here.
    preview = modal.locator("#conflict-preview")
    expect(modal.get_by_label("Merge both")).to_be_checked()
    expect(modal.locator(".choices")).to_contain_text(
        "Keep mine: overwrites every change made in Google Calendar"
    )
    expect(preview.locator('dd[data-field="location"]')).to_have_text("Google HQ")
    expect(preview.locator('dd[data-field="description"]')).to_have_text("Bring the numbers")
    expect(preview.locator('dd[data-field="title"]')).to_have_text("Board prep (here)")
    labels = {"keep_local": "Keep mine", "keep_remote": "Keep Google's", "merge": "Merge both"}
    modal.get_by_label(labels[resolution]).check()
    if resolution == "merge":
        title_row.get_by_label("Google").check()
    expected = {
        "keep_local": ("Board prep (here)", "Room 1", "Bring the numbers"),
        "keep_remote": ("Board prep (Google)", "Google HQ", "—"),
        "merge": ("Board prep (Google)", "Google HQ", "Bring the numbers"),
    }[resolution]
    expect(preview.locator('dd[data-field="title"]')).to_have_text(expected[0])
    expect(preview.locator('dd[data-field="location"]')).to_have_text(expected[1])
    expect(preview.locator('dd[data-field="description"]')).to_have_text(expected[2])
    signed_in.screenshot(f"conflict-modal-{resolution}")
    modal.get_by_role("button", name="Save").click()
    expect(modal).to_be_hidden()

    signed_in.expect_status(expected[0], "synced")
    google = signed_in.google_event(expected[0])
    assert google["location"] == expected[1]
    assert google.get("description", "—") == expected[2]
    assert page.locator("#calendar [data-event-id]").count() == 1


def test_a_change_seen_in_google_since_the_page_loaded_is_pointed_out(
    signed_in: CalendarPage,
) -> None:
    page = signed_in.page
    event = signed_in.api_create("Quarterly review", at(16))
    signed_in.reload()
    _edit_in_google(signed_in, event, summary="Quarterly review (moved room)")
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-status")).to_contain_text("Synced: pulled 1")
    signed_in.open_event("Quarterly review (moved room)")
    warning = page.locator("#event-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("changed in Google Calendar since this page loaded")
    expect(warning).to_contain_text("title (was “Quarterly review”)")
    expect(page.get_by_label("Title")).to_have_value("Quarterly review (moved room)")


def test_failing_google_leaves_the_change_pending_then_it_syncs(signed_in: CalendarPage) -> None:
    page = signed_in.page
    signed_in.app.emulator.fault(path="/calendar/v3/.*", status=503, times=10_000)
    page.get_by_role("button", name="New event").click()
    signed_in.fill_form(title="Call while Google is down", start=at(11), end=at(11, 30))
    signed_in.save_form()
    signed_in.expect_status("Call while Google is down", "pending")
    expect(signed_in.toast("Saved, will sync with Google Calendar")).to_be_visible()
    expect(page.locator("#toasts .toast.error")).to_have_count(0)
    page.wait_for_timeout(1000)  # the pusher keeps trying meanwhile
    signed_in.expect_status("Call while Google is down", "pending")

    signed_in.app.emulator.http.delete(signed_in.app.emulator.url + "/_emulator/faults")
    signed_in.expect_status("Call while Google is down", "synced", timeout=20_000)
    signed_in.google_event("Call while Google is down")


def test_a_failed_move_rolls_back_with_a_readable_message(signed_in: CalendarPage) -> None:
    page = signed_in.page
    signed_in.api_create("Lunch", at(12))
    signed_in.reload()
    page.route("**/api/calendar/events/*", lambda route: route.abort("connectionreset"))
    signed_in.drag(signed_in.event("Lunch"), at(14))
    message = signed_in.toast("The change was not saved")
    expect(message).to_contain_text("touchbase could not be reached.")
    expect(message).to_contain_text("Check your connection and try again.")
    expect(message).not_to_contain_text("{")
    expect(signed_in.event("Lunch")).to_contain_text("12:00 - 1:00")
    expect(signed_in.event("Lunch")).not_to_have_attribute("data-sync-status", "saving")
    start = signed_in.google_event("Lunch")["start"]["dateTime"]
    assert datetime.fromisoformat(start) == at(12)
    page.unroute("**/api/calendar/events/*")


def test_google_refusing_a_change_shows_the_error_state(signed_in: CalendarPage) -> None:
    page = signed_in.page
    signed_in.api_create("Offsite planning", at(10))
    signed_in.reload()
    signed_in.app.emulator.fault(method="PATCH", status=400, reason="badRequest", times=1)
    signed_in.open_event("Offsite planning")
    signed_in.fill_form(title="Offsite planning v2")
    signed_in.save_form()
    signed_in.expect_status("Offsite planning v2", "error")
    message = signed_in.toast("Google Calendar refused it")
    expect(message).to_be_visible()
    expect(message).not_to_contain_text("{")
    expect(page.locator("#toasts")).not_to_contain_text("Traceback")

    card = signed_in.open_card("Offsite planning v2")
    expect(card.locator("#card-details")).to_contain_text("✕ error: Google refused the event")
    card.get_by_role("button", name="Use Google's version").click()
    expect(signed_in.toast("Back to Google Calendar's version")).to_be_visible()
    signed_in.expect_status("Offsite planning", "synced")
    expect(signed_in.event("Offsite planning v2")).to_have_count(0)
    expect(
        signed_in.open_card("Offsite planning").get_by_role("button", name="Use Google's version")
    ).to_be_hidden()
    page.get_by_role("link", name="Activity").click()
    expect(page.locator("#activity-list > li").first).to_contain_text(
        "You went back to Google Calendar's version of “Offsite planning"
    )


def test_sync_now_shows_progress_and_the_result(signed_in: CalendarPage) -> None:
    page = signed_in.page
    for n in range(3):
        created = signed_in.user.google.post(
            "/events",
            json={
                "summary": f"Made in Google {n}",
                "start": {"dateTime": at(8 + n).isoformat()},
                "end": {"dateTime": at(9 + n).isoformat()},
            },
        )
        assert created.status_code == 200
    signed_in.app.emulator.configure(latencyMs=400)
    page.get_by_role("button", name="Sync now").click()
    status = page.locator("#sync-status")
    expect(status).to_have_attribute("data-state", "running")
    expect(status).to_contain_text("Syncing…")
    expect(page.get_by_role("button", name="Sync now")).to_be_disabled()
    expect(status).to_have_text("Synced: pulled 3, pushed 0, conflicts 0.", timeout=20_000)
    signed_in.app.emulator.configure(latencyMs=0)
    for n in range(3):
        signed_in.expect_status(f"Made in Google {n}", "synced")


def test_a_read_only_connection_asks_to_reconnect(signed_in: CalendarPage) -> None:
    page, emulator = signed_in.page, signed_in.app.emulator
    signed_in.api_create("Weekly sync", at(9))
    readonly = "https://www.googleapis.com/auth/calendar.readonly"
    emulator.http.put(
        emulator.url + f"/_emulator/consent/{signed_in.user.email}", json={"scopes": [readonly]}
    )
    page.goto(signed_in.app.url + "/settings")
    page.get_by_role("button", name="Reconnect Google Calendar").click()
    expect(page).to_have_url(signed_in.app.url + "/settings?google=connected")
    expect(page.locator("#google-state")).to_contain_text("Connected read-only")
    expect(page.locator("#google-scopes")).to_contain_text("See your calendars (read only)")

    page.get_by_role("link", name="Calendar").click()
    page.get_by_role("button", name="New event").click()
    signed_in.fill_form(title="Will not be allowed", start=at(13), end=at(14))
    signed_in.save_form()
    message = signed_in.toast("The event was not created")
    expect(message).to_contain_text("touchbase may only read this Google Calendar.")
    expect(message.get_by_role("link", name="Reconnect Google Calendar")).to_have_attribute(
        "href", "/settings#google"
    )
    expect(signed_in.event("Will not be allowed")).to_have_count(0)

    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-status")).to_contain_text("Synced")
    signed_in.open_event("Weekly sync")
    signed_in.fill_form(title="Weekly sync (renamed)")
    signed_in.save_form()
    expect(signed_in.toast("The change was not saved")).to_contain_text("Reconnect")
    expect(signed_in.event("Weekly sync")).to_have_count(1)
    expect(signed_in.event("Weekly sync (renamed)")).to_have_count(0)


def test_sync_now_after_google_access_was_revoked_asks_to_reconnect(
    signed_in: CalendarPage,
) -> None:
    page, emulator = signed_in.page, signed_in.app.emulator
    emulator.post("/tokens/revoke", {"email": signed_in.user.email})
    emulator.post("/tokens/expire")
    page.get_by_role("button", name="Sync now").click()
    status = page.locator("#sync-status")
    expect(status).to_have_attribute("data-state", "failed", timeout=15_000)
    expect(status).to_contain_text("Sync failed:")
    expect(status).to_contain_text("Reconnect Google Calendar")
    expect(status.get_by_role("link", name="Reconnect Google Calendar")).to_have_attribute(
        "href", "/settings#google"
    )
    expect(status).not_to_contain_text("{")


@pytest.fixture
def rate_limited(
    sqlite_file: Path, tmp_path: Path, emulator: EmulatorControl, page: Page
) -> Iterator[CalendarPage]:
    """Alice signed in to an app that allows two changes a minute."""
    with fresh_database("sqlite", template=sqlite_file, directory=tmp_path) as url:
        server, app_url = start_app(url, emulator.url, mutations_per_minute=2)
        try:
            app = AppHarness(app_url, url, emulator)
            calendar = CalendarPage(page, app, app.user("alice@example.com", password=PASSWORD))
            calendar.sign_in(PASSWORD)
            yield calendar
        finally:
            # Off this app's pages first: its live stream, cut by the stop, would retry
            # against a server gone (a console error the page fixture rightly fails on).
            page.goto("about:blank")
            server.stop()


def test_too_many_changes_roll_back_with_the_wait(rate_limited: CalendarPage) -> None:
    page = rate_limited.page
    for n, hour in enumerate((9, 11, 13)):
        page.get_by_role("button", name="New event").click()
        rate_limited.fill_form(title=f"Call {n}", start=at(hour), end=at(hour + 1))
        rate_limited.save_form()
        if n < 2:
            rate_limited.expect_status(f"Call {n}", "synced")
    message = rate_limited.toast("The event was not created")
    expect(message).to_contain_text("Too many changes in a short time.")
    expect(message).to_contain_text(re.compile(r"Try again in \d+ s\."))
    expect(rate_limited.event("Call 2")).to_have_count(0)
    assert len(rate_limited.user.google_events()) == 2
