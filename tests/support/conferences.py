"""Events with a video call, made in Google (a Meet, or a Zoom call an add-on made) or here
with a Meet asked for, as the conference tests share them."""

from __future__ import annotations

from typing import Any

from tests.support.app import ApiUser
from tests.support.sync import sync

MEETING = {
    "summary": "Call with Dana",
    "start": {"dateTime": "2027-03-10T15:00:00Z"},
    "end": {"dateTime": "2027-03-10T15:30:00Z"},
}
WINDOW = {"start": "2027-03-01T00:00:00Z", "end": "2027-04-01T00:00:00Z"}


def from_google(user: ApiUser, conference: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """An event made in Google with `conference`, synced: touchbase's first listed event of it
    (the first occurrence of a series)."""
    made = user.google.post(
        "/events",
        params={"conferenceDataVersion": "1"},
        json={**MEETING, "conferenceData": conference, **fields},
    )
    assert made.status_code == 200, made.text
    assert sync(user)["status"] == "succeeded"
    listed = user.api.get("/api/calendar/events", params=WINDOW).json()["items"]
    return next(e for e in listed if e["googleEventId"].startswith(made.json()["id"]))


def weekly_with_meet(user: ApiUser, count: int) -> dict[str, Any]:
    """A weekly series from March 10, 2027, made here with a Meet asked for: the API's answer."""
    made = user.create(
        title="Weekly with Dana",
        startTime="2027-03-10T15:00:00+00:00",
        endTime="2027-03-10T15:30:00+00:00",
        timeZone="UTC",
        recurrence=[f"RRULE:FREQ=WEEKLY;COUNT={count}"],
        addMeet=True,
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


def zoom(uri: str, name: str = "Zoom Meeting") -> dict[str, Any]:
    return {
        "conferenceSolution": {"key": {"type": "addOn"}, "name": name},
        "entryPoints": [
            {"entryPointType": "phone", "uri": "tel:+1-555-0100"},
            {"entryPointType": "video", "uri": uri},
        ],
    }


def meet_of(google_event: dict[str, Any]) -> str:
    link = google_event["hangoutLink"]
    assert isinstance(link, str)
    assert link.startswith("https://meet.google.com/")
    return link
