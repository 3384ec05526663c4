"""Tests of your own code that talks to Google Calendar, run against the emulator."""

from __future__ import annotations

from typing import Any


def book_lunch(calendar: Any, day: str) -> dict[str, Any]:
    """The code under test: book a lunch with a Meet link unless the hour is taken."""
    window = {"timeMin": f"{day}T12:00:00Z", "timeMax": f"{day}T13:00:00Z"}
    busy = calendar.freebusy().query(body={**window, "items": [{"id": "primary"}]}).execute()
    if busy["calendars"]["primary"]["busy"]:
        return {}
    body = {
        "summary": "Lunch",
        "start": {"dateTime": window["timeMin"]},
        "end": {"dateTime": window["timeMax"]},
        "conferenceData": {"createRequest": {"requestId": f"lunch-{day}"}},
    }
    event: dict[str, Any] = (
        calendar.events().insert(calendarId="primary", body=body, conferenceDataVersion=1).execute()
    )
    return event


def test_books_lunch_with_a_meet_link(calendar: Any) -> None:
    event = book_lunch(calendar, "2027-03-01")
    assert event["hangoutLink"].startswith("https://meet.google.com/")
    assert (
        calendar.events().get(calendarId="primary", eventId=event["id"]).execute()["summary"]
        == "Lunch"
    )


def test_does_not_double_book(calendar: Any) -> None:
    calendar.events().quickAdd(calendarId="primary", text="Dentist March 1 2027 12pm").execute()
    assert book_lunch(calendar, "2027-03-01") == {}
