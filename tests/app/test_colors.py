"""Colours as the user set them in Google: each calendar's (from their calendar list) and an
event's own (Google's event palette), shown by the API; colours from Google are untrusted
input (the pages put them in CSS)."""

from __future__ import annotations

from typing import Any

from tests.support.app import ApiUser, AppHarness
from tests.support.sharing import google_as
from tests.support.sync import sync

HOUR = {"start": {"dateTime": "2027-01-10T09:00:00Z"}, "end": {"dateTime": "2027-01-10T10:00:00Z"}}


def _calendars(user: ApiUser) -> dict[str, dict[str, Any]]:
    answer = user.api.get("/api/calendar/calendars")
    assert answer.status_code == 200, answer.text
    return {c["googleCalendarId"]: c for c in answer.json()["items"]}


def _set_list_colors(app: AppHarness, user: ApiUser, calendar_id: str, **colors: str) -> None:
    """Colours set in Google's calendar list as Google's own page does (RGB values)."""
    answer = google_as(app, user.email).patch(
        f"/users/me/calendarList/{calendar_id}", params={"colorRgbFormat": "true"}, json=colors
    )
    assert answer.status_code == 200, answer.text


def _color_ids(user: ApiUser) -> dict[str, str | None]:
    listed = user.api.get("/api/calendar/events").json()["items"]
    return {e["title"]: e["colorId"] for e in listed}


def test_calendars_and_events_show_the_colours_set_in_google(app: AppHarness) -> None:
    alice = app.user()
    _set_list_colors(app, alice, alice.email, backgroundColor="#A1B2C3", foregroundColor="#000000")
    primary = _calendars(alice)[alice.email]
    assert (primary["color"], primary["textColor"]) == ("#a1b2c3", "#000000")

    for title, color in (("Tomato", "11"), ("Plain", None)):
        body = {**HOUR, "summary": title, **({"colorId": color} if color else {})}
        assert alice.google.post("/events", json=body).status_code == 200
    assert sync(alice)["status"] == "succeeded"
    assert _color_ids(alice) == {"Tomato": "11", "Plain": None}

    tomato = next(e for e in alice.google_events() if e["summary"] == "Tomato")
    changed = alice.google.patch(f"/events/{tomato['id']}", json={"colorId": "5"})
    assert changed.status_code == 200, changed.text
    _set_list_colors(app, alice, alice.email, backgroundColor="#123456")
    assert sync(alice)["status"] == "succeeded"
    assert _color_ids(alice)["Tomato"] == "5"
    assert _calendars(alice)[alice.email]["color"] == "#123456"

    # A colour is Google's to change: an edit here keeps it, in Google too.
    [mine] = [e for e in alice.api.get("/api/calendar/events").json()["items"] if e["colorId"]]
    edited = alice.api.patch(
        f"/api/calendar/events/{mine['id']}",
        json={"title": "Tomato soup"},
        headers={"If-Match": mine["etag"]},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["colorId"] == "5"
    assert alice.google.get(f"/events/{tomato['id']}").json()["colorId"] == "5"


HOSTILE_COLORS: list[dict[str, Any]] = [
    {"backgroundColor": "red;}body{display:none", "foregroundColor": "#000000"},
    {"backgroundColor": "#abcdef\n", "foregroundColor": "#000000"},
    {"backgroundColor": "#abcdef", "foregroundColor": "url(https://example.com/x)"},
    {"backgroundColor": 5, "foregroundColor": None},
    {"backgroundColor": ["#abcdef"], "foregroundColor": {"a": 1}},
    {"backgroundColor": "#abc", "foregroundColor": "#000"},
]


def test_colours_from_google_that_are_not_colours_are_not_kept(app: AppHarness) -> None:
    alice = app.user()
    calendars = [
        {"id": f"odd{n}@group.calendar.google.com", "summary": f"Odd {n}", "listEntry": colors}
        for n, colors in enumerate(HOSTILE_COLORS)
    ]
    event = {"_raw": True, "id": "oddcolor0001", "summary": "Odd colour", **HOUR}
    app.emulator.seed(
        {
            "users": [
                {
                    "email": alice.email,
                    "calendars": calendars,
                    "events": [{**event, "colorId": "url(x)"}],
                }
            ]
        }
    )
    listed = _calendars(alice)
    for calendar in calendars:
        shown = listed[calendar["id"]]
        assert (shown["color"], shown["textColor"]) == (None, None), shown
    assert sync(alice)["status"] == "succeeded"
    assert _color_ids(alice) == {"Odd colour": None}
