"""RRULE lines read strictly (RFC 5545 §3.3.10 ranges) and expanded on a budget.

A recurrence rule is untrusted input, from the API or from anyone who sends the user an
invitation. dateutil does the RRULE arithmetic, but it trusts its rule: `INTERVAL=0` never
yields a second occurrence, and a rule whose days never match (`BYMONTH=2;BYMONTHDAY=30`) walks
every day up to the year 9999 before it gives up. So a rule is parsed here first, every part
checked against the RFC's ranges, and every expansion runs on a `Budget`: dateutil's own
iteration is counted period by period (a day, a week, a month... of the rule's frequency) and
stops with `BudgetExceeded` once the budget's periods or its time are spent.
"""

from __future__ import annotations

import re
import time
import types
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import rrule as _dateutil

FREQUENCIES = {
    "YEARLY": _dateutil.YEARLY,
    "MONTHLY": _dateutil.MONTHLY,
    "WEEKLY": _dateutil.WEEKLY,
    "DAILY": _dateutil.DAILY,
    "HOURLY": _dateutil.HOURLY,
    "MINUTELY": _dateutil.MINUTELY,
    "SECONDLY": _dateutil.SECONDLY,
}
WEEKDAYS = {
    "MO": _dateutil.MO,
    "TU": _dateutil.TU,
    "WE": _dateutil.WE,
    "TH": _dateutil.TH,
    "FR": _dateutil.FR,
    "SA": _dateutil.SA,
    "SU": _dateutil.SU,
}
MAX_INTERVAL = 10_000
MAX_COUNT = 100_000
MAX_LIST = 400  # values in one BY* list
# (RFC name, dateutil keyword, smallest, largest, may be negative)
_NUMBER_LISTS = (
    ("BYSECOND", "bysecond", 0, 59, False),
    ("BYMINUTE", "byminute", 0, 59, False),
    ("BYHOUR", "byhour", 0, 23, False),
    ("BYMONTHDAY", "bymonthday", 1, 31, True),
    ("BYYEARDAY", "byyearday", 1, 366, True),
    ("BYWEEKNO", "byweekno", 1, 53, True),
    ("BYMONTH", "bymonth", 1, 12, False),
    ("BYSETPOS", "bysetpos", 1, 366, True),
)
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_UNTIL = re.compile(r"^(\d{8})(T\d{6}Z?)?$")
# The parts BYSETPOS picks among.
_PICKS = {"BYDAY"} | {n[0] for n in _NUMBER_LISTS} - {"BYSETPOS"}
_KNOWN = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST"} | {n[0] for n in _NUMBER_LISTS}
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class RecurrenceError(ValueError):
    """A recurrence that cannot be read or expanded."""


class BudgetExceeded(RecurrenceError):
    """An expansion ran out of its budget before it was done."""


@dataclass
class Budget:
    """How much expansion work one request or one event may do: periods of a rule's
    frequency walked (whether or not they held an occurrence), and seconds."""

    periods: int
    seconds: float
    deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self.deadline = time.perf_counter() + self.seconds

    def spend(self) -> None:
        """Count one period; BudgetExceeded when the budget is spent."""
        self.periods -= 1
        if self.periods < 0 or time.perf_counter() > self.deadline:
            raise BudgetExceeded("the recurrence takes too long to expand")


@dataclass(frozen=True)
class RuleParts:
    """One RRULE or EXRULE line, checked: dateutil's keywords, and UNTIL as written."""

    freq: int
    interval: int
    count: int | None
    until: str | None
    keywords: dict[str, Any]


def _number(name: str, raw: str, low: int, high: int, signed: bool = False) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise RecurrenceError(f"{name} must be a whole number, not {raw!r}") from None
    if not (low <= abs(value) <= high if signed else low <= value <= high):
        span = f"±{low}..{high}" if signed else f"{low}..{high}"
        raise RecurrenceError(f"{name} must be in {span}, not {raw}")
    return value


def _numbers(name: str, raw: str, low: int, high: int, signed: bool) -> tuple[int, ...]:
    values = raw.split(",")
    if len(values) > MAX_LIST:
        raise RecurrenceError(f"{name} has more than {MAX_LIST} values")
    return tuple(_number(name, v, low, high, signed) for v in values)


def _weekdays(raw: str, parts: dict[str, str]) -> tuple[_dateutil.weekday, ...]:
    """BYDAY's days; a number (2MO, -1FR) counts within the month in a monthly rule and in
    a yearly one with BYMONTH (RFC 5545 3.3.10), so at most 5, else within the year."""
    freq = parts["FREQ"]
    most = 5 if freq == "MONTHLY" or "BYMONTH" in parts else 53
    out = []
    for value in raw.split(","):
        found = _BYDAY.fullmatch(value)
        if found is None:
            raise RecurrenceError(f"BYDAY has an unknown day {value!r}")
        nth, day = found.groups()
        if nth is None:
            out.append(WEEKDAYS[day])
            continue
        if freq not in ("MONTHLY", "YEARLY") or "BYWEEKNO" in parts:
            raise RecurrenceError(
                "BYDAY takes a number (as in 2MO) only in a monthly or yearly rule"
            )
        out.append(WEEKDAYS[day](_number("BYDAY", nth, 1, most, True)))
    return tuple(out)


def _pairs(value: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for part in value.strip().split(";"):
        name, sep, raw = part.partition("=")
        name = name.strip().upper()
        if not sep or not raw.strip():
            raise RecurrenceError(f"{part!r} is not NAME=VALUE")
        if name not in _KNOWN:
            raise RecurrenceError(f"unknown rule part {name}")
        if name in parts:
            raise RecurrenceError(f"{name} appears twice")
        parts[name] = raw.strip().upper()
    return parts


def _check_combinations(parts: dict[str, str], freq: str) -> None:
    if "COUNT" in parts and "UNTIL" in parts:
        raise RecurrenceError("give COUNT or UNTIL, not both")
    if "BYWEEKNO" in parts and freq != "YEARLY":
        raise RecurrenceError("BYWEEKNO belongs to a yearly rule only")
    if "BYYEARDAY" in parts and freq in ("DAILY", "WEEKLY", "MONTHLY"):
        raise RecurrenceError(f"BYYEARDAY does not go with FREQ={freq}")
    if "BYMONTHDAY" in parts and freq == "WEEKLY":
        raise RecurrenceError("BYMONTHDAY does not go with FREQ=WEEKLY")
    if "BYSETPOS" in parts and not set(parts) & _PICKS:
        raise RecurrenceError("BYSETPOS needs another BY part to pick from")


def _check_days_exist(keywords: dict[str, Any]) -> None:
    """Refuse BYMONTHDAY values that no chosen month has (BYMONTH=2;BYMONTHDAY=30)."""
    months = keywords.get("bymonth") or range(1, 13)
    days = keywords.get("bymonthday")
    if days and not any(abs(d) <= _DAYS_IN_MONTH[m - 1] for m in months for d in days):
        raise RecurrenceError("no chosen month has the chosen days of the month")


def parse_rule(value: str) -> RuleParts:
    """The parts of an RRULE/EXRULE value (after 'RRULE:'); RecurrenceError naming the part
    that is wrong."""
    parts = _pairs(value)
    freq = parts.get("FREQ")
    if freq not in FREQUENCIES:
        raise RecurrenceError("FREQ must be one of " + ", ".join(FREQUENCIES))
    _check_combinations(parts, freq)
    keywords: dict[str, Any] = {}
    for name, keyword, low, high, signed in _NUMBER_LISTS:
        if name in parts:
            keywords[keyword] = _numbers(name, parts[name], low, high, signed)
    if "BYDAY" in parts:
        keywords["byweekday"] = _weekdays(parts["BYDAY"], parts)
    if "WKST" in parts:
        if parts["WKST"] not in WEEKDAYS:
            raise RecurrenceError(f"WKST has an unknown day {parts['WKST']!r}")
        keywords["wkst"] = WEEKDAYS[parts["WKST"]]
    _check_days_exist(keywords)
    until = parts.get("UNTIL")
    if until is not None and _UNTIL.fullmatch(until) is None:
        raise RecurrenceError("UNTIL must be a date (20270131) or a UTC time (20270131T090000Z)")
    if until is not None:
        _until_moment(until, None)  # a real date
    interval = _number("INTERVAL", parts.get("INTERVAL", "1"), 1, MAX_INTERVAL)
    count = _number("COUNT", parts["COUNT"], 1, MAX_COUNT) if "COUNT" in parts else None
    return RuleParts(FREQUENCIES[freq], interval, count, until, keywords)


def _until_moment(value: str, zone: ZoneInfo | None) -> datetime:
    """UNTIL as dateutil compares it: floating for a date series, UTC for a zoned one (a
    floating UNTIL is read in the series' zone; a date alone runs to the day's end)."""
    try:
        day = datetime.strptime(value[:8], "%Y%m%d")
        if len(value) > 8:
            day = datetime.strptime(value[:15], "%Y%m%dT%H%M%S")
    except ValueError:
        raise RecurrenceError(f"UNTIL is not a real date: {value}") from None
    if zone is None:
        return day.replace(hour=0, minute=0, second=0)
    if value.endswith("Z"):
        return day.replace(tzinfo=UTC)
    if len(value) == 8:
        day = day.replace(hour=23, minute=59, second=59)
    try:
        return day.replace(tzinfo=zone).astimezone(UTC)
    except OverflowError:
        return (datetime.max if day.year > 1 else datetime.min).replace(tzinfo=UTC)


class _CountingInfo(_dateutil._iterinfo):
    """dateutil's per-iteration helper, charging the rule's budget for every period."""

    def _spend(self) -> None:
        budget: Budget | None = getattr(self.rrule, "budget", None)
        if budget is not None:
            budget.spend()

    def ydayset(self, year: int, month: int, day: int) -> Any:
        self._spend()
        return super().ydayset(year, month, day)

    def mdayset(self, year: int, month: int, day: int) -> Any:
        self._spend()
        return super().mdayset(year, month, day)

    def wdayset(self, year: int, month: int, day: int) -> Any:
        self._spend()
        return super().wdayset(year, month, day)

    def ddayset(self, year: int, month: int, day: int) -> Any:
        self._spend()
        return super().ddayset(year, month, day)


# dateutil's own iteration, reading `_CountingInfo` where it reads `_iterinfo`: the same code,
# charged for its work (tests pin the dateutil version this relies on).
_counted_iter = types.FunctionType(
    _dateutil.rrule._iter.__code__,  # type: ignore[attr-defined]
    {**vars(_dateutil), "_iterinfo": _CountingInfo},
    "_iter",
)


def until_for(parts: RuleParts, dtstart: datetime) -> datetime | None:
    """The rule's UNTIL as dateutil compares it with starts like `dtstart`."""
    if not parts.until:
        return None
    zone = dtstart.tzinfo if isinstance(dtstart.tzinfo, ZoneInfo) else None
    until = _until_moment(parts.until, zone)
    if dtstart.tzinfo is not None and zone is None:
        until = until.replace(tzinfo=dtstart.tzinfo)
    return until


class BudgetedRule(_dateutil.rrule):
    """A dateutil rrule that spends `budget` as it iterates."""

    _iter = _counted_iter

    def __init__(self, parts: RuleParts, dtstart: datetime, budget: Budget | None) -> None:
        until = until_for(parts, dtstart)
        super().__init__(
            parts.freq,  # type: ignore[arg-type]
            dtstart=dtstart,
            interval=parts.interval,
            count=parts.count,
            until=until,
            cache=False,
            **parts.keywords,
        )
        self.budget = budget


# Periods a rule with no COUNT may skip at once to reach a window far after its start.
_STEP = {
    _dateutil.WEEKLY: timedelta(weeks=1),
    _dateutil.DAILY: timedelta(days=1),
    _dateutil.HOURLY: timedelta(hours=1),
    _dateutil.MINUTELY: timedelta(minutes=1),
    _dateutil.SECONDLY: timedelta(seconds=1),
}


def start_near(parts: RuleParts, dtstart: datetime, since: datetime | None) -> datetime:
    """A start for `parts` whose occurrences from `since` on are the same as from `dtstart`:
    a whole number of the rule's periods later (in wall-clock time), one period before
    `since`. Only a rule without COUNT whose periods are of fixed length can move."""
    unit = _STEP.get(parts.freq)
    if since is None or parts.count is not None or unit is None:
        return dtstart
    wall = dtstart.replace(tzinfo=None)
    target = (since.astimezone(dtstart.tzinfo) if dtstart.tzinfo else since).replace(tzinfo=None)
    step = unit * parts.interval
    periods = (target - wall) // step - 1
    if periods <= 0:
        return dtstart
    try:
        return (wall + step * periods).replace(tzinfo=dtstart.tzinfo)
    except OverflowError:
        return dtstart
