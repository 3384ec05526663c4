"""freeBusy.query from the stored events, and events.quickAdd, through Google's client."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.conformance.conftest import ALICE, BOB, ServiceFactory, timed
from tests.support.servers import EmulatorControl

DAY_MIN, DAY_MAX = "2027-05-03T00:00:00Z", "2027-05-04T00:00:00Z"


def _busy(service: Any, *ids: str, time_zone: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "timeMin": DAY_MIN,
        "timeMax": DAY_MAX,
        "items": [{"id": i} for i in ids],
    }
    if time_zone:
        body["timeZone"] = time_zone
    return dict(service.freebusy().query(body=body).execute()["calendars"])


def test_busy_periods_merge_and_skip_free_cancelled_and_declined_events(alice: Any) -> None:
    events = alice.events()
    for start, end, extra in [
        ("09:00", "10:00", {}),
        ("09:30", "11:00", {}),  # overlaps the first: one period 9:00-11:00
        ("12:00", "13:00", {"transparency": "transparent"}),
        ("14:00", "15:00", {"attendees": [{"email": ALICE, "responseStatus": "declined"}]}),
        ("23:00", "23:59", {}),
    ]:
        events.insert(
            calendarId="primary",
            body=timed(f"2027-05-03T{start}:00Z", f"2027-05-03T{end}:00Z", **extra),
        ).execute()
    cancelled = events.insert(
        calendarId="primary", body=timed("2027-05-03T16:00:00Z", "2027-05-03T17:00:00Z")
    ).execute()
    events.delete(calendarId="primary", eventId=cancelled["id"]).execute()
    busy = _busy(alice, "primary")["primary"]["busy"]
    assert busy == [
        {"start": "2027-05-03T09:00:00Z", "end": "2027-05-03T11:00:00Z"},
        {"start": "2027-05-03T23:00:00Z", "end": "2027-05-03T23:59:00Z"},
    ]


def test_series_all_day_events_and_time_zones(alice: Any) -> None:
    berlin = alice.calendars().insert(body={"summary": "B", "timeZone": "Europe/Berlin"}).execute()
    alice.events().insert(
        calendarId=berlin["id"],
        body={
            "summary": "Daily",
            "start": {"dateTime": "2027-05-01T08:00:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2027-05-01T08:30:00", "timeZone": "Europe/Berlin"},
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=5"],
        },
    ).execute()
    alice.events().insert(
        calendarId="primary",
        body={"summary": "Trip", "start": {"date": "2027-05-03"}, "end": {"date": "2027-05-04"}},
    ).execute()
    answer = _busy(alice, berlin["id"], "primary", time_zone="America/New_York")
    assert answer[berlin["id"]]["busy"] == [
        {"start": "2027-05-03T02:00:00-04:00", "end": "2027-05-03T02:30:00-04:00"}
    ]
    assert answer["primary"]["busy"] == [  # midnight to midnight in the calendar's zone (UTC)
        {"start": "2027-05-02T20:00:00-04:00", "end": "2027-05-03T20:00:00-04:00"}
    ]


def test_a_calendar_the_caller_cannot_see_is_an_error_not_an_answer(
    service_for: ServiceFactory,
) -> None:
    alice, bob = service_for(ALICE), service_for(BOB)
    bob.events().insert(
        calendarId="primary", body=timed("2027-05-03T10:00:00Z", "2027-05-03T11:00:00Z")
    ).execute()
    hidden = _busy(alice, BOB)[BOB]
    assert hidden["errors"] == [{"domain": "global", "reason": "notFound"}]
    assert hidden["busy"] == []
    bob.acl().insert(
        calendarId="primary",
        body={"role": "freeBusyReader", "scope": {"type": "user", "value": ALICE}},
    ).execute()
    assert _busy(alice, BOB)[BOB]["busy"] == [
        {"start": "2027-05-03T10:00:00Z", "end": "2027-05-03T11:00:00Z"}
    ]


def test_a_query_without_its_window_is_refused(raw: httpx.Client) -> None:
    answer = raw.post("/freeBusy", json={"timeMax": DAY_MAX, "items": [{"id": "primary"}]})
    assert answer.status_code == 400
    assert answer.json()["error"]["errors"][0]["location"] == "timeMin"
    backwards = raw.post("/freeBusy", json={"timeMin": DAY_MAX, "timeMax": DAY_MIN, "items": []})
    assert backwards.status_code == 400


def test_quick_add_makes_the_event_the_line_describes(
    emulator: EmulatorControl, service_for: ServiceFactory
) -> None:
    emulator.seed({"users": [{"email": "kim@example.com", "timeZone": "America/Chicago"}]})
    kim = service_for("kim@example.com")
    before = datetime.now(ZoneInfo("America/Chicago")).date()
    made = (
        kim.events().quickAdd(calendarId="primary", text="Lunch with Dana tomorrow 12pm").execute()
    )
    after = datetime.now(ZoneInfo("America/Chicago")).date()
    assert made["summary"] == "Lunch with Dana"
    start = datetime.fromisoformat(made["start"]["dateTime"])
    assert start.date() in {before + timedelta(days=1), after + timedelta(days=1)}
    assert (start.hour, start.minute) == (12, 0)
    assert start.utcoffset() == ZoneInfo("America/Chicago").utcoffset(start.replace(tzinfo=None))
    end = datetime.fromisoformat(made["end"]["dateTime"])
    assert end - start == timedelta(hours=1)
    stored = kim.events().get(calendarId="primary", eventId=made["id"]).execute()
    assert stored == made
    place = (
        kim.events()
        .quickAdd(calendarId="primary", text="Appointment at Somewhere on June 3rd 10am-10:25am")
        .execute()
    )
    assert place["location"] == "Somewhere"
    assert place["start"]["dateTime"].endswith("T10:00:00-05:00")
    assert place["end"]["dateTime"].endswith("T10:25:00-05:00")


def test_quick_add_needs_text(raw: httpx.Client) -> None:
    answer = raw.post("/calendars/primary/events/quickAdd")
    assert answer.status_code == 400
    assert answer.json()["error"]["errors"][0]["location"] == "text"


def test_a_quick_add_line_too_long_is_refused(raw: httpx.Client) -> None:
    answer = raw.post("/calendars/primary/events/quickAdd", params={"text": "x" * 2000})
    assert answer.status_code == 400
    assert answer.json()["error"]["errors"][0]["location"] == "text"
