"""Search from the calendar page (a result opens its event), and the keyboard: Google
Calendar's shortcuts, a "?" sheet, and Escape closing the topmost layer."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.calendar_page import CalendarPage, at


def test_search_finds_events_upcoming_and_past_and_opens_one(signed_in: CalendarPage) -> None:
    page = signed_in.page
    dana = signed_in.user.api.post("/api/contacts", json={"name": "Dana Scully"}).json()
    signed_in.api_create("Globex demo", at(10) + timedelta(days=20), location="Berlin")
    signed_in.api_create("Globex kickoff", at(10) - timedelta(days=40))
    signed_in.api_create("Intro call", at(15) + timedelta(days=2), contactId=dana["id"])
    signed_in.reload()
    page.keyboard.press("/")
    search = page.get_by_role("searchbox", name="Search events")
    expect(search).to_be_focused()
    search.fill("globex")
    results = page.locator("#search-results")
    expect(results.get_by_role("list", name="Upcoming")).to_contain_text("Globex demo")
    expect(results.get_by_role("list", name="Past")).to_contain_text("Globex kickoff")
    signed_in.screenshot("search")
    search.fill("meetings with dana")
    found = results.get_by_role("list", name="Upcoming").get_by_role("button")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("Intro call")
    search.fill("globex demo")
    expect(results.get_by_role("list", name="Upcoming").get_by_role("button")).to_have_count(1)
    results.get_by_role("button", name="Globex demo").click()
    card = page.locator("#event-card")
    expect(card.get_by_role("heading")).to_have_text("Globex demo")
    expect(signed_in.event("Globex demo")).to_be_visible()  # the calendar went to its week


def test_shortcuts_drive_the_calendar(signed_in: CalendarPage) -> None:
    page = signed_in.page
    signed_in.api_create("Standup", at(9))
    signed_in.reload()
    title = page.locator(".fc-toolbar-title")
    this_week = title.inner_text()
    page.keyboard.press("j")
    expect(title).not_to_have_text(this_week)
    page.keyboard.press("k")
    expect(title).to_have_text(this_week)
    page.keyboard.press("n")
    page.keyboard.press("t")
    expect(title).to_have_text(this_week)
    page.keyboard.press("m")
    expect(page.locator(".fc-dayGridMonth-view")).to_be_visible()
    page.reload()  # the view last used opens again
    expect(page.locator(".fc-dayGridMonth-view")).to_be_visible()
    page.keyboard.press("a")
    expect(page.locator(".fc-list")).to_be_visible()
    page.keyboard.press("d")
    expect(page.locator(".fc-timeGridDay-view")).to_be_visible()
    page.keyboard.press("w")
    expect(page.locator(".fc-timeGridWeek-view")).to_be_visible()

    page.keyboard.press("?")
    sheet = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(sheet).to_contain_text("Create an event")
    page.keyboard.press("c")  # not while a dialog is open
    expect(page.locator("#event-modal")).to_be_hidden()
    page.keyboard.press("Escape")
    expect(sheet).to_be_hidden()

    page.keyboard.press("c")
    modal = page.locator("#event-modal")
    expect(modal.get_by_label("Title")).to_be_focused()
    modal.get_by_role("combobox", name="Contact").fill("nobody")
    page.keyboard.press("Escape")  # the list of contacts first (or the field), then the dialog
    page.keyboard.press("Escape")
    expect(modal).to_be_hidden()

    signed_in.open_card("Standup")
    page.keyboard.press("e")
    expect(modal.get_by_label("Title")).to_have_value("Standup")
    page.keyboard.press("Escape")
    expect(modal).to_be_hidden()
    signed_in.open_card("Standup")
    page.keyboard.press("Escape")
    expect(page.locator("#event-card")).to_be_hidden()
    signed_in.event("Standup").focus()
    page.keyboard.press("Delete")
    page.locator("#delete-modal").get_by_role("button", name="Delete", exact=True).click()
    expect(signed_in.event("Standup")).to_have_count(0)
