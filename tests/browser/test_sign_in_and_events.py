"""Signing in, and creating, editing, moving and deleting events on the calendar page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from playwright.sync_api import Page, expect

from tests.browser.calendar_page import CalendarPage, at
from tests.browser.conftest import PASSWORD
from tests.support.app import AppHarness, wait_for


def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def test_sign_in_with_a_password_and_out_again(app: AppHarness, page: Page) -> None:
    app.user("alice@example.com", password=PASSWORD)
    page.goto(app.url + "/calendar")
    expect(page).to_have_url(app.url + "/login?next=/calendar")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("That email and password do not match.")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(app.url + "/calendar")
    expect(page.get_by_role("link", name="Calendar")).to_have_attribute("aria-current", "page")
    cookie = next(c for c in page.context.cookies() if c["name"] == "tb_session")
    assert cookie["httpOnly"]
    assert cookie["secure"]
    assert cookie["sameSite"] == "Lax"

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(app.url + "/login")
    page.goto(app.url + "/settings")
    expect(page).to_have_url(app.url + "/login?next=/settings")


def test_state_changes_without_the_csrf_token_are_refused(signed_in: CalendarPage) -> None:
    page, app = signed_in.page, signed_in.app
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    with httpx.Client(base_url=app.url, cookies={"tb_session": cookies["tb_session"]}) as forged:
        body = {
            "title": "forged",
            "startTime": "2027-01-01T10:00:00Z",
            "endTime": "2027-01-01T11:00:00Z",
        }
        refused = forged.post("/api/calendar/events", json=body)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "CSRF_FAILED"
        assert forged.get("/api/calendar/events").status_code == 200  # reads need no token
        login = forged.post(
            "/login", data={"email": "a@b.c", "password": "x", "csrf_token": "guess"}
        )
        assert login.status_code == 403
    assert signed_in.user.google_events() == []


def test_create_an_event_from_the_page_and_find_it_in_google(signed_in: CalendarPage) -> None:
    page = signed_in.page
    page.get_by_role("button", name="New event").click()
    start = at(10)
    signed_in.fill_form(
        title="Coffee with Dana",
        start=start,
        end=start + timedelta(minutes=45),
        location="Cafe North",
        attendees="dana@acme.example, eli@globex.example",
    )
    signed_in.save_form(email_guests=True)
    expect(signed_in.event("Coffee with Dana")).to_be_visible()
    signed_in.expect_status("Coffee with Dana", "synced")

    google = signed_in.google_event("Coffee with Dana")
    assert _utc(google["start"]["dateTime"]) == start.astimezone(UTC)
    assert _utc(google["end"]["dateTime"]) == (start + timedelta(minutes=45)).astimezone(UTC)
    assert google["start"]["timeZone"] == "America/New_York"
    assert google["location"] == "Cafe North"
    assert sorted(a["email"] for a in google["attendees"]) == [
        "dana@acme.example",
        "eli@globex.example",
    ]
    assert signed_in.invitations() == [
        ("created", "all", ["dana@acme.example", "eli@globex.example"])
    ]


def test_select_a_time_range_to_create_with_a_contact(signed_in: CalendarPage) -> None:
    page = signed_in.page
    signed_in.user.api.post(
        "/api/contacts", json={"name": "Dana Scully", "emails": ["dana@acme.example"]}
    )
    x, y = signed_in.slot(at(14))
    _, y_end = signed_in.slot(at(15))
    page.mouse.move(x, y + 3)
    page.mouse.down()
    page.mouse.move(x, y_end + 3, steps=10)
    page.mouse.up()
    modal = page.locator("#event-modal")
    expect(modal).to_be_visible()
    expect(modal.get_by_label("Start time")).to_have_value("14:00")
    expect(modal.get_by_label("End time")).to_have_value("15:30")
    modal.get_by_label("Title").fill("Follow-up with Dana")
    modal.get_by_role("combobox", name="Contact").fill("dan")
    page.get_by_role("option").get_by_role("button", name="Dana Scully").click()
    signed_in.save_form()
    signed_in.expect_status("Follow-up with Dana", "synced")
    event = next(
        e
        for e in signed_in.user.api.get("/api/calendar/events").json()["items"]
        if e["title"] == "Follow-up with Dana"
    )
    contact = signed_in.user.api.get(f"/api/contacts/{event['contactId']}").json()
    assert contact["name"] == "Dana Scully"
    assert _utc(event["endTime"]) - _utc(event["startTime"]) == timedelta(minutes=90)


def test_edit_an_event(signed_in: CalendarPage) -> None:
    signed_in.api_create("Pipeline review", at(9))
    signed_in.reload()
    signed_in.open_event("Pipeline review")
    signed_in.fill_form(title="Pipeline review (Q1)", location="Room 4", end=at(10, 30))
    signed_in.save_form()
    signed_in.expect_status("Pipeline review (Q1)", "synced")
    google = signed_in.google_event("Pipeline review (Q1)")
    assert google["location"] == "Room 4"
    assert _utc(google["end"]["dateTime"]) == at(10, 30).astimezone(UTC)
    assert _utc(google["start"]["dateTime"]) == at(9).astimezone(UTC)


def test_move_an_event_by_dragging_and_resize_it(signed_in: CalendarPage) -> None:
    signed_in.api_create("Standup", at(9))
    signed_in.reload()
    signed_in.drag(signed_in.event("Standup"), at(13))
    wait_for(
        lambda: (
            _utc(signed_in.google_event("Standup")["start"]["dateTime"]) == at(13).astimezone(UTC)
        ),
        what="the move to reach Google",
    )
    signed_in.expect_status("Standup", "synced")
    assert _utc(signed_in.google_event("Standup")["end"]["dateTime"]) == at(14).astimezone(UTC)

    signed_in.resize(signed_in.event("Standup"), at(14))
    wait_for(
        lambda: (
            _utc(signed_in.google_event("Standup")["end"]["dateTime"]) == at(14, 30).astimezone(UTC)
        ),
        what="the resize to reach Google",
    )


def test_delete_an_event(signed_in: CalendarPage) -> None:
    created = signed_in.api_create("Old meeting", at(11))
    signed_in.reload()
    signed_in.open_event("Old meeting")
    signed_in.page.get_by_role("button", name="Delete…").click()
    dialog = signed_in.page.locator("#delete-modal")
    expect(dialog).to_contain_text("Old meeting")
    expect(dialog.locator("#delete-touchpoint")).to_be_hidden()
    dialog.get_by_role("button", name="Delete", exact=True).click()
    expect(signed_in.event("Old meeting")).to_have_count(0)
    expect(signed_in.toast("Event deleted")).to_be_visible()
    google = [e for e in signed_in.user.google_events() if e["id"] == created["googleEventId"]]
    assert google[0]["status"] == "cancelled"


def test_create_an_all_day_event(signed_in: CalendarPage) -> None:
    page = signed_in.page
    page.get_by_role("button", name="New event").click()
    modal = page.locator("#event-modal")
    modal.get_by_label("Title").fill("Conference")
    modal.get_by_label("All day").check()
    expect(modal.get_by_label("Start time")).to_be_hidden()
    first = at(9).date()
    modal.get_by_label("Start date").fill(first.isoformat())
    modal.get_by_label("End date").fill((first + timedelta(days=1)).isoformat())
    signed_in.save_form()
    signed_in.expect_status("Conference", "synced")
    google = signed_in.google_event("Conference")
    assert google["start"] == {"date": first.isoformat()}
    assert google["end"] == {"date": (first + timedelta(days=2)).isoformat()}  # exclusive
