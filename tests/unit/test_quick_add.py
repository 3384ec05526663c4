"""The emulator's quickAdd reading of simple English (one unit: the parser)."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from touchbase_emulator.quickadd import Parsed, event_body, parse

TODAY = date(2027, 6, 1)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Lunch with Dana tomorrow 12pm",
            Parsed("Lunch with Dana", date(2027, 6, 2), time(12)),
        ),
        (
            "Appointment at Somewhere on June 3rd 10am-10:25am",
            Parsed("Appointment", date(2027, 6, 3), time(10), time(10, 25), location="Somewhere"),
        ),
        (
            "Dinner with Sam on Friday at 7pm at Luigi's",
            Parsed("Dinner with Sam", date(2027, 6, 4), time(19), location="Luigi's"),
        ),
        ("Standup today 9:30am", Parsed("Standup", TODAY, time(9, 30))),
        ("Team offsite June 3", Parsed("Team offsite", date(2027, 6, 3))),
        ("Review 3 March", Parsed("Review", date(2028, 3, 3))),  # past this year: next year
        (
            "Call Bob at 15:00 for 30 minutes",
            Parsed("Call Bob", None, time(15), None, timedelta(minutes=30)),
        ),
        (
            "Workshop 2027-07-10 from 2 to 4pm",
            Parsed("Workshop", date(2027, 7, 10), time(14), time(16)),
        ),
        ("Planning next tuesday noon", Parsed("Planning", date(2027, 6, 8), time(12))),
        ("Sync 6/15 11-1pm", Parsed("Sync", date(2027, 6, 15), time(11), time(13))),
        ("Just a note", Parsed("Just a note")),
    ],
)
def test_simple_english_is_read_like_google_reads_it(text: str, expected: Parsed) -> None:
    assert parse(text, TODAY) == expected


def test_a_line_without_a_time_is_an_all_day_event_and_with_one_an_hour() -> None:
    tz = ZoneInfo("Europe/Berlin")
    all_day = event_body(parse("Holiday June 3", TODAY), tz, TODAY)
    assert all_day["start"] == {"date": "2027-06-03"}
    assert all_day["end"] == {"date": "2027-06-04"}
    timed = event_body(parse("Lunch tomorrow 12pm", TODAY), tz, TODAY)
    assert timed["start"] == {"dateTime": "2027-06-02T12:00:00+02:00"}
    assert timed["end"] == {"dateTime": "2027-06-02T13:00:00+02:00"}
    late = event_body(parse("Party today 11pm-1am", TODAY), tz, TODAY)
    assert late["end"] == {"dateTime": "2027-06-02T01:00:00+02:00"}  # past midnight


def test_numbers_that_are_not_times_stay_in_the_title() -> None:
    assert parse("Ship v2 release", TODAY).summary == "Ship v2 release"
    assert parse("Meet 25 people at 3pm", TODAY).start == time(15)


@pytest.mark.parametrize(
    "text",
    [
        "Party 9999-12-31 11pm-1am",
        "Trip 0001-01-01",
        "Nap for 99999999999999999999 hours",
        "Call 13/45 at 99:99",
        "x" * 5000,
    ],
)
def test_hostile_lines_make_an_event_or_stay_text_never_an_error(text: str) -> None:
    body = event_body(parse(text, TODAY), ZoneInfo("UTC"), TODAY)
    assert body["summary"]
    assert "start" in body
