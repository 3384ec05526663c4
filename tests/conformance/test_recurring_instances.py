"""Finding one instance by its original start, and what a series edit does to exceptions."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conformance.conftest import ALICE
from tests.conformance.test_recurring import BERLIN, singles, weekly
from tests.support.servers import EmulatorControl

INSTANCES = "/calendars/primary/events/{}/instances"


def at(raw: httpx.Client, series_id: str, original: str, **params: Any) -> list[dict[str, Any]]:
    answer = raw.get(INSTANCES.format(series_id), params={"originalStart": original, **params})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def test_an_instance_is_found_by_its_original_start_however_far_ahead(raw: httpx.Client) -> None:
    weekly(raw, event_id="lookup0001", rules=["RRULE:FREQ=WEEKLY"])
    [far] = at(raw, "lookup0001", "2031-03-21T10:00:00+01:00")
    assert (far["recurringEventId"], far["start"]["dateTime"]) == (
        "lookup0001",
        "2031-03-21T10:00:00+01:00",
    )
    # The same instant written in UTC names the same instance; a time with none is empty.
    assert at(raw, "lookup0001", "2031-03-21T09:00:00Z")[0]["id"] == far["id"]
    assert at(raw, "lookup0001", "2031-03-21T11:00:00+01:00") == []


def test_a_moved_or_cancelled_instance_is_found_by_its_slot(raw: httpx.Client) -> None:
    weekly(raw, event_id="lookup0002", rules=["RRULE:FREQ=WEEKLY;COUNT=4"])
    second, third = singles(raw)[1:3]
    moved = raw.patch(
        f"/calendars/primary/events/{second['id']}",
        json={
            "start": {"dateTime": "2027-03-27T15:00:00", "timeZone": BERLIN},
            "end": {"dateTime": "2027-03-27T16:00:00", "timeZone": BERLIN},
        },
    )
    assert moved.status_code == 200
    [found] = at(raw, "lookup0002", "2027-03-26T10:00:00+01:00")
    assert found["start"]["dateTime"] == "2027-03-27T15:00:00+01:00"
    assert raw.delete(f"/calendars/primary/events/{third['id']}").status_code == 204
    assert at(raw, "lookup0002", third["originalStartTime"]["dateTime"]) == []
    [cancelled] = at(raw, "lookup0002", third["originalStartTime"]["dateTime"], showDeleted="true")
    assert cancelled["status"] == "cancelled"


def test_moving_a_series_drops_the_exceptions_whose_slots_it_lost(raw: httpx.Client) -> None:
    weekly(raw, event_id="lookup0003", rules=["RRULE:FREQ=WEEKLY;COUNT=3"])
    second = singles(raw)[1]
    raw.patch(f"/calendars/primary/events/{second['id']}", json={"summary": "Special"})
    # A new title for the series keeps the exception.
    renamed = raw.patch("/calendars/primary/events/lookup0003", json={"summary": "Weekly"})
    assert renamed.status_code == 200
    assert [e["summary"] for e in singles(raw)] == ["Weekly", "Special", "Weekly"]
    # A new time for the series: the old slots are gone, and so is their exception.
    moved = raw.patch(
        "/calendars/primary/events/lookup0003",
        json={
            "start": {"dateTime": "2027-03-19T12:00:00", "timeZone": BERLIN},
            "end": {"dateTime": "2027-03-19T13:00:00", "timeZone": BERLIN},
        },
    )
    assert moved.status_code == 200
    items = singles(raw)
    assert [(e["summary"], e["start"]["dateTime"][11:16]) for e in items] == [
        ("Weekly", "12:00"),
        ("Weekly", "12:00"),
        ("Weekly", "12:00"),
    ]
    [dropped] = [e for e in singles(raw, showDeleted="true") if e["status"] == "cancelled"]
    assert dropped["id"] == second["id"]


def test_this_and_following_in_googles_own_ui(raw: httpx.Client, emulator: EmulatorControl) -> None:
    weekly(raw, event_id="lookup0004", rules=["RRULE:FREQ=WEEKLY;UNTIL=20270430T215959Z"])
    raw.patch(
        "/calendars/primary/events/lookup0004",
        json={"extendedProperties": {"private": {"crm": "c1"}}},
    )
    later = singles(raw)[3]
    raw.patch(f"/calendars/primary/events/{later['id']}", json={"summary": "Special"})
    made = emulator.post(
        "/split",
        {
            "calendarId": ALICE,
            "eventId": "lookup0004",
            "originalStart": "2027-04-02T10:00:00+02:00",
        },
    )
    assert made["id"] == "lookup0004_R20270402T100000"
    assert made["recurrence"] == ["RRULE:FREQ=WEEKLY;UNTIL=20270430T215959Z"]
    assert made["extendedProperties"] == {"private": {"crm": "c1"}}, "copied to the new half"
    old = raw.get("/calendars/primary/events/lookup0004").json()
    assert old["recurrence"] == ["RRULE:FREQ=WEEKLY;UNTIL=20270401T215959Z"]
    items = singles(raw)
    assert [(e["recurringEventId"], e["summary"]) for e in items] == [
        ("lookup0004", "Standup"),
        ("lookup0004", "Standup"),
        ("lookup0004_R20270402T100000", "Standup"),
        ("lookup0004_R20270402T100000", "Standup"),
        ("lookup0004_R20270402T100000", "Standup"),
        ("lookup0004_R20270402T100000", "Standup"),
        ("lookup0004_R20270402T100000", "Standup"),
    ], "the later exception is lost, as Google's UI warns"
