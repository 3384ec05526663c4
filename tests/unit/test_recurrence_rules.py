"""Recurrence rules (pure): read strictly, checked fast, expanded on a budget."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import dateutil
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from touchbase.calendar.listing import LIST_PERIODS, LIST_SECONDS
from touchbase.domain import CalendarEvent, EventTime, EventValidationError, validate_event
from touchbase.domain.recurrence import FOREVER, occurrences, series_span
from touchbase.domain.rrules import Budget, BudgetExceeded, RecurrenceError, parse_rule

BERLIN = ZoneInfo("Europe/Berlin")


def series(*lines: str) -> CalendarEvent:
    return CalendarEvent(
        title="t",
        start=EventTime.at(datetime(2027, 1, 4, 9, tzinfo=BERLIN), "Europe/Berlin"),
        end=EventTime.at(datetime(2027, 1, 4, 10, tzinfo=BERLIN), "Europe/Berlin"),
        recurrence=lines,
    )


def test_the_dateutil_this_relies_on() -> None:
    # rrules.py counts dateutil's own iteration; its internals are pinned to this version.
    assert dateutil.__version__ == "4.0.0"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be in 1..10000"),
        ("FREQ=DAILY;BYHOUR=24", "BYHOUR must be in 0..23"),
        ("FREQ=MONTHLY;BYMONTHDAY=-32", "BYMONTHDAY must be in ±1..31"),
        ("FREQ=MONTHLY;BYDAY=6MO", "BYDAY must be in ±1..5"),
        # Within the month, in a yearly rule with BYMONTH (dateutil's walk of 30MO in July
        # ran off the end of its year: an IndexError, a 500 before).
        ("FREQ=YEARLY;BYMONTH=7;BYDAY=30MO", "BYDAY must be in ±1..5"),
        ("FREQ=YEARLY;BYDAY=54MO", "BYDAY must be in ±1..53"),
        ("FREQ=WEEKLY;BYDAY=2MO", "only in a monthly or yearly rule"),
        ("FREQ=DAILY;BYWEEKNO=3", "BYWEEKNO belongs to a yearly rule"),
        ("FREQ=DAILY;BYSETPOS=1", "BYSETPOS needs another BY part"),
        ("FREQ=DAILY;FREQ=WEEKLY", "FREQ appears twice"),
        ("INTERVAL=2", "FREQ must be one of"),
        ("FREQ=YEARLY;BYMONTH=4,6;BYMONTHDAY=31", "no chosen month has"),
        ("FREQ=DAILY;UNTIL=2027-01-01", "UNTIL must be a date"),
    ],
)
def test_each_wrong_part_is_named(value: str, message: str) -> None:
    with pytest.raises(RecurrenceError, match=message):
        parse_rule(value)


def test_a_rule_that_never_occurs_in_ten_years_is_invalid() -> None:
    with pytest.raises(EventValidationError) as caught:
        validate_event(series("RRULE:FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29"))
    assert caught.value.field == "recurrence"
    validate_event(series("RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"))


def test_a_budget_stops_a_walk_that_yields_nothing() -> None:
    # Valid, but a 29 February on a Monday comes once in 28 years: a walk of days.
    event = series("RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO")
    budget = Budget(periods=1000, seconds=10)
    with pytest.raises(BudgetExceeded):
        list(occurrences(event, BERLIN, until=FOREVER, budget=budget))


def test_a_window_far_ahead_skips_to_it_and_matches_a_walk_from_the_start() -> None:
    event = series("RRULE:FREQ=HOURLY;INTERVAL=5;BYDAY=TU,FR")
    since, until = datetime(2029, 3, 20, tzinfo=UTC), datetime(2029, 4, 10, tzinfo=UTC)
    skipped = [i.start for i in occurrences(event, BERLIN, until=until, since=since)]
    walked = [
        i.start for i in occurrences(event, BERLIN, until=until) if i.end.instant(BERLIN) > since
    ]
    assert skipped == walked
    assert len(skipped) > 10


def test_the_span_of_a_series_too_costly_to_end_is_open() -> None:
    assert series_span(series("RRULE:FREQ=SECONDLY;COUNT=100000"), BERLIN)[1] == FOREVER


PART = st.sampled_from(
    [
        *("INTERVAL", "COUNT", "BYSECOND", "BYMINUTE", "BYHOUR", "BYMONTHDAY", "BYYEARDAY"),
        *("BYWEEKNO", "BYMONTH", "BYSETPOS", "BYDAY", "WKST", "UNTIL"),
    ]
)
DAY = st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"])


@st.composite
def rules(draw: st.DrawFn) -> str:
    """RRULE values near and past the edges of every part's range."""
    parts = [f"FREQ={draw(st.sampled_from(['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY']))}"]
    parts[0] = draw(
        st.sampled_from([parts[0], "FREQ=HOURLY", "FREQ=MINUTELY", "FREQ=SECONDLY", parts[0]])
    )
    for name in draw(st.sets(PART, max_size=4)):
        number = st.one_of(st.integers(0, 13), st.integers(-400, 400))
        if name == "BYDAY":
            days = st.tuples(st.one_of(st.none(), st.integers(-60, 60)), DAY)
            value = ",".join(
                f"{n if n is not None else ''}{d}"
                for n, d in draw(st.lists(days, min_size=1, max_size=3))
            )
        elif name == "WKST":
            value = draw(DAY)
        elif name == "UNTIL":
            value = draw(st.sampled_from(["20270301", "20300101T000000Z", "20261231T000000Z"]))
        else:
            value = ",".join(str(v) for v in draw(st.lists(number, min_size=1, max_size=3)))
        parts.append(f"{name}={value}")
    return ";".join(parts)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules())
@example("FREQ=YEARLY;INTERVAL=1;BYMONTH=7;BYDAY=30MO")  # found by this test
def test_any_accepted_rule_expands_its_first_thousand_on_the_budget(value: str) -> None:
    rule = series(f"RRULE:{value}")
    started = time.perf_counter()
    try:
        validate_event(rule)
    except EventValidationError:
        assert time.perf_counter() - started < 0.5
        event("refused")
        return
    event("accepted")
    assert time.perf_counter() - started < 0.5
    budget = Budget(LIST_PERIODS, LIST_SECONDS)
    started = time.perf_counter()
    found = 0
    try:
        for _ in occurrences(rule, BERLIN, until=FOREVER, budget=budget):
            found += 1
            if found == 1000:
                break
    except BudgetExceeded:
        pass
    assert time.perf_counter() - started < LIST_SECONDS + 0.5
    assert found >= 1
