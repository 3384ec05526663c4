"""events.quickAdd: an event from a line of simple English, as Google's documentation shows.

"Lunch with Dana tomorrow 12pm" is lunch tomorrow from 12:00 to 13:00; "Appointment at
Somewhere on June 3rd 10am-10:25am" has its place and both times; a line without a time is an
all-day event; without a date, today. Dates and times are read in the calendar's time zone.
Understood: today, tomorrow, weekdays ("friday", "next friday"), "June 3rd", "3 June",
"2027-06-03", "6/3"; "12pm", "9:30am", "15:00", "noon", "midnight", ranges ("10am-11am",
"from 2 to 3pm"), "for 2 hours", "for 30 minutes"; "at <place>" after the title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from touchbase_emulator.clock import now_utc
from touchbase_emulator.errors import invalid, required
from touchbase_emulator.state import Json
from touchbase_emulator.wire import ApiRequest, ApiResponse, Handler, Principal

if TYPE_CHECKING:
    from touchbase_emulator.calendar_api import CalendarApi

MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_WEEKDAY = r"(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*"
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"
_CLOCK = r"(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?"
DATE_PATTERNS = (
    ("iso", r"(?:on\s+)?(\d{4})-(\d{2})-(\d{2})"),
    ("month_day", rf"(?:on\s+)?{_MONTH}\s+{_ORDINAL}(?:,?\s+(\d{{4}}))?"),
    ("day_month", rf"(?:on\s+)?(?:the\s+)?{_ORDINAL}\s+(?:of\s+)?{_MONTH}(?:,?\s+(\d{{4}}))?"),
    ("slash", r"(?:on\s+)?(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?"),
    ("relative", r"(today|tonight|tomorrow|tmrw)"),
    ("weekday", rf"(?:on\s+)?(next\s+)?{_WEEKDAY}"),
)
RANGE = rf"(?:from\s+|at\s+)?{_CLOCK}\s*(?:-|\u2013|to|until|till)\s*{_CLOCK}"
SINGLE = (
    r"(?:at\s+|@\s*)?"
    r"(?:(noon|midnight)|(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)|(\d{1,2}):(\d{2}))"
)
LENGTH = r"for\s+(\d+(?:\.\d+)?)\s*(hours?|hrs?|h|minutes?|mins?|m)"
DEFAULT_LENGTH = timedelta(hours=1)
RELATIVE_DAYS = {"today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1}
MAX_YEARS_AWAY = 100
MAX_LENGTH_MINUTES = 31 * 24 * 60
MAX_TEXT = 1024


@dataclass
class Parsed:
    """What a quickAdd line says."""

    summary: str
    day: date | None = None
    start: time | None = None
    end: time | None = None
    length: timedelta | None = None
    location: str | None = None


def _take(text: str, pattern: str) -> tuple[re.Match[str] | None, str]:
    """The first whole-word match of `pattern`, and the text without it."""
    match = re.search(rf"(?<![\w/:-]){pattern}(?![\w/:])", text, re.IGNORECASE)
    if match is None:
        return None, text
    return match, text[: match.start()] + " " + text[match.end() :]


def _hour(hour: str, minute: str | None, meridiem: str | None) -> time | None:
    h, m = int(hour), int(minute or 0)
    if meridiem:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if meridiem.lower().startswith("p") else 0)
    return time(h, m) if h < 24 and m < 60 else None


def _month(name: str) -> int:
    return next(i for i, full in enumerate(MONTHS, 1) if full.startswith(name.lower()[:3]))


def _future(today: date, month: int, day: int, year: str | None) -> date | None:
    """The date, this year's or next year's when no year is given; None if it is no date
    (or more than a century away: "9999-12-31" stays text)."""
    try:
        if year:
            found = date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        else:
            found = date(today.year, month, day)
            found = found if found >= today else date(today.year + 1, month, day)
    except ValueError:
        return None
    return found if abs(found.year - today.year) <= MAX_YEARS_AWAY else None


def _date(kind: str, match: re.Match[str], today: date) -> date | None:
    groups = match.groups()
    if kind == "iso":
        return _future(today, int(groups[1]), int(groups[2]), groups[0])
    if kind == "month_day":
        return _future(today, _month(groups[0]), int(groups[1]), groups[2])
    if kind == "day_month":
        return _future(today, _month(groups[1]), int(groups[0]), groups[2])
    if kind == "slash":
        return _future(today, int(groups[0]), int(groups[1]), groups[2])
    if kind == "relative":
        return today + timedelta(days=RELATIVE_DAYS[groups[0].lower()])
    wanted = next(i for i, d in enumerate(WEEKDAYS) if d.startswith(groups[1].lower()[:3]))
    ahead = (wanted - today.weekday()) % 7
    return today + timedelta(days=ahead or (7 if groups[0] else 0))


def _times(text: str) -> tuple[time | None, time | None, str]:
    match, rest = _take(text, RANGE)
    if match is not None:
        h1, m1, p1, h2, m2, p2 = match.groups()
        end = _hour(h2, m2, p2)
        start = _hour(h1, m1, p1 or p2)
        if start and end and not p1 and start > end and p2:
            start = _hour(h1, m1, "am" if p2.lower().startswith("p") else "pm")
        if start and end:
            return start, end, rest
    match, rest = _take(text, SINGLE)
    if match is None:
        return None, None, text
    word, hour, minute, meridiem, hour24, minute24 = match.groups()
    if word:
        return time(12 if word.lower() == "noon" else 0), None, rest
    found = _hour(hour, minute, meridiem) if hour else _hour(hour24, minute24, None)
    return (found, None, rest) if found else (None, None, text)


def parse(text: str, today: date) -> Parsed:
    """Read a quickAdd line (`today` is the date in the calendar's zone)."""
    rest, day = text, None
    for kind, pattern in DATE_PATTERNS:
        match, after = _take(rest, pattern)
        if match is not None and (found := _date(kind, match, today)) is not None:
            rest, day = after, found
            break
    start, end, rest = _times(rest)
    length = None
    match, rest = _take(rest, LENGTH)
    if match is not None:
        amount, unit = float(match.group(1)), match.group(2).lower()
        minutes = amount * 60 if unit.startswith("h") else amount
        if 0 < minutes <= MAX_LENGTH_MINUTES:
            length = timedelta(minutes=minutes)
    location = None
    place = re.search(r"\s(?:at|@)\s+(.+)$", " " + rest.strip(), re.IGNORECASE)
    if place is not None and place.group(1).strip():
        location = re.sub(r"\s+", " ", place.group(1)).strip(" ,.")
        rest = (" " + rest.strip())[: place.start()]
    summary = re.sub(r"\s+", " ", rest).strip(" ,.-")
    summary = re.sub(r"\s+(on|at|from|for)$", "", summary, flags=re.IGNORECASE)
    return Parsed(summary or text.strip(), day, start, end, length, location)


def event_body(parsed: Parsed, tz: ZoneInfo, today: date) -> Json:
    """The events.insert body of a parsed line."""
    day = parsed.day or today
    body: Json = {"summary": parsed.summary}
    if parsed.location:
        body["location"] = parsed.location
    if parsed.start is None:
        body["start"] = {"date": day.isoformat()}
        body["end"] = {"date": (day + timedelta(days=1)).isoformat()}
        return body
    start = datetime.combine(day, parsed.start, tzinfo=tz)
    if parsed.end is not None:
        end = datetime.combine(day, parsed.end, tzinfo=tz)
        if end <= start:
            end += timedelta(days=1)
    else:
        end = start + (parsed.length or DEFAULT_LENGTH)
    body["start"] = {"dateTime": start.isoformat()}
    body["end"] = {"dateTime": end.isoformat()}
    return body


def events_quick_add(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """events.quickAdd"""
    calendar = api.calendar(principal, args[0], "writer")
    text = request.param("text")
    if not text or not text.strip():
        raise required("Missing text.", location="text")
    if len(text) > MAX_TEXT:
        raise invalid(f"text is longer than {MAX_TEXT} characters.", location="text")
    tz = ZoneInfo(calendar.time_zone)
    today = now_utc().astimezone(tz).date()
    data = api.insert(calendar, event_body(parse(text, today), tz, today), creator=principal.email)
    api.send_updates(request, data, "created")
    return ApiResponse(200, data, {"ETag": data["etag"]})


HANDLERS: dict[str, Handler] = {"calendar.events.quickAdd": events_quick_add}
