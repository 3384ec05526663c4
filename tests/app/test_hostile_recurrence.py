"""Recurrence rules cannot stall the server: bad rules are refused with the field named, and
the costliest valid ones, created here or arriving from Google, list and sync on a budget while
the server keeps answering."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest

from tests.support.app import AppHarness, RequestWatch
from tests.support.sync import sync

WEEK = {
    "startTime": "2027-01-04T09:00:00+01:00",
    "endTime": "2027-01-04T09:30:00+01:00",
    "timeZone": "Europe/Berlin",
}
REFUSED = [
    "RRULE:FREQ=DAILY;INTERVAL=0",
    "RRULE:FREQ=YEARLY;INTERVAL=0",
    "RRULE:FREQ=WEEKLY;INTERVAL=0;BYDAY=MO",
    "RRULE:FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=31",
    "RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30",
    "RRULE:FREQ=HOURLY;BYHOUR=25",
    "RRULE:FREQ=SECONDLY;BYSECOND=60",
    "RRULE:FREQ=DAILY;INTERVAL=-1",
    "RRULE:FREQ=DAILY;COUNT=-5",
    "RRULE:FREQ=DAILY;COUNT=0",
    "RRULE:FREQ=DAILY;COUNT=3;UNTIL=20270301T000000Z",
    "RRULE:FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29",
    "RRULE:FREQ=WEEKLY;BYDAY=XX",
    "RRULE:FREQ=WEEKLY;COLOR=RED",
    "RRULE:FREQ=DAILY;UNTIL=20271340",
    "RRULE:FREQ=YEARLY;BYMONTH=7;BYDAY=30MO",  # dateutil's walk ran off its year: a 500
    "RDATE:garbage",
    "RDATE;VALUE=PERIOD:20270105T090000Z/20270105T100000Z",
    "EXDATE;TZID=Mars/Olympus:20270111T090000",
]
# Valid, and as costly as a rule can be: every second, or a day that comes every few years.
COSTLY = [
    "RRULE:FREQ=SECONDLY",
    "RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=29",
    "RRULE:FREQ=MINUTELY;BYDAY=MO;BYMONTHDAY=13",
    "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29",
    "RRULE:FREQ=HOURLY;INTERVAL=7;BYHOUR=3",
]
CENTURIES = {"timeMin": "1900-01-01T00:00:00Z", "timeMax": "2100-01-01T00:00:00Z"}


@pytest.mark.parametrize("rule", REFUSED)
def test_a_rule_that_cannot_be_expanded_is_refused_naming_the_field(
    app: AppHarness, rule: str
) -> None:
    alice = app.user()
    started = time.monotonic()
    answer = alice.create(**WEEK, recurrence=[rule])
    assert time.monotonic() - started < 2
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["details"]["field"] == "recurrence"
    assert alice.api.get("/api/calendar/events").json()["items"] == []


def _listing(user_api: httpx.Client, params: dict[str, str]) -> dict[str, Any]:
    answer = user_api.get("/api/calendar/events", params=params)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


@pytest.mark.timing
def test_costly_rules_list_in_pages_while_health_keeps_answering(app: AppHarness) -> None:
    alice = app.user()
    with RequestWatch(app.url) as watch:
        for rule in COSTLY * 2:
            assert alice.create(**WEEK, recurrence=[rule]).status_code == 201
        threads = [threading.Thread(target=_listing, args=(alice.api, CENTURIES)) for _ in range(4)]
        for thread in threads:
            thread.start()
        page = _listing(alice.api, CENTURIES)
        for thread in threads:
            thread.join()
    assert watch.failures == 0
    assert watch.slowest < 1.0, watch.slowest
    assert len(page["items"]) == 2500
    assert page["nextPageToken"]
    starts = [item["startTime"] for item in page["items"]]
    assert starts[0].startswith("2027-01-04T09:00:00")
    second = _listing(alice.api, {**CENTURIES, "pageToken": page["nextPageToken"]})
    assert {i["id"] for i in second["items"]}.isdisjoint(i["id"] for i in page["items"])


def test_a_window_years_after_a_secondly_series_starts_lists_its_instances(
    app: AppHarness,
) -> None:
    alice = app.user()
    assert alice.create(**WEEK, recurrence=["RRULE:FREQ=SECONDLY;INTERVAL=30"]).status_code == 201
    window = {"timeMin": "2031-06-01T12:00:00Z", "timeMax": "2031-06-01T12:05:00Z"}
    items = _listing(alice.api, window)["items"]
    # Each 30-minute instance that overlaps the five minutes (14:00 to 14:05 in Berlin): those
    # starting from 13:30:30 to 14:04:30, every 30 seconds.
    assert len(items) == 69
    assert items[0]["startTime"].startswith("2031-06-01T13:30:30+02:00")
    assert items[-1]["startTime"].startswith("2031-06-01T14:04:30+02:00")


@pytest.mark.timing
def test_hostile_rules_from_google_are_recorded_and_the_rest_syncs(app: AppHarness) -> None:
    alice = app.user()
    hostile = [*REFUSED[:11], "RRULE:FREQ=SECONDLY"]
    app.emulator.seed(
        {
            "users": [
                {
                    "email": alice.email,
                    "events": [
                        {
                            "_raw": True,
                            "id": f"hostile{n:04d}",
                            "summary": f"rule {n}",
                            "start": {"dateTime": "2027-01-04T09:00:00", "timeZone": "UTC"},
                            "end": {"dateTime": "2027-01-04T10:00:00", "timeZone": "UTC"},
                            "recurrence": [rule],
                        }
                        for n, rule in enumerate(hostile)
                    ]
                    + [
                        {
                            "summary": "good one",
                            "start": {"date": "2027-01-05"},
                            "end": {"date": "2027-01-06"},
                        }
                    ],
                }
            ]
        }
    )
    with RequestWatch(app.url) as watch:
        run = sync(alice)
        _listing(alice.api, CENTURIES)
        listed = _listing(
            alice.api, {"timeMin": "2027-01-05T12:00:00Z", "timeMax": "2027-01-05T12:00:10Z"}
        )
    assert watch.slowest < 1.0, watch.slowest
    assert run["status"] == "succeeded", run
    assert {e["googleEventId"] for e in run["calendars"][0]["errors"]} == {
        f"hostile{n:04d}" for n in range(11)
    }
    titles = {item["title"] for item in listed["items"]}
    assert titles == {"good one", "rule 11"}


@pytest.mark.timing
def test_one_users_costly_listings_do_not_queue_ahead_of_anothers(app: AppHarness) -> None:
    alice, bob = app.user(), app.user("bob@example.com")
    for rule in COSTLY * 3:
        assert alice.create(**WEEK, recurrence=[rule]).status_code == 201
    made = bob.create(**WEEK, title="Bob's weekly", recurrence=["RRULE:FREQ=WEEKLY"])
    assert made.status_code == 201, made.text
    finished: list[str] = []

    def costly() -> None:
        _listing(alice.api, CENTURIES)
        finished.append("alice")

    threads = [threading.Thread(target=costly) for _ in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)  # hers are in line (each expands for up to 2 s)
    week = {"timeMin": "2027-01-04T00:00:00Z", "timeMax": "2027-01-11T00:00:00Z"}
    listed = _listing(bob.api, week)
    finished.append("bob")
    for thread in threads:
        thread.join()
    assert [i["title"] for i in listed["items"]] == ["Bob's weekly"]
    # Behind the one of hers that was expanding (and the next, had it just begun), not all.
    assert finished.index("bob") <= 2, finished
