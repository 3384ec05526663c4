"""Touchpoints as pure rules: where a touchpoint given only a day goes (the first free slot of
the user's working hours), when a cadence plans the next one, and what a valid one is."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Literal
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
    """When a touchpoint given only a day may be placed, on the user's wall clock."""

    start: time = time(9, 0)
    end: time = time(17, 0)

    @classmethod
    def read(cls, stored: dict[str, str] | None) -> WorkingHours:
        """From the stored setting (`{"start": "09:00", "end": "17:00"}`); the default for
        anything else."""
        if not stored:
            return cls()
        try:
            hours = cls(time.fromisoformat(stored["start"]), time.fromisoformat(stored["end"]))
        except (KeyError, TypeError, ValueError):
            return cls()
        return hours if hours.start < hours.end else cls()

    def stored(self) -> dict[str, str]:
        """As the setting is stored."""
        return {"start": self.start.strftime("%H:%M"), "end": self.end.strftime("%H:%M")}


def first_free_slot(
    day: date,
    hours: WorkingHours,
    zone: ZoneInfo,
    busy: Iterable[tuple[datetime, datetime]],
    minutes: int,
) -> datetime | None:
    """The first start on the quarter hour, within working hours of `day` in `zone`, of
    `minutes` overlapping none of the `busy` spans; None when the day has no such slot."""
    opens = datetime.combine(day, hours.start, tzinfo=zone)
    closes = datetime.combine(day, hours.end, tzinfo=zone)
    length = timedelta(minutes=minutes)
    spans = sorted((s, e) for s, e in busy if e > opens and s < closes and e > s)
    candidate = opens
    for start, end in spans:
        if candidate + length <= start:
            break
        if end > candidate:
            candidate = _on_grid(end, opens)
    return candidate if candidate + length <= closes else None


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
