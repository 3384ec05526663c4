"""Times that fall on different days in two zones, for tests of whose "today" a page uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


def today_in_one_zone_only(now: datetime, zone: ZoneInfo, other: ZoneInfo = UTC) -> datetime:
    """A time within a day after `now` (at least an hour on) that is today in `zone` and not
    in `other`, or today in `other` and not in `zone`: one holds between their next
    midnights, for two zones at least two hours apart."""
    for half_hours in range(2, 48):
        at = now + timedelta(minutes=30 * half_hours)
        today_here = at.astimezone(zone).date() == now.astimezone(zone).date()
        if today_here != (at.astimezone(other).date() == now.astimezone(other).date()):
            return at
    raise AssertionError(f"{zone} and {other} have no day apart within a day")
