"""Guests are emailed only when the person says so: the page asks before any change of an
event with guests (create, edit, move, delete), and a remembered answer becomes the setting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.browser.calendar_page import CalendarPage, at
from tests.support.app import wait_for

DANA = "dana@acme.example"


def _start(signed_in: CalendarPage, title: str) -> datetime:
    found = signed_in.google_event(title)["start"]["dateTime"]
    return datetime.fromisoformat(found.replace("Z", "+00:00")).astimezone(UTC)


def test_the_page_asks_before_emailing_guests(signed_in: CalendarPage) -> None:
    page = signed_in.page
    page.get_by_role("button", name="New event").click()
    signed_in.fill_form(title="Demo for Acme", start=at(10), end=at(11), attendees=DANA)
    page.locator("#event-modal").get_by_role("button", name="Save").click()
    prompt = page.locator("#guests-modal")
    expect(prompt.get_by_role("heading")).to_have_text("Send invitation emails to guests?")
    expect(prompt).to_contain_text(DANA)
    signed_in.screenshot("guest-emails-asked")
    prompt.get_by_role("button", name="Back").click()  # back to the form, nothing saved
    expect(page.locator("#event-modal")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Demo for Acme")
    assert signed_in.user.google_events() == []
    signed_in.save_form(email_guests=True)
    signed_in.expect_status("Demo for Acme", "synced")
    assert signed_in.invitations() == [("created", "all", [DANA])]

    signed_in.drag(signed_in.event("Demo for Acme"), at(13))
    expect(prompt.get_by_role("heading")).to_have_text("Send update emails to guests?")
    prompt.get_by_role("button", name="Back").click()  # the move is undone
    signed_in.expect_status("Demo for Acme", "synced")
    assert _start(signed_in, "Demo for Acme") == at(10).astimezone(UTC)
    signed_in.drag(signed_in.event("Demo for Acme"), at(13))
    signed_in.answer_guests(False, remember=True)
    wait_for(
        lambda: _start(signed_in, "Demo for Acme") == at(13).astimezone(UTC),
        what="the move to reach Google",
    )
    assert signed_in.user.api.get("/api/settings").json()["guestEmails"] == "never"

    signed_in.expect_status("Demo for Acme", "synced")
    signed_in.drag(signed_in.event("Demo for Acme"), at(15))  # remembered: not asked
    wait_for(
        lambda: _start(signed_in, "Demo for Acme") == at(15).astimezone(UTC),
        what="the second move to reach Google",
    )
    expect(prompt).to_be_hidden()
    assert signed_in.invitations() == [("created", "all", [DANA])]


def test_a_deletion_asks_too_and_the_setting_is_on_the_settings_page(
    signed_in: CalendarPage,
) -> None:
    page = signed_in.page
    signed_in.api_create("Lunch with Dana", at(12), attendees=[DANA])
    signed_in.api_create("Focus time", at(9), 30)
    signed_in.reload()
    signed_in.open_event("Focus time")
    page.get_by_role("button", name="Delete…").click()
    page.locator("#delete-modal").get_by_role("button", name="Delete", exact=True).click()
    expect(signed_in.event("Focus time")).to_have_count(0)  # no guests: nothing to ask
    expect(page.locator("#guests-modal")).to_be_hidden()

    signed_in.open_event("Lunch with Dana")
    page.get_by_role("button", name="Delete…").click()
    page.locator("#delete-modal").get_by_role("button", name="Delete", exact=True).click()
    prompt = page.locator("#guests-modal")
    expect(prompt.get_by_role("heading")).to_have_text("Send cancellation emails to guests?")
    signed_in.answer_guests(True)
    expect(signed_in.event("Lunch with Dana")).to_have_count(0)
    wait_for(
        lambda: signed_in.invitations() == [("cancelled", "all", [DANA])],
        what="the cancellation emails",
    )

    page.goto(signed_in.app.url + "/settings")
    choice = page.get_by_label("Before emailing guests")
    expect(choice).to_have_value("ask")
    choice.select_option("send")
    expect(page.locator("#toasts .toast", has_text="Saved: emails to guests.")).to_be_visible()
    assert signed_in.user.api.get("/api/settings").json()["guestEmails"] == "send"
    page.goto(signed_in.app.url + "/calendar")
    page.get_by_role("button", name="New event").click()
    signed_in.fill_form(
        title="Demo for Globex", start=at(16), end=at(16) + timedelta(minutes=30), attendees=DANA
    )
    signed_in.save_form()  # not asked: always sent
    signed_in.expect_status("Demo for Globex", "synced")
    assert signed_in.invitations()[-1] == ("created", "all", [DANA])
