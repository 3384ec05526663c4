"""Touchpoints as pure rules: where a touchpoint given only a day goes (the first free slot of
the user's working hours, within the contact's where they overlap), when a cadence plans the
next one, and what a valid one is."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import msgspec

from touchbase.domain.contacts import Cadence

Status = Literal["planned", "done", "skipped", "missed"]
STATUSES: tuple[Status, ...] = ("planned", "done", "skipped", "missed")
MAX_MESSAGE = 2_000
MIN_MINUTES, MAX_MINUTES = 5, 8 * 60
DEFAULT_MINUTES = 30
# Free slots start on the quarter hour.
GRID = timedelta(minutes=15)


class WorkingHours(msgspec.Struct, frozen=True):
    """When a touchpoint given only a day may be placed, on the user's wall clock, and on
    which days of the week (Monday = 0) a cadence plans touchpoints."""

    start: time = time(9, 0)
    end: time = time(17, 0)
    days: tuple[int, ...] = (0, 1, 2, 3, 4)

    @classmethod
    def read(cls, stored: dict[str, Any] | None) -> WorkingHours:
        """From the stored setting (`{"start": "09:00", "end": "17:00", "days": [0, 1, 2, 3,
        4]}`); the default for anything else."""
        if not stored:
            return cls()
        try:
            days = stored.get("days", [0, 1, 2, 3, 4])
            hours = cls.checked(str(stored["start"]), str(stored["end"]), list(days))
        except (KeyError, TypeError, ValueError, WorkingHoursError):
            return cls()
        return hours

    @classmethod
    def checked(cls, start: str, end: str, days: list[int]) -> WorkingHours:
        """Working hours from a setting's parts, or WorkingHoursError naming the field."""
        opens, closes = _clock("start", start), _clock("end", end)
        if opens >= closes:
            raise WorkingHoursError("end", "after the start, on the same day")
        if not days or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            raise WorkingHoursError("days", "one or more days, 0 (Monday) to 6 (Sunday)")
        return cls(opens, closes, tuple(sorted(set(days))))

    def stored(self) -> dict[str, Any]:
        """As the setting is stored."""
        return {
            "start": self.start.strftime("%H:%M"),
            "end": self.end.strftime("%H:%M"),
            "days": list(self.days),
        }

    def working_day_from(self, day: date) -> date:
        """`day`, or the first working day after it."""
        return next(
            d for d in (day + timedelta(days=n) for n in range(7)) if d.weekday() in self.days
        )


class WorkingHoursError(ValueError):
    """A working-hours setting that cannot be: `field` says which part."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def _clock(field: str, text: str) -> time:
    """ "09:30" -> 09:30; anything else -> WorkingHoursError."""
    try:
        if len(text) != len("HH:MM"):
            raise ValueError(text)
        return time.fromisoformat(text)
    except ValueError:
        raise WorkingHoursError(field, "a time of day as HH:MM (09:00)") from None


# A contact's working day, in their own zone: we know only their zone, so the usual one (the
# user's own hours say when the user calls, not when others work).
THEIR_HOURS = WorkingHours()


def first_free_slot(
    day: date,
    hours: WorkingHours,
    zone: ZoneInfo,
    busy: Iterable[tuple[datetime, datetime]],
    minutes: int,
    *,
    theirs: ZoneInfo | None = None,
) -> datetime | None:
    """The first start on the quarter hour, within working hours of `day` in `zone`, of
    `minutes` overlapping none of the `busy` spans; None when the day has no such slot.
    With `theirs` (the contact's zone), a slot also within their working day (THEIR_HOURS
    there) comes first (a call at 09:00 in Berlin is midnight in San Francisco); where none
    is free, the first of the user's hours."""
    opens = datetime.combine(day, hours.start, tzinfo=zone)
    closes = datetime.combine(day, hours.end, tzinfo=zone)
    length = timedelta(minutes=minutes)
    spans = sorted((s, e) for s, e in busy if e > opens and s < closes and e > s)
    windows = _shared_hours(opens, closes, theirs) if theirs is not None else []
    for start, end in [*windows, (opens, closes)]:
        slot = _first_free_in(_on_grid(start, opens), end, spans, length)
        if slot is not None:
            return slot
    return None


def _shared_hours(
    opens: datetime, closes: datetime, theirs: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """The parts of [opens, closes) within THEIR_HOURS of a working day in the zone `theirs`."""
    first = opens.astimezone(theirs).date()
    shared = []
    for offset in range((closes.astimezone(theirs).date() - first).days + 1):
        their_day = first + timedelta(days=offset)
        if their_day.weekday() not in THEIR_HOURS.days:
            continue
        start = max(opens, datetime.combine(their_day, THEIR_HOURS.start, tzinfo=theirs))
        end = min(closes, datetime.combine(their_day, THEIR_HOURS.end, tzinfo=theirs))
        if start < end:
            shared.append((start, end))
    return shared


def _first_free_in(
    candidate: datetime, end: datetime, spans: list[tuple[datetime, datetime]], length: timedelta
) -> datetime | None:
    """The first start from `candidate` (then on the grid after each span in the way) of
    `length` ending by `end` and overlapping none of the sorted `spans`."""
    origin = candidate
    for start, stop in spans:
        if candidate + length <= start:
            break
        if stop > candidate:
            candidate = _on_grid(stop, origin)
    return candidate if candidate + length <= end else None


def _on_grid(moment: datetime, origin: datetime) -> datetime:
    """The first quarter hour (counted from `origin`) at or after `moment`."""
    steps = -(-(moment - origin) // GRID)
    return origin + steps * GRID


def next_date(last: date, cadence: Cadence, *, today: date) -> date:
    """When the next touchpoint is due: a cadence after the last contact, but never before
    today (a missed stretch plans one touchpoint, not a backlog)."""
    if cadence.unit == "day":
        due = last + timedelta(days=cadence.every)
    elif cadence.unit == "week":
        due = last + timedelta(weeks=cadence.every)
    else:
        months = last.month - 1 + cadence.every
        year, month = last.year + months // 12, months % 12 + 1
        due = date(year, month, min(last.day, calendar.monthrange(year, month)[1]))
    return max(due, today)


def message_problem(message: str) -> str | None:
    """What is wrong with a touchpoint's message, if anything."""
    return f"at most {MAX_MESSAGE} characters" if len(message) > MAX_MESSAGE else None


def minutes_problem(minutes: int) -> str | None:
    """What is wrong with a touchpoint's length, if anything."""
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        return f"between {MIN_MINUTES} and {MAX_MINUTES} minutes"
    return None
