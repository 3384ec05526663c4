"""What makes an event valid before it is sent anywhere."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from touchbase.domain.events import CalendarEvent, EventTime
from touchbase.domain.recurrence import check_recurrence
from touchbase.domain.rrules import RecurrenceError

MAX_TITLE = 1024
MAX_LOCATION = 1024
MAX_DESCRIPTION = 8192
MAX_ATTENDEES = 200
MAX_EMAIL = 254
MAX_RECURRENCE_LINES = 100
EARLIEST = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
LATEST = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)
EMAIL = re.compile(
    r"^[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
RECURRENCE_KINDS = ("RRULE", "EXRULE", "RDATE", "EXDATE")


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid field and why."""

    field: str
    message: str


class EventValidationError(ValueError):
    """The event is invalid; `problems` lists every invalid field."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = tuple(problems)

    @property
    def field(self) -> str:
        """The first invalid field."""
        return self.problems[0].field


@cache
def zone_names() -> frozenset[str]:
    """IANA's zone names as the tzdata package lists them (the list
    `zoneinfo.available_timezones` reads), less "Factory", IANA's stand-in for a machine whose
    zone was never set."""
    listed = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(listed.split()) - {"Factory"}


def is_valid_time_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone: one of IANA's names, not any file the server's
    zone directory happens to hold (`localtime` is the server's own zone, another on each
    machine; `right/...` counts leap seconds, so its clock is off by half a minute or, read
    by Python, by an hour; neither means anything to Google). Each name loads (from the
    tzdata package alone in the processes `touchbase` starts: see `cli.main`)."""
    return name in zone_names()


def is_valid_email(address: str) -> bool:
    """A practical check of an email address (no display names, no spaces)."""
    return len(address) <= MAX_EMAIL and EMAIL.fullmatch(address) is not None


def in_supported_range(moment: dt.datetime) -> bool:
    """Whether an aware instant lies within the years touchbase can store and compare, with
    a day to spare at each end for any time zone."""
    if 1 < moment.year < 9999:  # any UTC offset keeps these within range
        return True
    try:
        return EARLIEST <= moment.astimezone(dt.UTC) <= LATEST
    except OverflowError:
        return False


def _time_problems(name: str, value: EventTime) -> list[FieldProblem]:
    if (value.date is None) == (value.date_time is None):
        return [FieldProblem(name, "give either a date or a date and time")]
    if value.time_zone is not None and not is_valid_time_zone(value.time_zone):
        return [FieldProblem(f"{name}.timeZone", f"unknown time zone {value.time_zone!r}")]
    if value.date_time is not None and value.date_time.tzinfo is None:
        return [FieldProblem(name, "a date and time needs a UTC offset or a time zone")]
    moment = value.date_time or dt.datetime.combine(
        value.date or EARLIEST.date(), dt.time(), dt.UTC
    )
    if not in_supported_range(moment):
        return [FieldProblem(name, f"must be between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}")]
    return []


def _recurrence_problems(event: CalendarEvent) -> list[FieldProblem]:
    if not event.start.is_all_day and not event.start.time_zone:
        return [FieldProblem("timeZone", "a recurring event needs a time zone")]
    if len(event.recurrence) > MAX_RECURRENCE_LINES:
        return [FieldProblem("recurrence", f"at most {MAX_RECURRENCE_LINES} lines")]
    for line in event.recurrence:
        kind = line.split(":", 1)[0].split(";", 1)[0].upper()
        if kind not in RECURRENCE_KINDS or ":" not in line:
            return [FieldProblem("recurrence", f"not a recurrence rule: {line[:100]!r}")]
    try:
        check_recurrence(event, ZoneInfo(event.start.time_zone or "UTC"))
    except RecurrenceError as exc:
        return [FieldProblem("recurrence", str(exc))]
    return []


def _order_problems(event: CalendarEvent) -> list[FieldProblem]:
    start, end = event.start, event.end
    if start.is_all_day != end.is_all_day:
        return [FieldProblem("endTime", "start and end must both be all-day or both timed")]
    if start.date is not None and end.date is not None and end.date <= start.date:
        return [FieldProblem("endTime", "the end date must be after the start date")]
    start_at, end_at = start.date_time, end.date_time
    if start_at is not None and end_at is not None and end_at <= start_at:
        return [FieldProblem("endTime", "the end must be after the start")]
    return []


def validate_event(event: CalendarEvent, *before: CalendarEvent) -> None:
    """Raise EventValidationError naming every invalid field of `event`, less the problems a
    version it was changed from (`before`) has too: the change did not make them. An event
    from Google may hold what touchbase takes from no request (300 guests, a longer
    description, an address this check does not know); a change that leaves those alone is
    not refused for them."""
    problems = _problems(event)
    if problems and before:
        excused = {_key(p) for version in before for p in _problems(version)}
        problems = [p for p in problems if _key(p) not in excused]
    if problems:
        raise EventValidationError(problems)


def _key(problem: FieldProblem) -> tuple[str, str]:
    """A problem whatever its place in a list (a guest's address moves when one is added)."""
    return problem.field.split("[", 1)[0], problem.message


def _problems(event: CalendarEvent) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for name, value, limit in (
        ("title", event.title, MAX_TITLE),
        ("location", event.location, MAX_LOCATION),
        ("description", event.description, MAX_DESCRIPTION),
    ):
        if len(value) > limit:
            problems.append(FieldProblem(name, f"at most {limit} characters"))
    start_problems = _time_problems("startTime", event.start)
    end_problems = _time_problems("endTime", event.end)
    problems += start_problems + end_problems
    if not start_problems and not end_problems:
        problems += _order_problems(event)
    if len(event.attendees) > MAX_ATTENDEES:
        problems.append(FieldProblem("attendees", f"at most {MAX_ATTENDEES} attendees"))
    for index, attendee in enumerate(event.attendees):
        if not is_valid_email(attendee.email):
            problems.append(
                FieldProblem(
                    f"attendees[{index}]", f"not a valid email address: {attendee.email!r}"
                )
            )
    if event.recurrence and not start_problems and not end_problems:
        problems += _recurrence_problems(event)
    return problems
