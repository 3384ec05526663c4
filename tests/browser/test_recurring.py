"""Recurring events on the calendar page: the repeat picker, the pattern in words, and the
"This event / This and following events / All events" dialog for edit, drag, resize and delete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import Locator, expect

from tests.browser.calendar_page import CalendarPage, at, today
from tests.support.app import wait_for

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def weekly_series(
    signed_in: CalendarPage, title: str, first: datetime, count: int = 3
) -> dict[str, Any]:
    return signed_in.api_create(
        title,
        first,
        recurrence=[f"RRULE:FREQ=WEEKLY;COUNT={count}"],
        timeZone="America/New_York",
    )


def google_occurrences(signed_in: CalendarPage) -> list[tuple[str, datetime]]:
    """(title, UTC start) of every occurrence in Google, by start."""
    window = {
        "singleEvents": "true",
        "timeMin": (at(0) - timedelta(days=15)).isoformat(),
        "timeMax": (at(0) + timedelta(days=30)).isoformat(),
    }
    items = signed_in.user.google.get("/events", params=window).json()["items"]
    found = [(e.get("summary", ""), _utc(e["start"]["dateTime"])) for e in items]
    return sorted(found, key=lambda pair: pair[1])


def scope_dialog(signed_in: CalendarPage) -> Locator:
    dialog = signed_in.page.locator("#scope-modal")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("This event")).to_be_checked()  # Google's default
    return dialog


def choose_scope(signed_in: CalendarPage, choice: str) -> None:
    dialog = scope_dialog(signed_in)
    dialog.get_by_label(choice, exact=True).check()
    dialog.get_by_role("button", name="OK").click()
    expect(dialog).to_be_hidden()


def test_the_repeat_picker_makes_a_rule_and_says_it_in_words(signed_in: CalendarPage) -> None:
    page = signed_in.page
    page.get_by_role("button", name="New event").click()
    signed_in.fill_form(title="Check-in", start=at(9), end=at(9, 30))
    modal = page.locator("#event-modal")
    weekday = WEEKDAYS[today().weekday()]
    repeat = modal.get_by_label("Repeat")
    repeat.select_option(label=f"Weekly on {weekday}")
    words = modal.locator("#ev-repeat-words")
    expect(words).to_have_text(f"Weekly on {weekday[:3]}")
    repeat.select_option(label="Custom…")
    modal.get_by_label("Every how many").fill("2")
    modal.get_by_label("Unit").select_option(label="weeks")
    modal.get_by_label(weekday, exact=True).check()
    modal.get_by_label("After").check()
    modal.get_by_label("Number of occurrences").fill("3")
    expect(words).to_have_text(f"Every 2 weeks on {weekday[:3]}, 3 times")
    signed_in.save_form()
    signed_in.expect_status("Check-in", "synced")
    series = signed_in.google_event("Check-in")
    code = CODES[today().weekday()]
    assert series["recurrence"] == [f"RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY={code};COUNT=3"]
    tile = signed_in.event("Check-in")
    expect(tile).to_have_attribute("title", f"Check-in: Every 2 weeks on {weekday[:3]}, 3 times")
    signed_in.open_event("Check-in")
    expect(modal.locator("#event-series-note")).to_contain_text("Every 2 weeks")
    expect(repeat).to_have_value("custom")


def test_edit_one_occurrence_asks_and_changes_only_that_one(signed_in: CalendarPage) -> None:
    weekly_series(signed_in, "Pipeline review", at(9) - timedelta(days=7))
    signed_in.reload()
    signed_in.open_event("Pipeline review")
    signed_in.fill_form(title="Pipeline review (QBR)")
    signed_in.page.locator("#event-modal").get_by_role("button", name="Save").click()
    choose_scope(signed_in, "This event")
    signed_in.expect_status("Pipeline review (QBR)", "synced")
    assert [t for t, _ in google_occurrences(signed_in)] == [
        "Pipeline review",
        "Pipeline review (QBR)",
        "Pipeline review",
    ]


def test_drag_an_occurrence_for_all_events(signed_in: CalendarPage) -> None:
    weekly_series(signed_in, "Standup", at(9))
    signed_in.reload()
    signed_in.drag(signed_in.event("Standup"), at(13))
    choose_scope(signed_in, "All events")
    wait_for(
        lambda: (
            [s for _, s in google_occurrences(signed_in)]
            == [(at(13) + timedelta(days=7 * n)).astimezone(UTC) for n in range(3)]
        ),
        what="the whole series to move",
    )
    signed_in.expect_status("Standup", "synced")


def test_resize_an_occurrence_for_this_and_following(signed_in: CalendarPage) -> None:
    weekly_series(signed_in, "Review", at(9) - timedelta(days=7), count=4)
    signed_in.reload()
    signed_in.resize(signed_in.event("Review"), at(10))
    choose_scope(signed_in, "This and following events")
    wait_for(
        lambda: len([e for e in signed_in.user.google_events() if e.get("recurrence")]) == 2,
        what="the series to split",
    )
    signed_in.expect_status("Review", "synced")
    live = [e for e in signed_in.user.google_events() if e.get("recurrence")]
    lengths = sorted(
        (_utc(e["end"]["dateTime"]) - _utc(e["start"]["dateTime"]), e["recurrence"][0])
        for e in live
    )
    assert lengths == [
        (timedelta(hours=1), "RRULE:FREQ=WEEKLY;COUNT=1"),
        (timedelta(hours=1, minutes=30), "RRULE:FREQ=WEEKLY;COUNT=3"),
    ]
    assert len(google_occurrences(signed_in)) == 4


def test_delete_one_occurrence_and_cancel_a_drag(signed_in: CalendarPage) -> None:
    weekly_series(signed_in, "Check-in", at(11))
    signed_in.reload()
    signed_in.drag(signed_in.event("Check-in"), at(15))
    scope_dialog(signed_in).get_by_role("button", name="Cancel").click()
    expect(signed_in.page.locator("#scope-modal")).to_be_hidden()
    assert google_occurrences(signed_in)[0][1] == at(11).astimezone(UTC)
    signed_in.open_event("Check-in")
    signed_in.page.get_by_role("button", name="Delete…").click()
    choose_scope(signed_in, "This event")
    expect(signed_in.event("Check-in")).to_have_count(0)
    wait_for(lambda: len(google_occurrences(signed_in)) == 2, what="the occurrence to go")
    assert google_occurrences(signed_in)[0][1] == (at(11) + timedelta(days=7)).astimezone(UTC)
