"""Time zones: the grid says which zone it shows (the browser's, or the user's setting), an
event set in another zone shows its time there too, and a short event keeps a visible sync
state."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.calendar_page import CalendarPage
from tests.browser.conftest import PASSWORD
from tests.support.app import AppHarness
from tests.support.zones import today_in_one_zone_only

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
BERLIN = ZoneInfo("Europe/Berlin")
DASH = "\u2013"  # the en dash between two times


@pytest.fixture
def in_los_angeles(app: AppHarness, browser: Browser) -> Iterator[CalendarPage]:
    """Alice, signed in from a browser in Los Angeles."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id="America/Los_Angeles", locale="en-US"
    )
    page: Page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    calendar = CalendarPage(page, app, app.user("alice@example.com", password=PASSWORD))
    calendar.sign_in(PASSWORD)
    yield calendar
    context.close()
    assert errors == []


def _tomorrow_at(hour: int, zone: ZoneInfo, *, shown_in: ZoneInfo = LOS_ANGELES) -> datetime:
    """`hour` in `zone` on tomorrow's date in the zone the grid shows, within the week it
    shows first (in Berlin, Sunday may have begun while Los Angeles is in Saturday)."""
    day = datetime.now(shown_in).date() + timedelta(days=1)
    if day.weekday() == 6:  # the week shown starts on Sunday: stay in this week
        day -= timedelta(days=2)
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone)


def test_an_event_in_another_zone_shows_both_times(in_los_angeles: CalendarPage) -> None:
    page = in_los_angeles.page
    start = _tomorrow_at(19, BERLIN)  # 10:00 in Los Angeles
    in_los_angeles.api_create("Call with Berlin", start, timeZone="Europe/Berlin")
    in_los_angeles.reload()
    expect(page.locator("#zone-note")).to_have_text("Times in America/Los_Angeles")
    tile = in_los_angeles.event("Call with Berlin")
    expect(tile).to_contain_text("10:00")
    expect(tile.locator(".their-time")).to_have_text(f"= 7:00 PM {DASH} 8:00 PM in Europe/Berlin")
    expect(tile).to_have_attribute(
        "title", f"Call with Berlin: 7:00 PM {DASH} 8:00 PM in Europe/Berlin"
    )
    card = in_los_angeles.open_card("Call with Berlin")
    expect(card).to_contain_text("10:00 AM")
    expect(card).to_contain_text(f"7:00 PM {DASH} 8:00 PM (Europe/Berlin)")
    in_los_angeles.screenshot("time-zones")


def test_the_zone_setting_moves_the_grid(in_los_angeles: CalendarPage) -> None:
    page = in_los_angeles.page
    start = _tomorrow_at(10, BERLIN, shown_in=BERLIN)  # the grid shows Berlin's week
    in_los_angeles.api_create("Standup in Berlin", start, 30, timeZone="Europe/Berlin")
    page.goto(in_los_angeles.app.url + "/settings")
    expect(page.locator("#device-zone")).to_have_text("America/Los_Angeles")
    zone = page.get_by_label("Show times in")
    zone.fill("Mars/Olympus")
    page.get_by_role("button", name="Save time zone").click()
    expect(page.locator("#zone-error")).to_contain_text("not a time zone")
    zone.fill("Europe/Berlin")
    page.get_by_role("button", name="Save time zone").click()
    expect(page.locator("#toasts .toast", has_text="Europe/Berlin")).to_be_visible()
    assert in_los_angeles.user.api.get("/api/settings").json()["timeZone"] == "Europe/Berlin"

    page.goto(in_los_angeles.app.url + "/calendar")
    expect(page.locator("#zone-note")).to_have_text(
        "Times in Europe/Berlin (your setting; this device is in America/Los_Angeles)"
    )
    tile = in_los_angeles.event("Standup in Berlin")
    expect(tile).to_contain_text("10:00")
    assert tile.get_attribute("title") is None  # its own zone is the one shown
    expect(tile.locator(".their-time")).to_have_count(0)
    page.get_by_role("button", name="New event").click()
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Berlin")


def test_a_short_event_keeps_its_sync_state_in_sight(signed_in: CalendarPage) -> None:
    signed_in.app.emulator.fault(path="/calendar/v3/.*", status=503, times=10_000)
    start = datetime.now(ZoneInfo("America/New_York")).replace(
        hour=11, minute=0, second=0, microsecond=0
    )
    answer = signed_in.user.create(
        title="Quick sync with Dana and the whole Globex buying committee",
        startTime=start.isoformat(),
        endTime=(start + timedelta(minutes=30)).isoformat(),
    )
    assert answer.json()["syncStatus"] == "pending"
    signed_in.reload()
    tile = signed_in.event("Quick sync")
    icon = tile.locator(".sync-icon")
    expect(icon).to_have_text("⟳")
    box, icon_box = tile.bounding_box(), icon.bounding_box()
    assert box
    assert icon_box
    assert box["y"] <= icon_box["y"]
    assert icon_box["y"] + icon_box["height"] <= box["y"] + box["height"]
    assert box["x"] <= icon_box["x"]
    assert icon_box["x"] + icon_box["width"] <= box["x"] + box["width"]


def test_the_crm_pages_show_and_take_times_in_the_zone_setting(
    in_los_angeles: CalendarPage,
) -> None:
    page, api = in_los_angeles.page, in_los_angeles.user.api
    assert api.patch("/api/settings", json={"timeZone": "Europe/Berlin"}).status_code == 200
    dana = api.post("/api/contacts", json={"name": "Dana Scully"}).json()
    page.goto(f"{in_los_angeles.app.url}/contacts/{dana['id']}")
    day = datetime.now(BERLIN).date() + timedelta(days=3)
    page.get_by_label("Day", exact=True).fill(day.isoformat())
    page.locator("#plan-time").fill("10:00")
    page.get_by_role("button", name="Plan touchpoint").click()
    expect(in_los_angeles.toast("Touchpoint planned")).to_be_visible()
    [planned] = api.get("/api/touchpoints", params={"contactId": dana["id"]}).json()["items"]
    assert datetime.fromisoformat(planned["dueAt"]) == datetime(
        day.year, day.month, day.day, 10, tzinfo=BERLIN
    ), "10:00 as the pages show times: Berlin's"
    shown = f"{day.strftime('%b')} {day.day}, {day.year}, 10:00 AM"
    expect(page.locator("#next-touchpoint")).to_contain_text(shown)
    page.goto(f"{in_los_angeles.app.url}/due")
    expect(page.locator("#due-thisWeek")).to_contain_text(shown)
    page.goto(f"{in_los_angeles.app.url}/contacts")
    expect(page.locator("#contact-rows")).to_contain_text(shown)


def test_the_due_page_s_today_is_the_browser_s_when_it_shows_the_browser_s_times(
    in_los_angeles: CalendarPage,
) -> None:
    api = in_los_angeles.user.api
    dana = api.post("/api/contacts", json={"name": "Dana Scully"}).json()
    now = datetime.now(LOS_ANGELES)
    at = today_in_one_zone_only(now, LOS_ANGELES)  # the calendar's zone is UTC
    made = api.post("/api/touchpoints", json={"contactId": dana["id"], "dueAt": at.isoformat()})
    assert made.status_code == 201, made.text
    today_here = at.astimezone(LOS_ANGELES).date() == now.date()
    in_los_angeles.page.goto(f"{in_los_angeles.app.url}/due")
    shown = in_los_angeles.page.locator("#due-today" if today_here else "#due-thisWeek")
    expect(shown).to_contain_text("Dana Scully")
