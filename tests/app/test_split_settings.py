"""What a person set on a meeting in Google that touchbase does not show (who may see it, its
colour, its reminders, what guests may do, other apps' properties) is kept when touchbase
makes a copy of it: the new series of "this and following", and a meeting put back after it
was deleted in Google. Google's own split keeps them; so must touchbase's."""

from __future__ import annotations

from typing import Any

from tests.support.app import ApiUser, AppHarness
from tests.support.sync import sync

WINDOW = {"timeMin": "2027-03-01T00:00:00Z", "timeMax": "2027-04-01T00:00:00Z"}
SETTINGS: dict[str, Any] = {
    "visibility": "private",
    "colorId": "5",
    "reminders": {
        "useDefault": False,
        "overrides": [{"method": "popup", "minutes": 10}, {"method": "email", "minutes": 1440}],
    },
    "guestsCanModify": True,
    "guestsCanInviteOthers": False,
    "guestsCanSeeOtherGuests": False,
    "extendedProperties": {"shared": {"deal": "acme-42"}, "private": {"other-app": "x1"}},
}


def _series_from_google(user: ApiUser, **fields: Any) -> dict[str, Any]:
    made = user.google.post(
        "/events",
        json={
            "summary": "Weekly with Dana",
            "start": {"dateTime": "2027-03-03T15:00:00Z", "timeZone": "UTC"},
            "end": {"dateTime": "2027-03-03T15:30:00Z", "timeZone": "UTC"},
            "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4"],
            "attendees": [{"email": "dana@example.com"}],
            **SETTINGS,
            **fields,
        },
    )
    assert made.status_code == 200, made.text
    assert sync(user)["status"] == "succeeded"
    return dict(made.json())


def _kept(event: dict[str, Any]) -> dict[str, Any]:
    return {key: event.get(key) for key in SETTINGS}


def test_a_split_series_keeps_what_was_set_in_google_on_its_new_part(app: AppHarness) -> None:
    alice = app.user()
    _series_from_google(alice)
    alice.split_from(
        2, WINDOW, startTime="2027-03-17T16:00:00+00:00", endTime="2027-03-17T16:30:00+00:00"
    )
    parts = sorted(
        (e for e in alice.google_events() if e.get("recurrence") and e["status"] != "cancelled"),
        key=lambda e: e["start"]["dateTime"],
    )
    assert len(parts) == 2
    assert _kept(parts[1]) == _kept(parts[0]) == SETTINGS


def test_a_meeting_put_back_after_its_deletion_in_google_keeps_its_settings(
    app: AppHarness,
) -> None:
    alice = app.user()
    made = alice.google.post(
        "/events",
        json={
            "summary": "Call with Dana",
            "start": {"dateTime": "2027-03-10T15:00:00Z"},
            "end": {"dateTime": "2027-03-10T15:30:00Z"},
            **SETTINGS,
        },
    )
    assert made.status_code == 200, made.text
    assert sync(alice)["status"] == "succeeded"
    [event] = alice.api.get("/api/calendar/events", params=WINDOW).json()["items"]
    assert alice.google.delete(f"/events/{made.json()['id']}").status_code == 204
    renamed = alice.api.patch(
        f"/api/calendar/events/{event['id']}", json={"title": "Call with Dana (pricing)"}
    )
    assert renamed.status_code == 409, renamed.text
    back = alice.api.post(
        f"/api/calendar/events/{event['id']}/conflict", json={"resolution": "recreate"}
    )
    assert (back.status_code, back.json()["syncStatus"]) == (200, "synced"), back.text
    [again] = [e for e in alice.google_events() if e["status"] != "cancelled"]
    assert again["summary"] == "Call with Dana (pricing)"
    assert _kept(again) == SETTINGS


def test_a_split_out_of_office_series_stays_out_of_office(app: AppHarness) -> None:
    alice = app.user()
    away = {
        "autoDeclineMode": "declineOnlyNewConflictingInvitations",
        "declineMessage": "Away on Fridays.",
    }
    made = alice.google.post(
        "/events",
        json={
            "summary": "Away",
            "eventType": "outOfOffice",
            "outOfOfficeProperties": away,
            "start": {"dateTime": "2027-03-05T09:00:00Z", "timeZone": "UTC"},
            "end": {"dateTime": "2027-03-05T17:00:00Z", "timeZone": "UTC"},
            "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4"],
        },
    )
    assert made.status_code == 200, made.text
    assert sync(alice)["status"] == "succeeded"
    split = alice.split_from(2, WINDOW, title="Away (parental leave)")
    [tail] = [e for e in alice.google_events() if e["summary"] == "Away (parental leave)"]
    assert (tail["eventType"], tail["outOfOfficeProperties"]) == ("outOfOffice", away)
    assert split["eventType"] == "outOfOffice"
