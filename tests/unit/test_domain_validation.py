"""Event validation (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from touchbase.domain import Attendee, CalendarEvent, EventTime, EventValidationError
from touchbase.domain import validate_event as validate

START = EventTime.at(datetime(2027, 1, 1, 9, tzinfo=UTC), "Europe/Berlin")
END = EventTime.at(datetime(2027, 1, 1, 10, tzinfo=UTC), "Europe/Berlin")


def event(**changes: object) -> CalendarEvent:
    return CalendarEvent(title="t", start=START, end=END).replace(**changes)


def fields(bad: CalendarEvent) -> list[str]:
    with pytest.raises(EventValidationError) as caught:
        validate(bad)
    return [p.field for p in caught.value.problems]


def test_a_plain_event_is_valid() -> None:
    validate(event())
    validate(
        event(start=EventTime.all_day(date(2027, 1, 1)), end=EventTime.all_day(date(2027, 1, 2)))
    )


def test_every_problem_is_named() -> None:
    bad = event(
        title="x" * 1025, attendees=(Attendee("ok@example.com"), Attendee("nope")), end=START
    )
    assert fields(bad) == ["title", "endTime", "attendees[1]"]


@pytest.mark.parametrize("address", ["a@b", "a b@c.de", "@c.de", "a@-c.de", "x" * 250 + "@c.de"])
def test_bad_emails(address: str) -> None:
    assert fields(event(attendees=(Attendee(address),))) == ["attendees[0]"]


def test_naive_times_and_mixed_kinds() -> None:
    naive = EventTime.at(datetime(2027, 1, 1, 9))
    assert fields(event(start=naive)) == ["startTime"]
    assert fields(event(end=EventTime.all_day(date(2027, 1, 2)))) == ["endTime"]
    assert fields(event(start=EventTime())) == ["startTime"]


def test_all_day_end_is_exclusive() -> None:
    day = EventTime.all_day(date(2027, 1, 1))
    assert fields(event(start=day, end=day)) == ["endTime"]


def test_recurrence_needs_a_zone_and_valid_rules() -> None:
    utc = EventTime.at(datetime(2027, 1, 1, 9, tzinfo=UTC))
    utc_end = EventTime.at(datetime(2027, 1, 1, 10, tzinfo=UTC))
    assert fields(event(start=utc, end=utc_end, recurrence=("RRULE:FREQ=DAILY",))) == ["timeZone"]
    assert fields(event(recurrence=("RRULE:FREQ=NEVER",))) == ["recurrence"]
    assert fields(event(recurrence=("BANANA",))) == ["recurrence"]
    validate(event(recurrence=("RRULE:FREQ=WEEKLY;BYDAY=MO,WE", "EXDATE:20270104T090000Z")))


def test_same_content_ignores_version_and_offsets() -> None:
    a = event(id="abc12", etag='"1"')
    berlin = timezone(timedelta(hours=1))
    same_instant = EventTime.at(datetime(2027, 1, 1, 10, tzinfo=berlin), "Europe/Berlin")
    b = event(id="abc12", etag='"2"', start=same_instant)
    assert a.same_content(b)
    assert not a.same_content(a.replace(title="other"))
    later = EventTime.at(datetime(2027, 1, 1, 11, tzinfo=berlin), "Europe/Berlin")
    assert not a.same_content(a.replace(start=later))
