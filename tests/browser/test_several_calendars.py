"""Several calendars on one page, as in Google: events show in the colours set in Google (an
event's own colour, else its calendar's; a state to act on keeps its own look; an event's card
and Settings show each calendar's colour), a new event goes into the calendar chosen, and the
grid shows the calendars ticked."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.calendar_page import CalendarPage, at
from tests.support.sharing import google_as, meeting
from tests.support.sync import sync

TOMATO, BANANA = "rgb(220, 33, 39)", "rgb(251, 215, 91)"  # Google's event colours 11 and 5
CALENDAR, CALENDAR_TEXT = "rgb(161, 178, 195)", "rgb(0, 0, 0)"  # #a1b2c3, #000000
ERROR = "rgb(228, 106, 94)"  # app.css: an event Google refused


def _in_google(page: CalendarPage, title: str, hour: int, **fields: str) -> dict[str, str]:
    made = page.user.google.post("/events", json={**meeting(at(hour), title), **fields})
    assert made.status_code == 200, made.text
    return dict(made.json())


def _synced_calendar(page: CalendarPage, seeded: dict[str, Any]) -> str:
    """A calendar of the user's in Google (seeded so), chosen to sync here; the touchbase id
    of the primary calendar."""
    page.app.emulator.seed({"users": [{"email": page.user.email, "calendars": [seeded]}]})
    calendars = page.user.api.get("/api/calendar/calendars").json()["items"]
    [primary] = [c["id"] for c in calendars if c["primary"]]
    [listed] = [c["id"] for c in calendars if c["googleCalendarId"] == seeded["id"]]
    chosen = page.user.api.patch(f"/api/calendar/calendars/{listed}", json={"syncEnabled": True})
    assert chosen.status_code == 200, chosen.text
    return primary


def test_events_show_in_their_colours_from_google(signed_in: CalendarPage) -> None:
    user, page = signed_in.user, signed_in.page
    colored = google_as(signed_in.app, user.email).patch(
        f"/users/me/calendarList/{user.email}",
        params={"colorRgbFormat": "true"},
        json={"backgroundColor": "#a1b2c3", "foregroundColor": "#000000"},
    )
    assert colored.status_code == 200, colored.text
    tomato = _in_google(signed_in, "Tomato review", 9, colorId="11")
    _in_google(signed_in, "Plain review", 11)
    assert sync(user)["status"] == "succeeded"
    signed_in.reload()

    expect(signed_in.event("Tomato review")).to_have_css("background-color", TOMATO)
    plain = signed_in.event("Plain review")
    expect(plain).to_have_css("background-color", CALENDAR)
    expect(plain.locator(".fc-event-main")).to_have_css("color", CALENDAR_TEXT)
    signed_in.screenshot("event-colours")
    calendar_row = signed_in.open_card("Plain review").locator(".card-row", has_text="Calendar")
    expect(calendar_row).to_contain_text(user.email)
    expect(calendar_row.locator(".swatch")).to_have_css("background-color", CALENDAR)
    page.keyboard.press("Escape")

    # Changed in Google: the open page shows the new colour once the change is synced.
    user.google.patch(f"/events/{tomato['id']}", json={"colorId": "5"})
    assert sync(user)["status"] == "succeeded"
    expect(signed_in.event("Tomato review")).to_have_css("background-color", BANANA)

    # A state to act on keeps its own look whatever the colour: Google refusing the change.
    signed_in.app.emulator.fault(method="PATCH", status=400, reason="badRequest", times=1)
    signed_in.open_event("Tomato review")
    signed_in.fill_form(title="Tomato review, moved")
    signed_in.save_form()
    signed_in.expect_status("Tomato review, moved", "error")
    expect(signed_in.event("Tomato review, moved")).to_have_css("background-color", ERROR)

    page.get_by_role("link", name="Settings").click()
    swatch = page.locator("tr", has_text="(primary)").locator(".swatch")
    expect(swatch).to_have_css("background-color", CALENDAR)


def _google_titles(page: CalendarPage, calendar_id: str) -> list[str]:
    listed = google_as(page.app, page.user.email).get(f"/calendars/{calendar_id}/events")
    assert listed.status_code == 200, listed.text
    return [e["summary"] for e in listed.json()["items"] if e["status"] != "cancelled"]


def test_a_new_event_goes_into_the_calendar_chosen_and_an_undone_delete_back_there(
    signed_in: CalendarPage,
) -> None:
    page = signed_in.page
    clients = "clients0@group.calendar.google.com"
    primary = _synced_calendar(signed_in, {"id": clients, "summary": "Clients"})
    signed_in.reload()

    page.get_by_role("button", name="New event").click()
    choice = page.locator("#event-modal").get_by_label("Calendar")
    expect(choice).to_have_value(primary)
    choice.select_option(label="Clients")
    signed_in.fill_form(title="Acme renewal", start=at(13), end=at(14))
    signed_in.save_form()
    signed_in.expect_status("Acme renewal", "synced")
    assert _google_titles(signed_in, clients) == ["Acme renewal"]
    assert "Acme renewal" not in _google_titles(signed_in, "primary")

    signed_in.open_event("Acme renewal")
    expect(choice).to_be_hidden()  # an event keeps its calendar
    page.get_by_role("button", name="Delete…").click()
    page.locator("#delete-modal").get_by_role("button", name="Delete", exact=True).click()
    signed_in.toast("Event deleted.").get_by_role("button", name="Undo").click()
    signed_in.expect_status("Acme renewal", "synced")
    assert _google_titles(signed_in, clients) == ["Acme renewal"]
    assert "Acme renewal" not in _google_titles(signed_in, "primary")


def test_a_calendar_hidden_from_the_grid_stays_hidden_and_comes_back(
    signed_in: CalendarPage,
) -> None:
    user, page = signed_in.user, signed_in.page
    clients = "clients1@group.calendar.google.com"
    qbr = meeting(at(13), "Acme QBR")
    _synced_calendar(signed_in, {"id": clients, "summary": "Clients", "events": [qbr]})
    signed_in.api_create("Own review", at(10))
    assert sync(user)["status"] == "succeeded"
    signed_in.reload()
    expect(signed_in.event("Acme QBR")).to_be_visible()

    shown = page.get_by_role("group", name="Calendars shown")
    shown.get_by_label("Clients").uncheck()
    expect(signed_in.event("Acme QBR")).to_have_count(0)
    expect(signed_in.event("Own review")).to_be_visible()
    signed_in.reload()  # remembered in this browser
    expect(signed_in.event("Own review")).to_be_visible()
    expect(signed_in.event("Acme QBR")).to_have_count(0)
    expect(shown.get_by_label("Clients")).not_to_be_checked()

    # Hidden from the grid, not from sync: a change in Google still comes in.
    google = google_as(signed_in.app, user.email)
    moved = google.get(f"/calendars/{clients}/events").json()["items"][0]
    renamed = google.patch(
        f"/calendars/{clients}/events/{moved['id']}", json={"summary": "Acme QBR (moved)"}
    )
    assert renamed.status_code == 200, renamed.text
    assert sync(user)["status"] == "succeeded"
    shown.get_by_label("Clients").check()
    expect(signed_in.event("Acme QBR (moved)")).to_be_visible()

    # A new event made in a hidden calendar shows that calendar again, not nothing.
    shown.get_by_label("Clients").uncheck()
    expect(signed_in.event("Acme QBR (moved)")).to_have_count(0)
    page.get_by_role("button", name="New event").click()
    page.locator("#event-modal").get_by_label("Calendar").select_option(label="Clients")
    signed_in.fill_form(title="Acme kickoff", start=at(15), end=at(16))
    signed_in.save_form()
    signed_in.expect_status("Acme kickoff", "synced")
    expect(shown.get_by_label("Clients")).to_be_checked()
    expect(signed_in.event("Acme QBR (moved)")).to_be_visible()
