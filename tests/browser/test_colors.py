"""The calendar shows events in the colours set in Google, as Google does: an event's own
colour, else its calendar's; a state to act on keeps its own look; Settings shows each
calendar's colour."""

from __future__ import annotations

from datetime import timedelta

import httpx
from playwright.sync_api import expect

from tests.browser.calendar_page import CalendarPage, at
from tests.support.sync import sync

TOMATO, BANANA = "rgb(220, 33, 39)", "rgb(251, 215, 91)"  # Google's event colours 11 and 5
CALENDAR, CALENDAR_TEXT = "rgb(161, 178, 195)", "rgb(0, 0, 0)"  # #a1b2c3, #000000
ERROR = "rgb(228, 106, 94)"  # app.css: an event Google refused


def _in_google(page: CalendarPage, title: str, hour: int, **fields: str) -> dict[str, str]:
    start = at(hour)
    body = {
        "summary": title,
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": (start + timedelta(hours=1)).isoformat()},
        **fields,
    }
    made = page.user.google.post("/events", json=body)
    assert made.status_code == 200, made.text
    return dict(made.json())


def test_events_show_in_their_colours_from_google(signed_in: CalendarPage) -> None:
    user, page = signed_in.user, signed_in.page
    colored = httpx.patch(
        f"{signed_in.app.emulator.url}/calendar/v3/users/me/calendarList/{user.email}",
        params={"colorRgbFormat": "true"},
        json={"backgroundColor": "#a1b2c3", "foregroundColor": "#000000"},
        headers=user.google.headers,
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
