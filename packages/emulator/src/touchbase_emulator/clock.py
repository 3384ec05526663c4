"""Time helpers of the emulator: RFC 3339 parsing and formatting, and the wall clock."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from touchbase_emulator.errors import invalid

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|z|[+-]\d{2}:\d{2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def now_utc() -> datetime:
    """The current instant (UTC)."""
    return datetime.now(UTC)


def monotonic() -> float:
    """Seconds on a monotonic clock."""
    return time.monotonic()


def format_rfc3339(moment: datetime) -> str:
    """`2026-11-24T04:02:03.123Z`: UTC with milliseconds, as Google writes `updated`."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def format_local(moment: datetime) -> str:
    """An aware datetime with its own offset, seconds precision (Google's event times)."""
    return moment.replace(microsecond=0).isoformat()


@cache
def _zone_names() -> frozenset[str]:
    """IANA's zone names (the tzdata package's list) but "Factory": what Google accepts."""
    listed = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(listed.split()) - {"Factory"}


def zone(name: object, *, location: str) -> ZoneInfo:
    """The IANA zone `name`, or 400 invalid naming `location` (so is a file of the zone
    directory that is no IANA name, as `localtime` or `right/UTC`)."""
    if not isinstance(name, str) or name not in _zone_names():
        raise invalid(f"Invalid time zone definition: {name!r}", location=location)
    return ZoneInfo(name)


def parse_datetime(text: object, *, location: str, allow_naive: bool = False) -> datetime:
    """An RFC 3339 date-time; naive only when `allow_naive` (a time zone is given beside it)."""
    if not isinstance(text, str):
        raise invalid("Invalid value for date-time.", location=location)
    match = _RFC3339.match(text)
    if not match:
        raise invalid(f"Invalid date-time value: {text!r}", location=location)
    if match.group(2) is None and not allow_naive:
        raise invalid(f"Date-time {text!r} needs a UTC offset or a time zone.", location=location)
    try:
        return datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError as exc:
        raise invalid(f"Invalid date-time value: {text!r}", location=location) from exc


def parse_date(text: object, *, location: str) -> date:
    """A `YYYY-MM-DD` date."""
    if not isinstance(text, str) or not _DATE.match(text):
        raise invalid(f"Invalid date value: {text!r}", location=location)
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise invalid(f"Invalid date value: {text!r}", location=location) from exc
