"""Settings, activity, the touchpoint warning, keyboard and phone use, and the demo's sign-in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.calendar_page import CalendarPage, at, today
from tests.browser.conftest import BROWSER_TIME_ZONE, PASSWORD
from tests.support.app import AppHarness, start_app
from tests.support.databases import fresh_database
from tests.support.servers import EmulatorControl
from tests.support.sharing import BOB, CAROL, google_as, invitation
from touchbase.config import Mode


def test_settings_show_the_connection_and_choose_calendars(signed_in: CalendarPage) -> None:
    page = signed_in.page
    signed_in.api_create("Something to pull", at(9))
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-status")).to_contain_text("Synced")
    page.get_by_role("link", name="Settings").click()
    expect(page.locator("#google-state")).to_have_attribute("data-state", "connected")
    expect(page.locator("#google-scopes")).to_contain_text("events")
    row = page.locator("#calendar-rows tr", has_text=signed_in.user.email)
    expect(row).to_contain_text("(primary)")
    expect(row).to_contain_text("pulled 1, pushed 0, conflicts 0, errors 0")  # a first, full sync
    # Google cannot notify a plain-http server: the page says so, and how changes arrive.
    expect(row.locator(".updates")).to_contain_text("Checked on Sync now only")
    expect(row.locator(".updates")).to_contain_text("needs an https TOUCHBASE_PUBLIC_URL")
    box = row.get_by_role("checkbox")
    expect(box).to_be_checked()
    box.uncheck()
    expect(signed_in.toast("will not sync")).to_be_visible()
    calendars = signed_in.user.api.get("/api/calendar/calendars").json()["items"]
    assert [c["syncEnabled"] for c in calendars] == [False]
    page.reload()
    expect(page.locator("#calendar-rows tr").get_by_role("checkbox")).not_to_be_checked()


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RAW = re.compile(r"sync_|kind:|— → —|\d{4}-\d{2}-\d{2}T|<b>")


def test_activity_reads_as_sentences_with_names(signed_in: CalendarPage) -> None:
    page, user = signed_in.page, signed_in.user
    dana = user.api.post("/api/contacts", json={"name": "Dana Scully"}).json()
    first = signed_in.api_create("First meeting", at(9), contactId=dana["id"])
    second = signed_in.api_create("Second meeting", at(11), description="<b>Agenda</b>")
    user.api.patch(f"/api/calendar/events/{first['id']}", json={"title": "Intro call with Dana"})
    user.api.patch(
        f"/api/calendar/events/{second['id']}",
        json={"startTime": at(14).isoformat(), "endTime": at(15).isoformat()},
    )
    signed_in.app.emulator.fault(method="PATCH", status=400, reason="badRequest", times=1)
    user.api.patch(f"/api/calendar/events/{second['id']}", json={"location": "Room 9"})
    google = signed_in.google_event("Intro call with Dana")
    user.google.patch(f"/events/{google['id']}", json={"summary": "Intro call (Google)"})
    assert user.api.post("/api/calendar/sync").status_code == 202

    page.get_by_role("link", name="Activity").click()
    entries = page.locator("#activity-list > li")
    expect(entries.first).to_contain_text("Google Calendar renamed")
    expect(entries.first).to_contain_text("“Intro call with Dana” to “Intro call (Google)”")
    text = page.locator("#activity-list").inner_text()
    assert "You renamed “First meeting” to “Intro call with Dana”" in text
    assert "You moved “Second meeting” from" in text
    assert "Google refused the change to “Second meeting”" in text
    assert "You created “Second meeting” for" in text
    assert "You added the contact Dana Scully" in text
    assert not UUID.search(text), text
    assert not RAW.search(text), text
    expect(entries.first.locator("time")).to_have_text("just now")
    assert entries.first.locator("time").get_attribute("title")
    signed_in.screenshot("activity")

    page.get_by_label("Event").select_option(label="Second meeting")
    expect(entries).to_have_count(4)  # created, moved, its place changed, refused
    page.get_by_label("Event").select_option(label="All events")
    page.get_by_label("By").select_option(label="Google Calendar")
    expect(entries.first).to_contain_text("Google Calendar renamed")
    # Only what came from Google, or was said by it.
    expect(page.locator("#activity-list > li:not(:has-text('Google'))")).to_have_count(0)
    expect(entries).to_have_count(2)
    page.get_by_label("By").select_option(label="Anyone")
    page.get_by_label("Contact").select_option(label="Dana Scully")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("You added the contact Dana Scully")


def test_contact_and_touchpoint_changes_read_as_sentences(signed_in: CalendarPage) -> None:
    page, api = signed_in.page, signed_in.user.api
    ada = api.post("/api/contacts", json={"name": "Ada Lovelace"}).json()
    path = f"/api/contacts/{ada['id']}"
    for change in (
        {"name": "Ada King"},
        {"cadence": {"every": 2, "unit": "week"}},
        {"company": "Analytical Engines", "phone": "+44 20 7946 0000"},
        {"cadence": None},
    ):
        assert api.patch(path, json=change).status_code == 200, change
    day = today() + timedelta(days=3)
    touchpoint = api.post(
        "/api/touchpoints", json={"contactId": ada["id"], "dueDate": day.isoformat()}
    ).json()
    moved = day + timedelta(days=1)
    tp_path = f"/api/touchpoints/{touchpoint['id']}"
    assert api.patch(tp_path, json={"dueDate": moved.isoformat()}).status_code == 200
    assert api.patch(tp_path, json={"status": "done"}).status_code == 200
    assert api.delete(path).status_code in (200, 204)
    assert api.patch(path, json={"archived": False}).status_code == 200

    page.get_by_role("link", name="Activity").click()
    expect(page.locator("#activity-list > li").first).to_contain_text("brought back")
    text = page.locator("#activity-list").inner_text()
    assert "You renamed the contact “Ada Lovelace” to “Ada King”" in text
    assert "You set Ada King's cadence to every 2 weeks" in text
    assert "You changed Ada King's company and phone" in text
    assert "You stopped Ada King's cadence" in text
    shown_day = f"{moved.strftime('%a')}, {moved.strftime('%b')} {moved.day}"
    assert f"You moved the touchpoint with Ada King to {shown_day}" in text
    assert "You marked the touchpoint with Ada King done" in text
    assert "You archived the contact Ada King" in text
    assert "You brought back the contact Ada King" in text
    assert "contact update" not in text
    assert not RAW.search(text), text
    # Her name, where a sentence says it, leads to her page.
    said = page.locator("#activity-list > li", has_text="cadence to every 2 weeks")
    expect(said.get_by_role("link", name="Ada King")).to_have_attribute(
        "href", f"/contacts/{ada['id']}"
    )
    expect(said.locator(".said")).to_have_text("You set Ada King's cadence to every 2 weeks.")


def test_deleting_a_touchpoint_event_warns_first(signed_in: CalendarPage) -> None:
    page = signed_in.page
    signed_in.api_create("Check in with Dana", at(10), isTouchpointEvent=True)
    signed_in.reload()
    signed_in.open_event("Check in with Dana")
    page.get_by_role("button", name="Delete…").click()
    dialog = page.locator("#delete-modal")
    expect(dialog.locator("#delete-touchpoint")).to_be_visible()
    expect(dialog).to_contain_text("planned touchpoint")
    dialog.get_by_role("button", name="Keep it").click()
    expect(dialog).to_be_hidden()
    signed_in.google_event("Check in with Dana")


def test_a_new_event_outside_the_days_shown_turns_the_calendar_to_it(
    signed_in: CalendarPage,
) -> None:
    page = signed_in.page
    later = today() + timedelta(days=45)
    page.get_by_role("button", name="New event").click()
    signed_in.fill_form(title="Offsite", start=at(10, day=later), end=at(11, day=later))
    signed_in.save_form()
    expect(page.locator(f'td.fc-timegrid-col[data-date="{later.isoformat()}"]')).to_be_visible()
    signed_in.expect_status("Offsite", "synced")


def test_the_calendar_works_from_the_keyboard(signed_in: CalendarPage) -> None:
    page = signed_in.page
    page.get_by_role("button", name="New event").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Title")).to_be_focused()
    page.keyboard.type("Typed meeting")
    # After a save the range is fetched again and the events re-rendered: wait for that.
    with page.expect_response(lambda r: "/api/calendar/events?" in r.url):
        page.keyboard.press("Enter")
    signed_in.expect_status("Typed meeting", "synced")

    signed_in.event("Typed meeting").focus()
    page.keyboard.press("Enter")
    card = page.get_by_role("dialog", name="Typed meeting")
    expect(card.get_by_role("button", name="Edit")).to_be_focused()
    # A change elsewhere draws the calendar again while the card is open (a live update).
    with page.expect_response(lambda r: "/api/calendar/events?" in r.url):
        signed_in.api_create("Made elsewhere", at(8))
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    expect(signed_in.event("Typed meeting")).to_be_focused()  # its tile drawn again
    # Another live update while the tile has the focus: its new tile keeps it.
    with page.expect_response(lambda r: "/api/calendar/events?" in r.url):
        signed_in.api_create("Made later", at(9))
    expect(signed_in.event("Made later")).to_be_visible()
    expect(signed_in.event("Typed meeting")).to_be_focused()
    page.keyboard.press("Enter")
    expect(card.get_by_role("button", name="Edit")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="Edit event")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Typed meeting")
    page.keyboard.press("Escape")
    expect(page.locator("#event-modal")).to_be_hidden()


def test_the_calendar_at_phone_width(app: AppHarness, browser: Browser) -> None:
    user = app.user("pat@example.com", password=PASSWORD)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, timezone_id=BROWSER_TIME_ZONE, is_mobile=True
    )
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        calendar = CalendarPage(page, app, user)
        calendar.api_create("Phone call", at(10))
        page.goto(app.url + "/login")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.locator(".fc-list")).to_be_visible()
        expect(calendar.event("Phone call")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_role("button", name="New event").click()
        dialog_box = page.locator("#event-modal").bounding_box()
        assert dialog_box is not None
        assert dialog_box["width"] <= 390
        calendar.screenshot("phone-width")
        assert errors == []
    finally:
        context.close()


@pytest.fixture
def demo_app(sqlite_file: Path, tmp_path: Path, emulator: EmulatorControl) -> Iterator[AppHarness]:
    with fresh_database("sqlite", template=sqlite_file, directory=tmp_path) as url:
        server, app_url = start_app(
            url, emulator.url, mode=Mode.DEMO, demo_user_email="demo@touchbase.example"
        )
        try:
            yield AppHarness(app_url, url, emulator)
        finally:
            server.stop()


def test_the_demo_signs_in_with_one_click(demo_app: AppHarness, page: Page) -> None:
    demo_app.user("demo@touchbase.example")
    page.goto(demo_app.url + "/calendar")
    page.get_by_role("button", name="Sign in as the demo user").click()
    expect(page).to_have_url(demo_app.url + "/calendar")
    expect(page.locator(".who")).to_have_text("demo@touchbase.example")


def test_one_click_sign_in_is_only_for_the_demo(app: AppHarness, page: Page) -> None:
    app.user("demo@touchbase.example")
    page.goto(app.url + "/login")
    expect(page.get_by_role("button", name="Sign in as the demo user")).to_have_count(0)
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    answer = page.request.post(app.url + "/login/demo", form={"csrf_token": token or ""})
    assert answer.status == 403
    assert "tb_session" not in {c["name"] for c in page.context.cookies()}


def test_each_event_shows_its_sync_state(signed_in: CalendarPage) -> None:
    page, user, emulator = signed_in.page, signed_in.user, signed_in.app.emulator
    signed_in.api_create("Intro call with Dana", at(9), location="Phone")
    signed_in.api_create(
        "Pipeline review",
        at(8),
        recurrence=["RRULE:FREQ=DAILY;COUNT=5"],
        timeZone="America/New_York",
    )
    disputed = signed_in.api_create("Demo for Globex", at(13), attendees=["eli@globex.example"])
    changed = user.google.patch(
        f"/events/{disputed['googleEventId']}", json={"summary": "Demo (Globex)"}
    )
    assert changed.status_code == 200
    clash = user.api.patch(
        f"/api/calendar/events/{disputed['id']}", json={"title": "Demo for Globex!"}
    )
    assert clash.status_code == 409
    refused = signed_in.api_create("Budget call", at(16))
    emulator.fault(method="PATCH", status=400, reason="badRequest", times=1)
    assert (
        user.api.patch(
            f"/api/calendar/events/{refused['id']}", json={"title": "Budget call v2"}
        ).json()["syncStatus"]
        == "error"
    )
    emulator.fault(method="POST", path="/calendar/v3/.*", status=503, times=10_000)
    signed_in.api_create("Coffee with Fran", at(11))

    signed_in.reload()
    signed_in.expect_status("Intro call with Dana", "synced")
    signed_in.expect_status("Coffee with Fran", "pending")
    signed_in.expect_status("Demo for Globex", "conflict")
    signed_in.expect_status("Budget call v2", "error")
    days_left_in_week = 7 if today().weekday() == 6 else 6 - today().weekday()  # weeks start Sunday
    expect(signed_in.event("Pipeline review")).to_have_count(min(5, days_left_in_week))
    signed_in.event("Intro call with Dana").scroll_into_view_if_needed()
    signed_in.screenshot("calendar-page")

    signed_in.event("Demo for Globex").click()
    expect(page.locator("#conflict-modal")).to_be_visible()
    expect(page.locator('#conflict-modal tr[data-field="title"] td.remote')).to_have_text(
        "Demo (Globex)"
    )


def test_an_occurrence_renamed_for_all_events_renames_every_occurrence(
    signed_in: CalendarPage,
) -> None:
    page = signed_in.page
    series = signed_in.api_create(
        "Daily standup", at(8), recurrence=["RRULE:FREQ=DAILY;COUNT=3"], timeZone="America/New_York"
    )
    signed_in.reload()
    days_left_in_week = 7 if today().weekday() == 6 else 6 - today().weekday()
    shown = min(3, days_left_in_week)
    expect(signed_in.event("Daily standup")).to_have_count(shown)
    signed_in.event("Daily standup").first.click()
    card = page.locator("#event-card")
    expect(card).to_contain_text("RepeatsDaily, 3 times")
    card.get_by_role("button", name="Edit").click()
    expect(page.locator("#event-series-note")).to_have_text("Recurring: Daily, 3 times.")
    expect(page.locator("#event-modal").get_by_label("Repeat")).to_have_value("daily")
    signed_in.fill_form(title="Daily standup (new room)")
    page.locator("#event-modal").get_by_role("button", name="Save").click()
    scope = page.locator("#scope-modal")
    scope.get_by_label("All events").check()
    scope.get_by_role("button", name="OK").click()
    expect(signed_in.event("Daily standup (new room)")).to_have_count(shown)
    google = signed_in.user.google.get(f"/events/{series['googleEventId']}").json()
    assert google["summary"] == "Daily standup (new room)"
    assert google["recurrence"] == ["RRULE:FREQ=DAILY;COUNT=3"]


def test_the_api_docs_render_from_our_own_assets(app: AppHarness, page: Page) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    answer = page.goto(app.url + "/api/docs")
    assert answer is not None
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .information-container")).to_contain_text("touchbase")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.get_by_text("/api/calendar/events").first).to_be_visible()
    assert requested
    assert all(url.startswith(app.url) for url in requested), requested


def test_an_unknown_page_is_a_page_and_the_api_stays_json(signed_in: CalendarPage) -> None:
    page = signed_in.page
    answer = page.goto(signed_in.app.url + "/contacts/nobody/at/all")
    assert answer is not None
    assert answer.status == 404
    expect(page.get_by_role("heading", name="This page does not exist.")).to_be_visible()
    page.get_by_role("link", name="Back to the calendar").click()
    expect(page).to_have_url(signed_in.app.url + "/calendar")
    api = signed_in.user.api.get("/api/nowhere", headers={"Accept": "text/html"})
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "NOT_FOUND"


def test_a_new_user_is_shown_how_to_start(app: AppHarness, page: Page) -> None:
    user = app.user("new@example.com", password=PASSWORD, connect=False)
    calendar = CalendarPage(page, app, user)
    calendar.sign_in(PASSWORD)
    onboarding = page.get_by_role("region", name="Connect your Google Calendar to start")
    expect(onboarding).to_be_visible()
    calendar.screenshot("first-run")
    page.get_by_role("button", name="New event").click()  # no form that could only fail
    expect(page.locator("#event-modal")).to_be_hidden()
    expect(onboarding.get_by_role("button", name="Connect Google Calendar")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/settings?google=connected")
    expect(page.locator("#google-state")).to_have_text("Connected. touchbase may:")
    page.goto(app.url + "/calendar")
    expect(page.locator("#sync-status")).not_to_contain_text("not connected")
    expect(onboarding).to_be_hidden()


def test_a_new_user_can_start_without_google_and_move_in_later(app: AppHarness, page: Page) -> None:
    user = app.user("solo@example.com", password=PASSWORD, connect=False)
    calendar = CalendarPage(page, app, user)
    calendar.sign_in(PASSWORD)
    page.get_by_role("button", name="Start without Google").click()
    expect(page.locator("#onboarding")).to_be_hidden()
    expect(page.locator("#sync-status")).to_contain_text("Your events are kept on touchbase.")
    page.get_by_role("button", name="New event").click()
    expect(page.get_by_label("Add a Google Meet video call")).to_be_hidden()  # no Google
    calendar.fill_form(title="Plan the quarter", start=at(10), end=at(11))
    calendar.save_form()
    calendar.expect_status("Plan the quarter", "local")
    expect(calendar.event("Plan the quarter")).to_contain_text("on touchbase")
    assert app.emulator.stats()["apiCalls"] == 0

    page.goto(app.url + "/settings")
    expect(page.locator("#calendar-rows")).to_contain_text("Connect Google Calendar to move")
    page.locator("#google-connect").click()
    page.wait_for_url("**/settings?google=connected")
    page.get_by_role("button", name="Move its events into Google Calendar").click()
    expect(page.locator("#toasts .toast", has_text="Moved 1 event into")).to_be_visible()
    page.goto(app.url + "/calendar")
    calendar.expect_status("Plan the quarter", "synced")
    assert calendar.google_event("Plan the quarter")["status"] == "confirmed"


def test_settings_say_how_each_calendar_is_shared(signed_in: CalendarPage) -> None:
    page, app = signed_in.page, signed_in.app
    app.user(BOB)
    bob = google_as(app, BOB)
    shares = (
        ("Bob's clients", "reader"),
        ("Bob's week", "freeBusyReader"),
        ("Bob's team", "owner"),
    )
    for name, role in shares:
        made = bob.post("/calendars", json={"summary": name}).json()["id"]
        scope = {"type": "user", "value": signed_in.user.email}
        assert bob.post(f"/calendars/{made}/acl", json={"role": role, "scope": scope}).is_success
        mine = google_as(app, signed_in.user.email)
        assert mine.post("/users/me/calendarList", json={"id": made}).is_success
    page.get_by_role("link", name="Settings").click()
    clients = page.locator("#calendar-rows tr", has_text="Bob's clients")
    expect(clients).to_contain_text("(shared with you: view only)")
    expect(clients.get_by_role("checkbox")).to_be_enabled()
    week = page.locator("#calendar-rows tr", has_text="Bob's week")
    expect(week).to_contain_text("(shared with you: busy times only, nothing to sync)")
    expect(week.get_by_role("checkbox")).to_be_disabled()
    team = page.locator("#calendar-rows tr", has_text="Bob's team")
    expect(team).to_contain_text("(shared with you to manage)")
    own = page.locator("#calendar-rows tr", has_text=signed_in.user.email)
    expect(own).not_to_contain_text("shared with you")


def test_answers_to_an_invitation_read_as_answers(signed_in: CalendarPage) -> None:
    page, user = signed_in.page, signed_in.user
    event = invitation(user, at(11).astimezone(UTC), "Carol's review")
    path = f"/api/calendar/events/{event['id']}"
    assert user.api.patch(path, json={"myResponse": "accepted"}).status_code == 200
    copy = user.google.get(f"/events/{event['googleEventId']}").json()
    guests = [
        {**guest, "responseStatus": "declined"} if guest["email"] == CAROL else guest
        for guest in copy["attendees"]
    ]
    changed = user.google.patch(f"/events/{copy['id']}", json={"attendees": guests})
    assert changed.status_code == 200, changed.text
    assert user.api.post("/api/calendar/sync").status_code == 202

    page.get_by_role("link", name="Activity").click()
    entries = page.locator("#activity-list > li")
    expect(entries.first).to_contain_text(f"Answers to “Carol's review”: {CAROL} not going")
    text = page.locator("#activity-list").inner_text()
    assert "You answered “Carol's review”: going" in text
    assert "changed the guests" not in text
    assert "guests:" not in text, "no list of the same guests before and after"


def test_settings_name_the_events_google_sent_that_could_not_be_read(
    signed_in: CalendarPage,
) -> None:
    page, app = signed_in.page, signed_in.app
    raw = {
        "_raw": True,
        "id": "unread0001",
        "summary": "Board call",
        "start": {"dateTime": "2027-01-04T09:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2027-01-04T10:00:00", "timeZone": "UTC"},
        "recurrence": ["RRULE:FREQ=DAILY;COUNT=1000000"],
    }
    app.emulator.seed({"users": [{"email": signed_in.user.email, "events": [raw]}]})
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-status")).to_contain_text("errors 1")
    listings: list[str] = []
    page.on(
        "request",
        lambda r: (
            r.method == "GET"
            and r.url.endswith("/api/calendar/calendars")
            and listings.append(r.url)
        ),
    )
    signed_in.reload()  # the calendar page says so after the run too, and where they are named
    unread = page.get_by_role("link", name="1 event from Google could not be read")
    expect(unread).to_be_visible()
    expect(signed_in.event("Board call")).to_have_count(0)
    assert len(listings) == 1, "one listing (a read of Google's) serves every part of the page"
    unread.click()
    row = page.locator("#calendar-rows tr", has_text=signed_in.user.email)
    expect(row).to_contain_text("One event from Google could not be read, and is not shown here")
    expect(row).to_contain_text("“Board call”: RecurrenceError: COUNT must be in 1..100000")
