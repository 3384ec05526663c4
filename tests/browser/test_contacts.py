"""The CRM pages: the contacts list, a contact's page (timeline, planning a touchpoint, logging
after a meeting) and the Due view, in a real Chromium."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.calendar_page import NEW_YORK, CalendarPage, at, today


def test_an_empty_list_says_what_to_do_and_a_new_contact_opens_its_page(
    signed_in: CalendarPage,
) -> None:
    page = signed_in.page
    page.get_by_role("link", name="Contacts").click()
    expect(page.locator("#contacts-empty")).to_be_visible()
    expect(page.locator("#contacts-empty")).to_contain_text("Add the people you keep in touch with")
    title, new = page.locator("h1").bounding_box(), page.locator("#new-contact").bounding_box()
    imports = page.locator("#import-contacts").bounding_box()
    assert title is not None
    assert new is not None
    assert imports is not None
    assert new["width"] < 300, "the buttons keep their own width"
    assert imports["y"] == new["y"], "side by side"
    assert new["y"] < title["y"] + title["height"], "on the title's line"
    page.get_by_role("button", name="New contact").click()
    page.get_by_label("Name").fill("Dana Scully")
    page.get_by_label("Emails").fill("dana@acme.example, not-an-email")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#contact-form-error")).to_be_visible()
    expect(page.get_by_label("Emails")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Emails").fill("dana@acme.example")
    page.get_by_label("Company").fill("Acme")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#contact-name")).to_have_text("Dana Scully")
    expect(page.locator("#contact-company")).to_have_text("Acme")
    signed_in.screenshot("contact-page-new")


def test_the_list_sorts_by_next_touchpoint_and_marks_the_overdue(
    signed_in: CalendarPage,
) -> None:
    page, api = signed_in.page, signed_in.user.api
    people = {
        name: api.post("/api/contacts", json={"name": name, "company": company}).json()
        for name, company in (("Ann Archer", "Acme"), ("Ben Baker", "Globex"), ("Cy Cole", ""))
    }
    late = {"contactId": people["Cy Cole"]["id"], "dueAt": (at(9) - timedelta(days=3)).isoformat()}
    soon = {
        "contactId": people["Ben Baker"]["id"],
        "dueDate": (today() + timedelta(days=2)).isoformat(),
    }
    for body in (late, soon):
        assert api.post("/api/touchpoints", json=body).status_code == 201
    page.goto(signed_in.app.url + "/contacts")
    rows = page.locator("#contact-rows tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Cy Cole")
    expect(rows.nth(0).locator(".badge.error")).to_be_visible()
    expect(rows.nth(1)).to_contain_text("Ben Baker")
    expect(rows.nth(2)).to_contain_text("Ann Archer")
    page.get_by_label("Sort by").select_option("name")
    expect(rows.nth(0)).to_contain_text("Ann Archer")
    page.get_by_label("Search contacts").fill("glob")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ben Baker")


def test_a_contact_page_plans_a_touchpoint_and_logs_a_meeting(signed_in: CalendarPage) -> None:
    page, api = signed_in.page, signed_in.user.api
    dana = api.post(
        "/api/contacts",
        json={
            "name": "Dana Scully",
            "emails": ["dana@acme.example"],
            "company": "Acme",
        },
    ).json()
    signed_in.api_create(
        "Intro call with Dana", at(9) - timedelta(days=4), attendees=["dana@acme.example"]
    )
    demo = signed_in.api_create(
        "Demo for Acme", at(16) + timedelta(days=2), attendees=["dana@acme.example"], addMeet=True
    )
    page.goto(f"{signed_in.app.url}/contacts/{dana['id']}")
    expect(page.locator("#timeline-past")).to_contain_text("Intro call with Dana")
    join = page.locator("#timeline-upcoming").get_by_role("link", name="Join Google Meet")
    expect(join).to_have_attribute("href", demo["conference"]["url"])
    expect(page.locator("#last-contacted")).not_to_have_text("never")
    day = today() + timedelta(days=3)
    page.get_by_label("Day", exact=True).fill(day.isoformat())
    page.get_by_label("Message or agenda").fill("Send the proposal")
    page.get_by_role("button", name="Plan touchpoint").click()
    expect(signed_in.toast("Touchpoint planned")).to_be_visible()
    expect(page.locator("#next-touchpoint")).to_contain_text("Send the proposal")
    cadence = {"cadence": {"every": 2, "unit": "week"}}
    assert api.patch(f"/api/contacts/{dana['id']}", json=cadence).status_code == 200
    page.reload()
    expect(page.locator("#cadence")).to_have_text("every 2 weeks")
    monthly = {"cadence": {"every": 1, "unit": "month"}}
    assert api.patch(f"/api/contacts/{dana['id']}", json=monthly).status_code == 200
    page.reload()
    expect(page.locator("#cadence")).to_have_text("every month")
    assert api.patch(f"/api/contacts/{dana['id']}", json=cadence).status_code == 200
    page.reload()
    expect(page.locator("#next-touchpoint .touchpoint")).to_have_count(1)  # the one planned
    expect(page.locator("#timeline-upcoming")).to_contain_text("Touchpoint: Dana Scully")
    assert signed_in.google_event("Touchpoint: Dana Scully")["description"] == "Send the proposal"
    page.get_by_label("Log").select_option("no_show")
    page.get_by_label("About").select_option(
        label=page.locator("#log-meeting option").nth(1).inner_text()
    )
    page.get_by_label("What happened").fill("She did not join.")
    page.get_by_role("button", name="Log it").click()
    expect(page.locator("#timeline-past")).to_contain_text("no-show")
    expect(page.locator("#last-contacted")).to_have_text("never")
    signed_in.screenshot("contact-page")
    page.locator("#timeline-past").get_by_role("link", name="Intro call with Dana").click()
    card = page.locator("#event-card")  # the calendar opens at the meeting, its card shown
    expect(card.get_by_role("heading")).to_have_text("Intro call with Dana")
    expect(signed_in.event("Intro call with Dana")).to_be_visible()


def test_a_contact_page_shows_their_time_and_plans_in_their_working_hours(
    signed_in: CalendarPage,
) -> None:
    """Alice opens the page of a contact in Berlin: it says what time it is there, and a
    touchpoint given a day only goes where Berlin's working day meets hers: her hours begin
    at 06:00 (in her calendar's zone, UTC here), the call at Berlin's 09:00, not its 07:00."""
    page, api = signed_in.page, signed_in.user.api
    berlin = ZoneInfo("Europe/Berlin")
    ines = api.post("/api/contacts", json={"name": "Ines", "timeZone": "Europe/Berlin"}).json()
    page.goto(f"{signed_in.app.url}/contacts/{ines['id']}")
    clock = page.locator("#contact-clock")
    expect(clock).to_be_visible()
    expect(clock).to_contain_text("their time (Europe/Berlin)")
    shown = clock.inner_text().split(" their time")[0]
    there = [datetime.now(berlin) + timedelta(minutes=m) for m in (-1, 0)]
    assert shown in {f"{t.strftime('%I').lstrip('0')}:{t:%M %p}" for t in there}, shown
    expect(page.locator("#plan-their-hours")).to_be_visible()

    settings = {"workingHours": {"start": "06:00", "end": "17:00", "days": [0, 1, 2, 3, 4, 5, 6]}}
    assert api.patch("/api/settings", json=settings).status_code == 200
    day = today() + timedelta(days=3)
    page.get_by_label("Day", exact=True).fill(day.isoformat())
    page.get_by_role("button", name="Plan touchpoint").click()
    expect(signed_in.toast("Touchpoint planned")).to_be_visible()
    planned = api.get(f"/api/contacts/{ines['id']}").json()["nextTouchpoint"]
    start = datetime.fromisoformat(planned["dueAt"])
    assert start.astimezone(berlin).hour == 9, "Berlin's 09:00, not Alice's 06:00"
    assert start.astimezone(NEW_YORK).date() == day

    eli = api.post("/api/contacts", json={"name": "Eli"}).json()  # no zone: no clock
    page.goto(f"{signed_in.app.url}/contacts/{eli['id']}")
    expect(page.locator("#contact-name")).to_have_text("Eli")
    expect(page.locator("#contact-clock")).to_be_hidden()
    expect(page.locator("#plan-their-hours")).to_be_hidden()
    # The zone field suggests IANA's names, and takes one as people say it.
    zone = page.get_by_label("Time zone")
    assert page.locator("#c-zone-names option[value='Europe/Berlin']").count() == 1
    zone.fill("Pacific Time")
    page.locator("#contact-form").get_by_role("button", name="Save").click()
    expect(zone).to_have_value("America/Los_Angeles")
    expect(page.locator("#contact-clock")).to_contain_text("their time (America/Los_Angeles)")


def test_a_double_click_saves_once(signed_in: CalendarPage) -> None:
    """A double click on a form's button sends it once: one contact (a person without an
    email was added twice), one touchpoint (two, each with its event in Google), one note
    (logged twice), from the contact's page and from an event's dialog alike; a touchpoint
    marked done once (it said so twice)."""
    page, api = signed_in.page, signed_in.user.api
    page.get_by_role("button", name="New event").click()
    signed_in.fill_form(title="Call with Gil", start=at(11), end=at(11, 30))
    modal = page.locator("#event-modal")
    modal.get_by_role("combobox", name="Contact").fill("Gil Grissom")
    page.get_by_role("option").get_by_role("button", name="Create contact “Gil Grissom”…").click()
    modal.locator("#contact-new").get_by_role("button", name="Create contact").dblclick()
    expect(modal.locator("#contact-new")).to_be_hidden()
    signed_in.save_form()
    # A past meeting, yesterday: at no hour of the run can it lie under today's call's card.
    start = at(15, day=today() - timedelta(days=1))
    signed_in.api_create("Demo for Acme", start, attendees=["gil@lvpd.example"])
    gil = api.get("/api/contacts", params={"q": "gil"}).json()["items"][0]
    patched = api.patch(f"/api/contacts/{gil['id']}", json={"emails": ["gil@lvpd.example"]})
    assert patched.status_code == 200, patched.text
    signed_in.reload()
    if today().weekday() == 6:  # Sunday: yesterday was last week's Saturday
        page.locator(".fc-prev-button").click()
    signed_in.open_event("Demo for Acme")
    log = page.locator("#ev-log")
    log.get_by_label("Notes").fill("Wants a pilot")
    log.get_by_role("button", name="Log it").dblclick()
    expect(signed_in.toast("Logged on Gil Grissom's timeline")).to_be_visible()

    page.goto(signed_in.app.url + "/contacts")
    page.get_by_role("button", name="New contact").click()
    page.get_by_label("Name").fill("Ann Perkins")
    page.get_by_role("button", name="Save").dblclick()
    expect(page.locator("#contact-name")).to_have_text("Ann Perkins")
    page.get_by_label("Day", exact=True).fill((today() + timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Plan touchpoint").dblclick()
    expect(page.locator("#next-touchpoint .touchpoint")).to_have_count(1)
    page.locator("#next-touchpoint").get_by_role("button", name="Done").dblclick()
    expect(signed_in.toast("Marked done.")).to_be_visible()
    page.wait_for_timeout(500)  # a second answer, if a second request went, has come
    expect(signed_in.toast("Marked done.")).to_have_count(1)
    page.get_by_label("What happened").fill("Called about the pilot")
    page.get_by_role("button", name="Log it").dblclick()
    expect(page.locator("#timeline-past")).to_contain_text("Called about the pilot")
    page.wait_for_timeout(500)  # a second request, if one went, has been answered

    names = sorted(c["name"] for c in api.get("/api/contacts").json()["items"])
    assert names == ["Ann Perkins", "Gil Grissom"]
    assert len(api.get("/api/touchpoints").json()["items"]) == 1
    ann = next(c for c in api.get("/api/contacts").json()["items"] if c["name"] == "Ann Perkins")
    for contact, note in ((ann, "Called about the pilot"), (gil, "Wants a pilot")):
        past = api.get(f"/api/contacts/{contact['id']}/timeline").json()["past"]
        assert [e["notes"] for e in past if e["kind"] == "interaction"] + [
            n["notes"] for e in past if e["kind"] == "meeting" for n in e["logged"]
        ] == [note], past


def test_the_due_view_marks_done_and_reschedules(signed_in: CalendarPage) -> None:
    page, api = signed_in.page, signed_in.user.api
    eli = api.post(
        "/api/contacts", json={"name": "Eli Vance", "cadence": {"every": 1, "unit": "month"}}
    ).json()
    ann = api.post("/api/contacts", json={"name": "Ann Archer"}).json()
    late = (at(9) - timedelta(days=2)).isoformat()
    assert (
        api.post("/api/touchpoints", json={"contactId": eli["id"], "dueAt": late}).status_code
        == 201
    )
    soon = (today() + timedelta(days=2)).isoformat()
    assert (
        api.post("/api/touchpoints", json={"contactId": ann["id"], "dueDate": soon}).status_code
        == 201
    )
    page.get_by_role("link", name="Due").click()
    overdue = page.locator("#due-overdue li")
    expect(overdue).to_have_count(1)
    expect(overdue.first).to_contain_text("Eli Vance")
    overdue.first.get_by_role("button", name="Done").click()
    expect(page.locator("#due-overdue")).to_contain_text("Nothing here.")
    planned = api.get(
        "/api/touchpoints", params={"contactId": eli["id"], "status": "planned"}
    ).json()
    assert [t["origin"] for t in planned["items"]] == ["cadence"]
    week = page.locator("#due-thisWeek li", has_text="Ann Archer")
    later = (today() + timedelta(days=5)).isoformat()
    week.get_by_label("New day for Ann Archer").fill(later)
    week.get_by_role("button", name="Reschedule").click()
    expect(signed_in.toast("Rescheduled")).to_be_visible()
    [moved] = api.get("/api/touchpoints", params={"contactId": ann["id"]}).json()["items"]
    assert moved["dueDate"] == later


def test_a_touchpoint_moved_while_its_event_moved_in_google_leads_to_the_conflict(
    signed_in: CalendarPage,
) -> None:
    page, api = signed_in.page, signed_in.user.api
    ann = api.post("/api/contacts", json={"name": "Ann Archer"}).json()
    soon = at(10, day=today() + timedelta(days=2))
    planned = api.post("/api/touchpoints", json={"contactId": ann["id"], "dueAt": soon.isoformat()})
    assert planned.status_code == 201, planned.text
    event = api.get(f"/api/calendar/events/{planned.json()['eventId']}").json()
    in_google = soon + timedelta(hours=3)
    moved_there = signed_in.user.google.patch(
        f"/events/{event['googleEventId']}",
        json={
            "start": {"dateTime": in_google.isoformat()},
            "end": {"dateTime": (in_google + timedelta(minutes=30)).isoformat()},
        },
    )
    assert moved_there.status_code == 200, moved_there.text

    page.get_by_role("link", name="Due").click()
    item = page.locator("#due-thisWeek li", has_text="Ann Archer")
    later = (today() + timedelta(days=5)).isoformat()
    item.get_by_label("New day for Ann Archer").fill(later)
    item.get_by_role("button", name="Reschedule").click()
    told = signed_in.toast("Its event was changed in Google Calendar too")
    expect(told).to_contain_text("Rescheduled.")
    [moved] = api.get("/api/touchpoints", params={"contactId": ann["id"]}).json()["items"]
    assert moved["dueDate"] == later, "the reschedule was made"

    told.get_by_role("link", name="Open the event").click()
    modal = page.locator("#conflict-modal")
    expect(modal).to_be_visible()
    expect(modal.locator('tr[data-field="startTime"]')).to_have_class("differs disputed")
    modal.get_by_label("Keep mine").check()
    modal.get_by_role("button", name="Save").click()
    expect(modal).to_be_hidden()
    signed_in.expect_status("Touchpoint: Ann Archer", "synced")
    kept = signed_in.google_event("Touchpoint: Ann Archer")["start"]["dateTime"]
    assert datetime.fromisoformat(kept).astimezone(NEW_YORK).date().isoformat() == later


def test_a_csv_import_previews_each_row_then_adds_them_all(
    signed_in: CalendarPage, tmp_path: Path
) -> None:
    page = signed_in.page
    page.goto(signed_in.app.url + "/contacts")
    bad = tmp_path / "people.csv"
    bad.write_text(
        "Name,Email,Company,Time Zone\n"
        "Ann Archer,ann@acme.example,Acme,W. Europe Standard Time\nBen,ben@,Globex,\n"
    )
    page.get_by_role("button", name="Import…").click()
    page.get_by_label("File").set_input_files(bad)
    rows = page.locator("#import-rows tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Europe/Berlin")  # the zone as it will be kept
    expect(rows.nth(1)).to_contain_text("emails[0]")
    expect(page.locator("#import-summary")).to_contain_text("1 with problems")
    expect(page.locator("#import-go")).to_be_disabled()

    good = tmp_path / "people-fixed.csv"
    good.write_text(
        "Name,Email,Company\nAnn Archer,ann@acme.example,Acme\nBen,ben@globex.example,Globex\n"
    )
    page.get_by_label("File").set_input_files(good)
    expect(page.locator("#import-rows tr[data-status=new]")).to_have_count(2)
    badge = page.locator("#import-rows tr[data-status=new] .badge").first
    badge_box, cell_box = badge.bounding_box(), badge.locator("xpath=..").bounding_box()
    assert badge_box
    assert cell_box
    assert badge_box["height"] < cell_box["height"], "a pill in its cell, not the cell"
    page.get_by_role("button", name="Import 2 contacts").click()
    expect(page.locator("#import-modal")).not_to_be_visible()
    expect(page.locator("#contact-rows tr")).to_have_count(2)
    expect(page.locator("#contact-rows")).to_contain_text("Ben")
    expect(page.locator("#contact-rows")).to_contain_text("Acme")

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Export CSV").click()
    download = downloading.value
    assert download.suggested_filename == "touchbase-contacts.csv"
    lines = Path(download.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Name,Emails,Company")
    assert lines[1:] == [
        "Ann Archer,ann@acme.example,Acme,,,,,,,",
        "Ben,ben@globex.example,Globex,,,,,,,",
    ]


def test_spreadsheets_saved_by_windows_programs_import_their_accents(
    signed_in: CalendarPage, tmp_path: Path
) -> None:
    # Excel's and Outlook's "CSV" is in the Windows code page; Excel's "Unicode text" is
    # UTF-16 with tabs between the cells.
    files = {
        "excel.csv": ("Name,Email\r\nJürgen Müller,jm@acme.example\r\n", "cp1252"),
        "unicode.txt": ("Name\tEmail\r\nZoë Łukasz\tzl@acme.example\r\n", "utf-16"),
    }
    page = signed_in.page
    page.goto(signed_in.app.url + "/contacts")
    for name, (text, encoding) in files.items():
        saved = tmp_path / name
        saved.write_bytes(text.encode(encoding))
        page.get_by_role("button", name="Import…").click()
        page.get_by_label("File").set_input_files(saved)
        page.get_by_role("button", name="Import 1 contact").click()
        expect(page.locator("#import-modal")).not_to_be_visible()
    names = [c["name"] for c in signed_in.user.api.get("/api/contacts").json()["items"]]
    assert names == ["Jürgen Müller", "Zoë Łukasz"]


def test_a_phones_address_book_with_pictures_imports_whole(
    signed_in: CalendarPage, tmp_path: Path
) -> None:
    # 30 cards with a 48 KB picture each, as a phone exports them: 1.5 MB, over a request's
    # 1 MiB. The pictures (and the lines folded under them) are not sent.
    picture = "".join(f" {'A' * 74}\r\n" for _ in range(650))
    cards = "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {n}\r\n"
        f"item1.EMAIL;type=INTERNET;type=pref:person{n}@acme.example\r\n"
        f"item1.X-ABLabel:_$!<Work>!$_\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ\r\n{picture}"
        f"TEL;type=CELL:+1 555 01{n:02}\r\nEND:VCARD\r\n"
        for n in range(30)
    )
    assert len(cards) > 1_500_000
    book = tmp_path / "contacts.vcf"
    book.write_text(cards, newline="")
    page = signed_in.page
    page.goto(signed_in.app.url + "/contacts")
    page.get_by_role("button", name="Import…").click()
    page.get_by_label("File").set_input_files(book)
    expect(page.locator("#import-rows tr[data-status=new]")).to_have_count(30)
    page.get_by_role("button", name="Import 30 contacts").click()
    expect(page.locator("#import-modal")).not_to_be_visible()
    found = signed_in.user.api.get("/api/contacts", params={"q": "Person 29"}).json()["items"]
    assert [(c["emails"], c["phone"]) for c in found] == [
        (["person29@acme.example"], "+1 555 0129")
    ]


def test_working_hours_are_set_on_the_settings_page(signed_in: CalendarPage) -> None:
    page = signed_in.page
    reads: list[str] = []
    page.on(
        "request", lambda r: r.method == "GET" and "/api/settings" in r.url and reads.append(r.url)
    )
    page.goto(signed_in.app.url + "/settings")
    expect(page.locator("#hours-start")).to_have_value("09:00")
    [calendar] = signed_in.user.api.get("/api/calendar/calendars").json()["items"]
    hours = page.locator("section[aria-labelledby=hours-title]")
    calendars_zone = f"(in {calendar['timeZone']}, your primary calendar's zone)"
    expect(hours).to_contain_text(calendars_zone)
    expect(page.locator("#guest-emails")).to_be_enabled()
    expect(page.locator("#time-zone")).to_be_enabled()
    assert len(reads) == 1, "the page reads the settings once, for all its parts"
    page.locator("#time-zone").fill("America/Los_Angeles")
    page.get_by_role("button", name="Save time zone").click()
    expect(hours).to_contain_text("(in America/Los_Angeles, the time zone you chose below)")
    page.locator("#time-zone").fill("")
    page.get_by_role("button", name="Save time zone").click()
    expect(hours).to_contain_text(calendars_zone)
    page.locator("#time-zone").fill("America/Los_Angeles")
    page.get_by_role("button", name="Save time zone").click()
    expect(hours).to_contain_text("(in America/Los_Angeles, the time zone you chose below)")
    page.locator("#hours-start").fill("18:00")
    page.get_by_role("button", name="Save working hours").click()
    expect(page.locator("#hours-error")).to_contain_text("workingHours.end")
    expect(page.locator("#hours-end")).to_have_attribute("aria-invalid", "true")
    page.locator("#hours-start").fill("10:00")
    page.get_by_label("Fri").uncheck()
    page.get_by_role("button", name="Save working hours").click()
    expect(page.locator(".toast.success", has_text="Working hours saved")).to_be_visible()
    page.reload()
    expect(page.locator("#hours-start")).to_have_value("10:00")
    expect(page.get_by_label("Fri")).not_to_be_checked()
    expect(page.get_by_label("Thu")).to_be_checked()
    hours = signed_in.user.api.get("/api/settings").json()["workingHours"]
    assert hours == {"start": "10:00", "end": "17:00", "days": [0, 1, 2, 3]}


def test_the_event_dialog_creates_a_contact_and_offers_their_email_as_a_guest(
    signed_in: CalendarPage,
) -> None:
    page = signed_in.page
    page.get_by_role("button", name="New event").click()
    signed_in.fill_form(title="Intro with Gil", start=at(10), end=at(11))
    modal = page.locator("#event-modal")
    modal.get_by_role("combobox", name="Contact").fill("Gil Grissom")
    page.get_by_role("option").get_by_role("button", name="Create contact “Gil Grissom”…").click()
    new = modal.locator("#contact-new")
    expect(new.get_by_label("Name", exact=True)).to_have_value("Gil Grissom")
    new.get_by_label("Email").fill("not-an-email")
    new.get_by_role("button", name="Create contact").click()
    expect(new.locator("#cn-error")).to_contain_text("emails")
    expect(new.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    new.get_by_label("Email").fill("gil@lvpd.example")
    new.get_by_label("Email").press("Enter")  # creates the contact, does not save the event
    expect(new).to_be_hidden()
    expect(modal).to_be_visible()
    expect(modal.get_by_role("combobox", name="Contact")).to_have_value("Gil Grissom")
    expect(modal.locator("#contact-guest-offer")).to_contain_text("gil@lvpd.example")
    modal.get_by_role("button", name="Add as guest").click()
    expect(modal.get_by_label("Attendees")).to_have_value("gil@lvpd.example")
    signed_in.save_form(email_guests=False)
    signed_in.expect_status("Intro with Gil", "synced")
    google = signed_in.google_event("Intro with Gil")
    assert [a["email"] for a in google["attendees"]] == ["gil@lvpd.example"]
    [gil] = signed_in.user.api.get("/api/contacts", params={"q": "gil"}).json()["items"]
    assert gil["emails"] == ["gil@lvpd.example"]
    listed = signed_in.user.api.get("/api/calendar/events").json()["items"]
    assert next(e for e in listed if e["title"] == "Intro with Gil")["contactId"] == gil["id"]


def test_deleting_a_touchpoints_event_asks_what_became_of_it(signed_in: CalendarPage) -> None:
    page, api = signed_in.page, signed_in.user.api
    eli = api.post("/api/contacts", json={"name": "Eli Vance"}).json()
    planned = api.post(
        "/api/touchpoints", json={"contactId": eli["id"], "dueAt": at(15).isoformat()}
    )
    assert planned.status_code == 201, planned.text
    touchpoint = planned.json()
    signed_in.reload()
    signed_in.open_event("Touchpoint: Eli Vance")
    page.get_by_role("button", name="Delete…").click()
    dialog = page.locator("#delete-modal")
    expect(dialog.locator("#delete-touchpoint")).to_be_visible()
    dialog.get_by_label("What became of the touchpoint?").select_option("skipped")
    dialog.get_by_role("button", name="Delete", exact=True).click()
    expect(signed_in.toast("touchpoint marked skipped")).to_be_visible()
    expect(signed_in.event("Touchpoint: Eli Vance")).to_have_count(0)
    after = api.get(f"/api/touchpoints/{touchpoint['id']}").json()
    assert (after["status"], after["eventId"]) == ("skipped", None)
    google = [e for e in signed_in.user.google_events() if e["summary"] == "Touchpoint: Eli Vance"]
    assert [e["status"] for e in google] == ["cancelled"]


def test_a_touchpoints_event_deleted_while_changed_in_google_waits_for_a_choice(
    signed_in: CalendarPage,
) -> None:
    page, api = signed_in.page, signed_in.user.api
    eli = api.post("/api/contacts", json={"name": "Eli Vance"}).json()
    planned = api.post(
        "/api/touchpoints", json={"contactId": eli["id"], "dueAt": at(15).isoformat()}
    ).json()
    event = api.get(f"/api/calendar/events/{planned['eventId']}").json()
    agenda = {"description": "Agenda from Google"}
    assert signed_in.user.google.patch(f"/events/{event['googleEventId']}", json=agenda).is_success
    signed_in.reload()
    signed_in.open_event("Touchpoint: Eli Vance")
    page.get_by_role("button", name="Delete…").click()
    dialog = page.locator("#delete-modal")
    dialog.get_by_label("What became of the touchpoint?").select_option("skipped")
    dialog.get_by_role("button", name="Delete", exact=True).click()
    expect(signed_in.toast("Touchpoint marked skipped.")).to_be_visible()
    modal = page.locator("#conflict-modal")
    expect(modal).to_contain_text("It was changed in Google Calendar after you deleted it here.")
    modal.get_by_role("button", name="Later").click()

    waiting = page.locator("#waiting-conflicts")  # not on the calendar, yet not lost from sight
    expect(waiting).to_contain_text("Touchpoint: Eli Vance")
    expect(waiting).to_contain_text("deleted here, changed in Google Calendar")
    signed_in.screenshot("waiting-conflicts")
    waiting.get_by_role("button", name="Choose what to keep").click()
    modal.get_by_label("Keep Google's").check()
    modal.get_by_role("button", name="Save").click()
    expect(modal).to_be_hidden()
    expect(waiting).to_be_hidden()
    signed_in.expect_status("Touchpoint: Eli Vance", "synced")
    assert signed_in.google_event("Touchpoint: Eli Vance")["description"] == "Agenda from Google"
    assert api.get(f"/api/touchpoints/{planned['id']}").json()["status"] == "skipped"


def test_an_outcome_is_logged_from_the_event_against_its_guest(signed_in: CalendarPage) -> None:
    page, api = signed_in.page, signed_in.user.api
    dana = api.post(
        "/api/contacts", json={"name": "Dana Scully", "emails": ["dana@acme.example"]}
    ).json()
    start = datetime.now(NEW_YORK).replace(second=0, microsecond=0) - timedelta(hours=3)
    if start.hour >= 22:  # both meetings end before midnight (one across it shows twice)
        start = start.replace(hour=21)
    signed_in.api_create("Demo for Acme", start, attendees=["Dana@Acme.example"])
    signed_in.api_create(
        "Planning", start + timedelta(hours=1), 30, attendees=["eli@globex.example"]
    )
    signed_in.reload()
    if start.date() < today() and today().weekday() == 6:  # Sunday: last week's Saturday
        page.locator(".fc-prev-button").click()
    signed_in.open_event("Planning")
    expect(page.locator("#ev-log")).to_be_hidden()  # nobody's meeting: no guest is a contact
    page.locator("#event-modal").get_by_role("button", name="Cancel").click()
    signed_in.open_event("Demo for Acme")
    log = page.locator("#ev-log")
    expect(log).to_be_visible()
    expect(log.get_by_label("About")).to_have_text("Dana Scully")
    log.get_by_label("What happened").select_option("held")
    log.get_by_label("Notes").fill("Wants a pilot in Q1")
    log.get_by_role("button", name="Log it").click()
    expect(signed_in.toast("Logged on Dana Scully's timeline")).to_be_visible()
    timeline = api.get(f"/api/contacts/{dana['id']}/timeline").json()
    [meeting] = [m for m in timeline["past"] if m["kind"] == "meeting"]
    assert [(i["outcome"], i["notes"]) for i in meeting["logged"]] == [
        ("held", "Wants a pilot in Q1")
    ]


def test_a_touchpoint_done_before_its_event_offers_to_free_its_time(
    signed_in: CalendarPage,
) -> None:
    page, api = signed_in.page, signed_in.user.api
    ann = api.post("/api/contacts", json={"name": "Ann Archer"}).json()
    soon = (today() + timedelta(days=2)).isoformat()
    made = api.post("/api/touchpoints", json={"contactId": ann["id"], "dueDate": soon})
    assert made.status_code == 201, made.text
    event_path = f"/api/calendar/events/{made.json()['eventId']}"
    page.get_by_role("link", name="Due").click()
    item = page.locator("#due-thisWeek li", has_text="Ann Archer")
    item.get_by_role("button", name="Done").click()
    offer = signed_in.toast("is still in your calendar")
    expect(offer).to_be_visible()
    assert api.get(event_path).json()["deleted"] is False  # kept unless the user says so

    offer.get_by_role("button", name="Remove the event").click()
    expect(signed_in.toast("Its event was removed from your calendar.")).to_be_visible()
    assert api.get(event_path).status_code == 404
    [done] = api.get("/api/touchpoints", params={"contactId": ann["id"]}).json()["items"]
    assert (done["status"], done["eventId"]) == ("done", None)
