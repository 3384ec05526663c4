"""The pure touchpoint rules: the first free slot of a day, and the next date of a cadence."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from touchbase.domain.contacts import Cadence
from touchbase.domain.touchpoints import WorkingHours, first_free_slot, next_date

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2027, 3, 10)


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute), tzinfo=BERLIN)


def test_the_first_gap_long_enough_on_the_quarter_hour() -> None:
    busy = [(_at(9), _at(10)), (_at(10), _at(10, 20)), (_at(11), _at(12))]
    assert first_free_slot(DAY, WorkingHours(), BERLIN, busy, 30) == _at(10, 30)
    assert first_free_slot(DAY, WorkingHours(), BERLIN, busy, 45) == _at(12)
    assert first_free_slot(DAY, WorkingHours(), BERLIN, [], 30) == _at(9)


def test_spans_outside_working_hours_and_overlaps_count_once() -> None:
    busy = [(_at(7), _at(9, 10)), (_at(9, 5), _at(9, 40)), (_at(17), _at(18))]
    assert first_free_slot(DAY, WorkingHours(), BERLIN, busy, 30) == _at(9, 45)


def test_a_full_day_has_no_slot() -> None:
    hours = WorkingHours(time(9), time(12))
    busy = [(_at(9), _at(11, 45))]
    assert first_free_slot(DAY, hours, BERLIN, busy, 30) is None
    assert first_free_slot(DAY, hours, BERLIN, busy, 15) == _at(11, 45)


def test_a_slot_in_the_contacts_working_hours_comes_first_where_the_two_overlap() -> None:
    new_york, kolkata = ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")
    # Berlin 09:00-17:00 is New York's 03:00-11:00 (on 10 March 2027, both on winter time).
    assert first_free_slot(DAY, WorkingHours(), BERLIN, [], 30, theirs=new_york) == _at(15)
    busy = [(_at(15), _at(16, 10))]
    assert first_free_slot(DAY, WorkingHours(), BERLIN, busy, 30, theirs=new_york) == _at(16, 15)
    # Kolkata's 09:00 is Berlin's 04:30: their day is under way when the user's begins.
    assert first_free_slot(DAY, WorkingHours(), BERLIN, [], 30, theirs=kolkata) == _at(9)
    late = [(_at(9), _at(12, 50))]  # Kolkata closes at Berlin's 12:30; the user's hours go on
    assert first_free_slot(DAY, WorkingHours(), BERLIN, late, 30, theirs=kolkata) == _at(13)
    # The user's own hours say when the user calls, not when the contact works: from 06:00
    # in Berlin, a contact in London still gets their 09:00 (Berlin's 10:00).
    early = WorkingHours(time(6), time(17))
    london = ZoneInfo("Europe/London")
    assert first_free_slot(DAY, early, BERLIN, [], 30, theirs=london) == _at(10)


def test_no_overlap_or_their_weekend_leaves_the_users_own_hours() -> None:
    tokyo, auckland = ZoneInfo("Asia/Tokyo"), ZoneInfo("Pacific/Auckland")
    # Tokyo's 09:00-17:00 is Berlin's 01:00-09:00: no shared hour, the user's first slot.
    assert first_free_slot(DAY, WorkingHours(), BERLIN, [], 30, theirs=tokyo) == _at(9)
    # Los Angeles' Thursday and Friday 09:00-17:00 are Auckland's Friday and Saturday
    # 06:00-14:00: the hours shared with their Friday come first, not those of their Saturday.
    los_angeles = ZoneInfo("America/Los_Angeles")
    thursday, friday = date(2027, 3, 11), date(2027, 3, 12)
    at_noon = datetime.combine(thursday, time(12), tzinfo=los_angeles)
    assert (
        first_free_slot(thursday, WorkingHours(), los_angeles, [], 30, theirs=auckland) == at_noon
    )
    assert first_free_slot(
        friday, WorkingHours(), los_angeles, [], 30, theirs=auckland
    ) == datetime.combine(friday, time(9), tzinfo=los_angeles)
    assert first_free_slot(DAY, WorkingHours(), BERLIN, [], 30, theirs=BERLIN) == _at(9)


def test_working_hours_read_back_or_fall_back() -> None:
    assert WorkingHours.read({"start": "08:30", "end": "16:00"}) == WorkingHours(
        time(8, 30), time(16)
    )
    for bad in (None, {}, {"start": "17:00", "end": "09:00"}, {"start": "x", "end": "y"}):
        assert WorkingHours.read(bad) == WorkingHours()


def test_a_cadence_counts_from_the_last_contact_and_never_piles_up() -> None:
    today = date(2027, 3, 10)
    assert next_date(date(2027, 3, 1), Cadence(2, "week"), today=today) == date(2027, 3, 15)
    assert next_date(date(2027, 1, 31), Cadence(1, "month"), today=date(2027, 1, 1)) == date(
        2027, 2, 28
    )
    assert next_date(date(2026, 11, 30), Cadence(3, "month"), today=today) == date(2027, 3, 10)
    assert next_date(date(2027, 3, 9), Cadence(10, "day"), today=today) == today + timedelta(9)


def test_working_hours_read_back_what_they_store_and_find_the_next_working_day() -> None:
    hours = WorkingHours.checked("08:30", "12:00", [4, 0, 0])
    assert WorkingHours.read(hours.stored()) == hours
    assert hours.stored() == {"start": "08:30", "end": "12:00", "days": [0, 4]}
    saturday = date(2026, 12, 5)
    assert hours.working_day_from(saturday) == date(2026, 12, 7)  # Monday
    assert hours.working_day_from(date(2026, 12, 4)) == date(2026, 12, 4)  # a Friday stays
    assert hours.working_day_from(date(2026, 12, 8)) == date(2026, 12, 11)  # Tuesday -> Friday
    assert WorkingHours.read({"start": "17:00", "end": "09:00"}) == WorkingHours()
    assert WorkingHours.read({"start": "x"}) == WorkingHours()
