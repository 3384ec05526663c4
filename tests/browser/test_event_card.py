"""A click on an event shows its card: when (and when in the event's own zone), where, the join
link, the description formatted (never as raw tags, never running a script), the guests and
their answers, the contact; Edit, Delete and Open contact from it."""

from __future__ import annotations

import re
from datetime import UTC

from playwright.sync_api import expect

from tests.browser.calendar_page import CalendarPage, at
from tests.support.sharing import BOB, CAROL, google_as, invitation, meeting, shared_with
from tests.support.sync import sync

DASH = "\u2013"  # the en dash between two times


def test_the_card_shows_the_event_as_a_person_reads_it(signed_in: CalendarPage) -> None:
    page = signed_in.page
    dana = signed_in.user.api.post(
        "/api/contacts",
        json={"name": "Dana Scully", "emails": ["dana@acme.example"], "company": "Acme"},
    ).json()
    made = signed_in.api_create(
        "Globex demo",
        at(10),
        45,
        timeZone="Europe/Berlin",
        location="Unter den Linden 1, Berlin",
        description='<b>Agenda</b><ul><li>pricing</li></ul><img src=x onerror="alert(1)">'
        "Join: https://meet.google.com/abc-defg-hij",
        attendees=["dana@acme.example", "eli@globex.example"],
        contactId=dana["id"],
    )
    google = signed_in.google_event("Globex demo")
    for guest in google["attendees"]:
        guest["responseStatus"] = "accepted" if guest["email"].startswith("dana") else "declined"
    signed_in.user.google.patch(f"/events/{made['googleEventId']}", json=google)
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-status")).to_contain_text("Synced")
    signed_in.reload()

    card = signed_in.open_card("Globex demo")
    expect(card).to_contain_text(f"10:00 AM {DASH} 10:45 AM")
    expect(card).to_contain_text(f"4:00 PM {DASH} 4:45 PM (Europe/Berlin)")
    expect(card.get_by_role("link", name="meet.google.com")).to_have_attribute(
        "href", "https://meet.google.com/abc-defg-hij"
    )
    expect(card.get_by_role("link", name="Unter den Linden 1, Berlin")).to_be_visible()
    description = card.locator(".description")
    expect(description.locator("b")).to_have_text("Agenda")
    expect(description.locator("li")).to_have_text("pricing")
    expect(description).not_to_contain_text("<b>")
    assert description.locator("img").count() == 0
    expect(card.locator('li[data-rsvp="accepted"]')).to_have_text("dana@acme.example — Going")
    expect(card.locator('li[data-rsvp="declined"]')).to_have_text("eli@globex.example — Not going")
    expect(card.get_by_role("link", name="Dana Scully")).to_have_attribute(
        "href", f"/contacts/{dana['id']}"
    )
    expect(page.locator("#event-modal")).to_be_hidden()
    signed_in.screenshot("event-card")

    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    card = signed_in.open_card("Globex demo")
    card.get_by_role("link", name="Open contact").click()
    expect(page).to_have_url(f"{signed_in.app.url}/contacts/{dana['id']}")


def test_the_card_offers_the_meet_google_made_for_the_meeting(signed_in: CalendarPage) -> None:
    """A Meet lives in the event's conference, not in its text: the card offers it to join."""
    made = signed_in.user.google.post(
        "/events",
        params={"conferenceDataVersion": "1"},
        json={
            "summary": "Call with Gil",
            "start": {"dateTime": at(14).isoformat()},
            "end": {"dateTime": at(14, 30).isoformat()},
            "conferenceData": {"createRequest": {"requestId": "call-with-gil"}},
        },
    )
    assert made.status_code == 200, made.text
    assert sync(signed_in.user)["status"] == "succeeded"
    signed_in.reload()
    card = signed_in.open_card("Call with Gil")
    expect(card.get_by_role("link", name="Google Meet (meet.google.com)")).to_have_attribute(
        "href", made.json()["hangoutLink"]
    )


def test_the_card_offers_the_files_attached_in_google(signed_in: CalendarPage) -> None:
    deck = "https://docs.google.com/presentation/d/1abc/edit"
    made = signed_in.user.google.post(
        "/events",
        params={"supportsAttachments": "true"},
        json={
            "summary": "Pricing review",
            "start": {"dateTime": at(14).isoformat()},
            "end": {"dateTime": at(14, 30).isoformat()},
            "attachments": [
                {"fileUrl": deck, "title": "Q3 pricing deck"},
                {"fileUrl": "javascript:alert(1)", "title": "Click me"},
            ],
        },
    )
    assert made.status_code == 200, made.text
    assert sync(signed_in.user)["status"] == "succeeded"
    signed_in.reload()
    card = signed_in.open_card("Pricing review")
    expect(card.get_by_role("link", name="Q3 pricing deck")).to_have_attribute("href", deck)
    expect(card.get_by_role("link", name="Click me")).to_have_count(0)


def test_a_meet_is_added_from_the_form_and_offered_to_join(signed_in: CalendarPage) -> None:
    page = signed_in.page
    page.get_by_role("button", name="New event").click()
    signed_in.fill_form(title="Call with Gil", start=at(15), end=at(15, 30))
    page.get_by_label("Add a Google Meet video call").check()
    signed_in.save_form()
    signed_in.expect_status("Call with Gil", "synced")
    meet = signed_in.google_event("Call with Gil")["hangoutLink"]
    card = signed_in.open_card("Call with Gil")
    expect(card.get_by_role("link", name="Google Meet (meet.google.com)")).to_have_attribute(
        "href", meet
    )
    card.get_by_role("button", name="Edit").click()
    modal = page.locator("#event-modal")
    expect(modal.get_by_label("Add a Google Meet video call")).to_be_hidden()
    expect(modal.get_by_role("link", name="Google Meet")).to_have_attribute("href", meet)
    modal.get_by_role("button", name="Cancel").click()

    signed_in.api_create("Demo for Acme", at(17))  # one made without: added later
    signed_in.reload()
    signed_in.open_event("Demo for Acme")
    page.get_by_label("Add a Google Meet video call").check()
    signed_in.save_form()
    signed_in.expect_status("Demo for Acme", "synced")
    added = signed_in.google_event("Demo for Acme")["hangoutLink"]
    assert added.startswith("https://meet.google.com/")
    assert added != meet
    page.goto(signed_in.app.url + "/activity")
    expect(page.locator("#activity-list")).to_contain_text(
        "You changed the video call of “Demo for Acme”"
    )


def test_edit_and_delete_from_the_card(signed_in: CalendarPage) -> None:
    page = signed_in.page
    signed_in.api_create("Focus time", at(9), 30)
    signed_in.reload()
    card = signed_in.open_card("Focus time")
    expect(card.get_by_role("link", name="Open contact")).to_be_hidden()
    card.get_by_role("button", name="Edit").click()
    expect(card).to_be_hidden()
    expect(page.get_by_label("Title")).to_have_value("Focus time")
    page.locator("#event-modal").get_by_role("button", name="Cancel").click()
    card = signed_in.open_card("Focus time")
    card.get_by_role("button", name="Delete…").click()
    page.locator("#delete-modal").get_by_role("button", name="Delete", exact=True).click()
    expect(signed_in.event("Focus time")).to_have_count(0)
    assert [e["status"] for e in signed_in.user.google_events()] == ["cancelled"]


def test_a_description_is_edited_as_formatted_text_not_tags(signed_in: CalendarPage) -> None:
    page = signed_in.page
    signed_in.api_create("Globex demo", at(10), description="<b>Agenda</b><br>pricing")
    signed_in.api_create("Notes", at(13), description="line one\nline two")
    signed_in.reload()
    signed_in.open_event("Globex demo")
    editor = page.get_by_label("Description")
    expect(editor).to_have_text("Agendapricing")
    expect(editor.locator("b")).to_have_text("Agenda")
    editor.click()
    page.keyboard.press("End")
    page.keyboard.press("Control+End")
    page.keyboard.type(" and terms")
    page.keyboard.press("Shift+Home")
    page.get_by_role("button", name="Italic").click()
    signed_in.save_form()
    signed_in.expect_status("Globex demo", "synced")
    saved = signed_in.google_event("Globex demo")["description"]
    assert "<b>Agenda</b>" in saved
    assert "<i>pricing and terms</i>" in saved

    signed_in.open_event("Notes")  # plain text stays plain text
    expect(page.get_by_label("Description")).to_have_text("line oneline two")
    page.get_by_label("Title").fill("Notes (kept)")
    signed_in.save_form()
    signed_in.expect_status("Notes (kept)", "synced")
    assert signed_in.google_event("Notes (kept)")["description"] == "line one\nline two"


def test_an_invitation_declined_shows_struck_through(signed_in: CalendarPage) -> None:
    page = signed_in.page
    email = signed_in.user.email

    def invitation(key: str, hour: int, answer: str) -> dict[str, object]:
        return {
            "_raw": True,
            "id": key,
            "summary": key,
            "start": {"dateTime": at(hour).isoformat()},
            "end": {"dateTime": at(hour + 1).isoformat()},
            "organizer": {"email": "dana@acme.example"},
            "attendees": [{"email": email, "self": True, "responseStatus": answer}],
        }

    invitations = [
        invitation("declined0001", 9, "declined"),
        invitation("accepted001", 11, "accepted"),
    ]
    signed_in.app.emulator.seed({"users": [{"email": email, "events": invitations}]})
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-status")).to_contain_text("Synced")
    signed_in.reload()
    expect(signed_in.event("declined0001")).to_have_class(re.compile(r"\bdeclined\b"))
    expect(signed_in.event("declined0001")).to_have_css("text-decoration-line", "line-through")
    expect(signed_in.event("accepted001")).not_to_have_class(re.compile(r"\bdeclined\b"))
    signed_in.screenshot("declined-invitation")


def _bobs_review_shared_to_view(signed_in: CalendarPage) -> str:
    """Bob's calendar, holding "Bob's review" at 11:00 today, shared with the user to view
    only and synced: its Google id."""
    signed_in.app.user(BOB)
    start = at(11).astimezone(UTC)
    shared, _ = shared_with(signed_in.app, signed_in.user, "reader", meeting(start, "Bob's review"))
    return shared


def test_an_event_of_a_calendar_shared_to_view_only_opens_to_be_seen(
    signed_in: CalendarPage,
) -> None:
    page = signed_in.page
    _bobs_review_shared_to_view(signed_in)
    signed_in.api_create("Focus time", at(9), 30)
    signed_in.reload()

    expect(signed_in.event("Bob's review")).not_to_have_class(re.compile("fc-event-draggable"))
    expect(signed_in.event("Focus time")).to_have_class(re.compile("fc-event-draggable"))
    card = signed_in.open_card("Bob's review")
    expect(card).to_contain_text("Shared with you to view only")
    expect(card.get_by_role("button", name="Delete…")).to_be_hidden()
    card.get_by_role("button", name="Edit").click()
    modal = page.locator("#event-modal")
    expect(modal).to_contain_text("This calendar is shared with you to view only")
    expect(modal.get_by_role("button", name="Save")).to_be_hidden()
    expect(modal.get_by_role("button", name="Delete")).to_be_hidden()
    modal.get_by_role("button", name="Cancel").click()

    # A calendar of her own still offers every change.
    card = signed_in.open_card("Focus time")
    expect(card.get_by_role("button", name="Delete…")).to_be_visible()
    card.get_by_role("button", name="Edit").click()
    expect(modal.get_by_role("button", name="Save")).to_be_visible()


def test_an_event_gmail_made_opens_to_be_seen_and_says_where_it_changes(
    signed_in: CalendarPage,
) -> None:
    """Google refuses most changes to an event Gmail made from an email: the page offers
    none (no drag, no Delete, no Save) and says where it is changed."""
    page = signed_in.page
    start, end = at(9).astimezone(UTC), at(11).astimezone(UTC)
    flight = {
        "summary": "Flight to Berlin",
        "eventType": "fromGmail",
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": end.isoformat()},
    }
    assert signed_in.user.google.post("/events", json=flight).status_code == 200
    assert sync(signed_in.user)["status"] == "succeeded"
    signed_in.reload()
    expect(signed_in.event("Flight to Berlin")).not_to_have_class(re.compile("fc-event-draggable"))
    card = signed_in.open_card("Flight to Berlin")
    expect(card).to_contain_text("Google Calendar keeps this event (made by Gmail from an email)")
    expect(card.get_by_role("button", name="Delete…")).to_be_hidden()
    card.get_by_role("button", name="Edit").click()
    modal = page.locator("#event-modal")
    expect(modal).to_contain_text("made by Gmail from an email): change it there")
    expect(modal.get_by_label("Title")).to_be_disabled()
    expect(modal.get_by_role("button", name="Save")).to_be_hidden()
    expect(modal.get_by_role("button", name="Delete")).to_be_hidden()


def test_a_view_only_event_opened_by_a_link_as_the_page_loads_offers_no_change(
    signed_in: CalendarPage,
) -> None:
    page = signed_in.page
    _bobs_review_shared_to_view(signed_in)
    signed_in.reload()
    event_id = signed_in.event("Bob's review").get_attribute("data-event-id")
    # Google is slow to list the calendars: the card the link opens waits to know the role.
    signed_in.app.emulator.fault(path="calendarList", latencyMs=1500, times=10)
    page.goto(f"{signed_in.app.url}/calendar?event={event_id}")
    card = page.locator("#event-card")
    expect(card).to_contain_text("Shared with you to view only")
    expect(card.get_by_role("button", name="Delete…")).to_be_hidden()


def test_an_invitation_shows_its_organizer_and_takes_only_its_contact(
    signed_in: CalendarPage,
) -> None:
    page, user = signed_in.page, signed_in.user
    made = user.api.post("/api/contacts", json={"name": "Carol Danvers", "emails": [CAROL]})
    assert made.status_code == 201, made.text
    event = invitation(user, at(11).astimezone(UTC), "Carol's review")
    signed_in.reload()

    expect(signed_in.event("Carol's review")).not_to_have_class(re.compile("fc-event-draggable"))
    card = signed_in.open_card("Carol's review")
    expect(card).to_contain_text(f"{CAROL} (only they can change it)")
    card.get_by_role("button", name="Edit").click()
    modal = page.locator("#event-modal")
    expect(modal).to_contain_text(f"{CAROL} organizes this event: only they can change it.")
    for label in ("Title", "Start date", "Location", "Attendees"):
        expect(modal.get_by_label(label)).to_be_disabled()
    expect(modal.get_by_role("textbox", name="Description")).to_have_attribute(
        "contenteditable", "false"
    )
    modal.get_by_role("combobox", name="Contact").fill("carol")
    page.get_by_role("option").get_by_role("button", name="Carol Danvers").click()
    signed_in.save_form()
    expect(page.locator("#toasts .toast.error")).to_have_count(0)
    signed_in.expect_status("Carol's review", "synced")
    linked = user.api.get(f"/api/calendar/events/{event['id']}").json()
    assert (linked["contactId"], linked["title"]) == (made.json()["id"], "Carol's review")

    # She answers from the card; Google has her answer.
    card = signed_in.open_card("Carol's review")
    card.get_by_role("button", name="Yes").click()
    expect(signed_in.toast("Your answer was sent")).to_be_visible()
    expect(card.get_by_role("button", name="Yes")).to_have_attribute("aria-pressed", "true")
    expect(card.locator(".guests li", has_text=user.email)).to_have_text(
        f"You ({user.email}) — Going"
    )
    copy = user.google.get(f"/events/{event['googleEventId']}").json()
    assert {a["email"]: a["responseStatus"] for a in copy["attendees"]}[user.email] == "accepted"
    card.get_by_role("button", name="No").click()
    expect(card.get_by_role("button", name="No")).to_have_attribute("aria-pressed", "true")
    expect(signed_in.event("Carol's review")).to_have_class(re.compile(r"\bdeclined\b"))
    expect(card.locator(".guests li", has_text=user.email)).to_have_text(
        f"You ({user.email}) — Not going"
    )

    # Taking it off her calendar, from the card she answered on, asks nothing about emailing
    # guests: Google tells none.
    card.get_by_role("button", name="Delete…").click()
    dialog = page.locator("#delete-modal")
    expect(dialog).to_contain_text(f"{CAROL} organizes it: the other guests keep it.")
    dialog.get_by_role("button", name="Delete", exact=True).click()
    expect(signed_in.toast("Event deleted")).to_be_visible()
    # No undo: made again, it would be hers, and Carol's guests invited to a second one.
    expect(signed_in.toast("Event deleted").get_by_role("button", name="Undo")).to_have_count(0)
    expect(page.locator("#guests-modal")).to_be_hidden()
    expect(signed_in.event("Carol's review")).to_have_count(0)
    assert user.google.get(f"/events/{event['googleEventId']}").json()["status"] == "cancelled"

    # A new event's form is whole again.
    page.get_by_role("button", name="New event").click()
    expect(modal.get_by_label("Title", exact=True)).to_be_enabled()


def test_a_recurring_invitation_is_answered_for_one_occurrence_or_all(
    signed_in: CalendarPage,
) -> None:
    page, user = signed_in.page, signed_in.user
    start = at(11)
    zoned = {"timeZone": "America/New_York"}
    invitation(
        user,
        start.astimezone(UTC),
        "Carol's weekly",
        start={"dateTime": start.isoformat(), **zoned},
        end={"dateTime": start.replace(hour=12).isoformat(), **zoned},
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"],
    )
    signed_in.reload()
    card = signed_in.open_card("Carol's weekly")
    card.get_by_role("button", name="Yes").click()
    dialog = page.locator("#scope-modal")
    expect(dialog).to_contain_text("Answer recurring event")
    expect(dialog.get_by_label("This and following events")).to_be_hidden()
    dialog.get_by_label("All events").check()
    dialog.get_by_role("button", name="OK").click()
    expect(signed_in.toast("Your answer was sent")).to_be_visible()
    expect(card.locator(".guests li", has_text=user.email)).to_have_text(
        f"You ({user.email}) — Going"
    )
    expect(card.get_by_role("button", name="Yes")).to_have_attribute("aria-pressed", "true")
    window = {"start": start.isoformat(), "end": start.replace(year=start.year + 1).isoformat()}
    listed = user.api.get("/api/calendar/events", params=window).json()["items"]
    weekly = [e for e in listed if e["title"] == "Carol's weekly"]
    assert [e["myResponse"] for e in weekly] == ["accepted"] * 3


def _shown_then_unshared(signed_in: CalendarPage) -> None:
    """Bob's calendar, shared with the user to view, shown on the page; then no longer
    shared (the page not told yet)."""
    shared = _bobs_review_shared_to_view(signed_in)
    signed_in.reload()
    expect(signed_in.event("Bob's review")).to_be_visible()
    rule = f"/calendars/{shared}/acl/user:{signed_in.user.email}"
    assert google_as(signed_in.app, BOB).delete(rule).status_code == 204


def test_sync_now_says_which_calendars_left_the_users_google_calendars(
    signed_in: CalendarPage,
) -> None:
    page = signed_in.page
    _shown_then_unshared(signed_in)
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-status")).to_contain_text(
        "No longer in your Google calendars, so removed here: Bob's clients."
    )
    expect(page.locator("#calendar")).not_to_contain_text("Bob's review")


def test_an_open_page_drops_the_events_of_a_calendar_forgotten_elsewhere(
    signed_in: CalendarPage,
) -> None:
    _shown_then_unshared(signed_in)
    listed = signed_in.user.api.get("/api/calendar/calendars").json()["items"]  # another tab
    assert [c["summary"] for c in listed] == [signed_in.user.email]
    expect(signed_in.page.locator("#calendar")).not_to_contain_text("Bob's review")


def test_a_conflict_on_a_locked_invitation_keeps_the_organizers_details(
    signed_in: CalendarPage,
) -> None:
    page, user, app = signed_in.page, signed_in.user, signed_in.app
    start = at(11).astimezone(UTC)
    event = invitation(user, start, "Open agenda", guestsCanModify=True)
    app.emulator.fault(method="PATCH", status=503, times=10_000)  # Google away a while
    path = f"/api/calendar/events/{event['id']}"
    assert user.api.patch(path, json={"title": "Agenda v2"}).json()["syncStatus"] == "pending"
    locked = {  # meanwhile Carol stops her guests changing it
        **meeting(start, "Open agenda", CAROL, user.email),
        "iCalUID": user.google.get(f"/events/{event['googleEventId']}").json()["iCalUID"],
        "organizer": {"email": CAROL},
        "guestsCanModify": False,
    }
    assert user.google.post("/events/import", json=locked).status_code == 200
    app.emulator.http.delete(f"{app.emulator.url}/_emulator/faults").raise_for_status()
    assert sync(user)["status"] == "succeeded"
    signed_in.reload()

    signed_in.event("Agenda v2").click()  # a conflict opens at once
    modal = page.locator("#conflict-modal")
    expect(modal.locator("#conflict-explain")).to_contain_text(f"Only its organizer, {CAROL},")
    expect(modal.get_by_label("Keep mine")).to_have_count(0)
    expect(modal.locator('tr[data-field="title"]').get_by_label("Google")).to_be_checked()
    modal.get_by_role("button", name="Save").click()
    expect(modal).to_be_hidden()
    signed_in.expect_status("Open agenda", "synced")
