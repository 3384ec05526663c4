"""Undo from the toast, for ~10 s after a move, a resize, an edit or a delete: the previous
version comes back through the normal change path (it reaches Google and is audited)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from playwright.sync_api import expect

from tests.browser.calendar_page import CalendarPage, at
from tests.support.app import wait_for


def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _google(signed_in: CalendarPage, title: str) -> dict[str, Any]:
    return signed_in.google_event(title)


def _ends(signed_in: CalendarPage, title: str) -> datetime:
    return _utc(_google(signed_in, title)["end"]["dateTime"])


def _actions(signed_in: CalendarPage, event_id: str) -> list[str]:
    entries = signed_in.user.api.get("/api/audit", params={"eventId": event_id}).json()["items"]
    return [e["action"] for e in reversed(entries) if e["source"] == "ui"]


def test_a_move_and_a_resize_are_undone(signed_in: CalendarPage) -> None:
    made = signed_in.api_create("Standup", at(9))
    signed_in.reload()
    signed_in.drag(signed_in.event("Standup"), at(13))
    moved = signed_in.toast("Event moved.")
    expect(moved.get_by_role("button", name="Undo")).to_be_visible()
    signed_in.screenshot("undo-offered")
    moved.get_by_role("button", name="Undo").click()
    expect(signed_in.toast("Change undone.")).to_be_visible()
    signed_in.expect_status("Standup", "synced")
    wait_for(
        lambda: _utc(_google(signed_in, "Standup")["start"]["dateTime"]) == at(9).astimezone(UTC),
        what="the undone move to reach Google",
    )
    assert _utc(_google(signed_in, "Standup")["end"]["dateTime"]) == at(10).astimezone(UTC)
    assert _actions(signed_in, made["id"]) == ["update", "update"]

    signed_in.resize(signed_in.event("Standup"), at(11))
    wait_for(
        lambda: _ends(signed_in, "Standup") == at(11, 30).astimezone(UTC),
        what="the resize to reach Google",
    )
    signed_in.toast("Event moved.").last.get_by_role("button", name="Undo").click()
    wait_for(
        lambda: _ends(signed_in, "Standup") == at(10).astimezone(UTC),
        what="the undone resize to reach Google",
    )


def test_an_edit_is_undone(signed_in: CalendarPage) -> None:
    signed_in.api_create("Pipeline review", at(9), location="Room 1")
    signed_in.reload()
    signed_in.open_event("Pipeline review")
    signed_in.fill_form(title="Pipeline review (Q1)", location="Room 4")
    signed_in.save_form()
    signed_in.toast("Event saved.").get_by_role("button", name="Undo").click()
    expect(signed_in.event("Pipeline review (Q1)")).to_have_count(0)
    signed_in.expect_status("Pipeline review", "synced")
    wait_for(
        lambda: _google(signed_in, "Pipeline review")["location"] == "Room 1",
        what="the undone edit to reach Google",
    )


def test_a_delete_is_undone_and_the_offer_expires(signed_in: CalendarPage) -> None:
    page = signed_in.page
    contact = signed_in.user.api.post(
        "/api/contacts", json={"name": "Dana Scully", "emails": ["dana@acme.example"]}
    ).json()
    signed_in.api_create("Intro call", at(11), 30, location="Zoom", contactId=contact["id"])
    signed_in.reload()
    signed_in.open_event("Intro call")
    page.get_by_role("button", name="Delete…").click()
    page.locator("#delete-modal").get_by_role("button", name="Delete", exact=True).click()
    expect(signed_in.event("Intro call")).to_have_count(0)
    signed_in.toast("Event deleted.").get_by_role("button", name="Undo").click()
    expect(signed_in.toast("Event restored.")).to_be_visible()
    signed_in.expect_status("Intro call", "synced")
    restored = _google(signed_in, "Intro call")
    assert _utc(restored["start"]["dateTime"]) == at(11).astimezone(UTC)
    assert _utc(restored["end"]["dateTime"]) == at(11, 30).astimezone(UTC)
    assert restored["location"] == "Zoom"
    [mine] = [
        e
        for e in signed_in.user.api.get("/api/calendar/events").json()["items"]
        if e["title"] == "Intro call"
    ]
    assert mine["contactId"] == contact["id"]

    page.clock.install()  # the offer lasts about ten seconds, then the toast goes
    signed_in.drag(signed_in.event("Intro call"), at(14))
    offer = signed_in.toast("Event moved.").get_by_role("button", name="Undo")
    expect(offer).to_be_visible()
    page.clock.run_for(11_000)
    expect(offer).to_have_count(0)


def test_a_meet_added_from_the_form_is_undone(signed_in: CalendarPage) -> None:
    signed_in.api_create("Call with Gil", at(15))
    signed_in.reload()
    signed_in.open_event("Call with Gil")
    signed_in.page.get_by_label("Add a Google Meet video call").check()
    signed_in.save_form()
    signed_in.expect_status("Call with Gil", "synced")
    assert signed_in.google_event("Call with Gil")["hangoutLink"].startswith("https://meet.")
    signed_in.toast("Event saved.").get_by_role("button", name="Undo").click()
    expect(signed_in.toast("Change undone.")).to_be_visible()
    wait_for(
        lambda: "conferenceData" not in signed_in.google_event("Call with Gil"),
        what="the Meet taken off in Google",
    )


def test_a_call_taken_off_from_the_form_is_gone_and_offers_no_undo(
    signed_in: CalendarPage,
) -> None:
    """Its link cannot come back: the toast offers no Undo that would do nothing."""
    made = signed_in.api_create("Demo for Acme", at(17), addMeet=True)
    assert made["conference"] is not None
    signed_in.reload()
    signed_in.open_event("Demo for Acme")
    expect(signed_in.page.get_by_label("Add a Google Meet video call")).to_be_hidden()
    signed_in.page.get_by_label("Take the video call off this event").check()
    signed_in.save_form()
    saved = signed_in.toast("Event saved.")
    expect(saved).to_be_visible()
    expect(saved.get_by_role("button", name="Undo")).to_have_count(0)
    wait_for(
        lambda: "conferenceData" not in signed_in.google_event("Demo for Acme"),
        what="the call taken off in Google",
    )
    card = signed_in.open_card("Demo for Acme")
    expect(card.get_by_role("link", name="Google Meet (meet.google.com)")).to_have_count(0)
    assert _actions(signed_in, made["id"]) == ["update"]
