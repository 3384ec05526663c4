"""The common rules expanded by arithmetic give exactly dateutil's starts: daily and weekly,
every N, on chosen days, with COUNT, UNTIL and EXDATE, across DST, from any window on."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rruleset
from hypothesis import given, settings
from hypothesis import strategies as st

from touchbase.domain.events import CalendarEvent, EventTime
from touchbase.domain.recurrence import _dates, _dtstart, _simple_set
from touchbase.domain.rrules import BudgetedRule, parse_rule, start_near

BERLIN = ZoneInfo("Europe/Berlin")
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@st.composite
def common_series(draw: st.DrawFn) -> tuple[CalendarEvent, datetime | None]:
    weekly = draw(st.booleans())
    parts = [f"FREQ={'WEEKLY' if weekly else 'DAILY'}"]
    interval = draw(st.integers(1, 3))
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    if weekly and draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=7, unique=True))
        parts.append("BYDAY=" + ",".join(chosen))
    first = draw(st.dates(date(2026, 1, 1), date(2028, 12, 31)))
    all_day = draw(st.booleans())
    end = draw(st.sampled_from(["none", "count", "until"]))
    if end == "count":
        parts.append(f"COUNT={draw(st.integers(1, 60))}")
    elif end == "until":
        last = first + timedelta(days=draw(st.integers(0, 400)))
        parts.append(
            f"UNTIL={last:%Y%m%d}"
            if all_day
            else f"UNTIL={last:%Y%m%d}T{draw(st.integers(0, 23)):02d}0000Z"
        )
    lines = ["RRULE:" + ";".join(parts)]
    if all_day:
        start, end_time = EventTime.all_day(first), EventTime.all_day(first + timedelta(days=1))
    else:
        at = datetime.combine(first, time(draw(st.integers(0, 23)), 30), tzinfo=BERLIN)
        start = EventTime.at(at, "Europe/Berlin")
        end_time = EventTime.at(at + timedelta(minutes=30), "Europe/Berlin")
    if draw(st.booleans()):
        skipped = first + timedelta(days=draw(st.integers(0, 60)))
        lines.append(
            f"EXDATE;VALUE=DATE:{skipped:%Y%m%d}"
            if all_day
            else f"EXDATE;TZID=Europe/Berlin:{skipped:%Y%m%d}T{start.date_time:%H%M%S}"
        )
    event = CalendarEvent(title="s", start=start, end=end_time, recurrence=tuple(lines))
    since = None
    if draw(st.booleans()):
        since = datetime.combine(
            first + timedelta(days=draw(st.integers(-10, 700))), time(), tzinfo=BERLIN
        )
    return event, since


def dateutil_starts(event: CalendarEvent, since: datetime | None) -> list[datetime]:
    start, zone = _dtstart(event, BERLIN)
    rules = rruleset()
    for line in event.recurrence:
        head, _, value = line.partition(":")
        if head.startswith("RRULE"):
            parts = parse_rule(value)
            rules.rrule(BudgetedRule(parts, start_near(parts, start, since), None))
        else:
            for moment in _dates(head.split(";")[1:], value, start, zone):
                rules.exdate(moment)
    return _from(rules, since, zone)


def _from(found: object, since: datetime | None, zone: ZoneInfo | None) -> list[datetime]:
    out = []
    for moment in found:  # type: ignore[attr-defined]
        aware = moment.replace(tzinfo=BERLIN) if zone is None else moment
        if since is not None and aware < since:  # the same from `since` on
            continue
        out.append(moment)
        if len(out) >= 80:
            break
    return out


@settings(max_examples=400, deadline=None)
@given(common_series())
def test_the_common_rules_expand_as_dateutil_expands_them(
    case: tuple[CalendarEvent, datetime | None],
) -> None:
    event, since = case
    start, zone = _dtstart(event, BERLIN)
    fast = _simple_set(event, start, zone, None, since)
    assert fast is not None, event.recurrence
    assert _from(fast, since, zone) == dateutil_starts(event, since)
