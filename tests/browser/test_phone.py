"""At phone width (360 px) every page fits without sideways scrolling, and the day view opens
at the working day, not at midnight."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.calendar_page import CalendarPage, at
from tests.browser.conftest import BROWSER_TIME_ZONE, PASSWORD
from tests.support.app import AppHarness

WIDTH = 360


@pytest.fixture
def phone(app: AppHarness, browser: Browser) -> Iterator[CalendarPage]:
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 740},
        timezone_id=BROWSER_TIME_ZONE,
        is_mobile=True,
        has_touch=True,
        locale="en-US",
    )
    page: Page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    calendar = CalendarPage(page, app, app.user("pat@example.com", password=PASSWORD))
    page.goto(app.url + "/login")
    page.get_by_label("Email").fill(calendar.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/calendar")
    yield calendar
    context.close()
    assert errors == []


def _fits(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
        f" > {WIDTH} + 1 && getComputedStyle(e).position !== 'fixed').slice(0, 5)"
        ".map(e => e.tagName + '#' + e.id + '.' + e.className)"
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url}: {width} px wide; too wide: {wide}"


def test_every_page_fits_a_phone(phone: CalendarPage) -> None:
    page, user = phone.page, phone.user
    dana = user.api.post(
        "/api/contacts",
        json={"name": "Dana Scully", "emails": ["dana.scully.long-address@acme.example"]},
    ).json()
    made = phone.api_create("Intro call with Dana", at(10), contactId=dana["id"])
    user.api.patch(f"/api/calendar/events/{made['id']}", json={"title": "Intro call (v2)"})
    for path in [
        "/calendar",
        "/contacts",
        f"/contacts/{dana['id']}",
        "/due",
        "/settings",
        "/activity",
    ]:
        page.goto(phone.app.url + path)
        _fits(page)
    page.goto(phone.app.url + "/calendar")
    page.get_by_role("button", name="Day", exact=True).click()
    expect(page.locator(".fc-timeGridDay-view")).to_be_visible()
    _fits(page)
    nine = page.locator('td.fc-timegrid-slot-lane[data-time="09:00:00"]')
    box = nine.bounding_box()
    assert box is not None
    assert 0 <= box["y"] <= 740, "the day view opens at the working day"
    phone.screenshot("phone-day")
