"""The common rules, expanded by arithmetic: daily, or weekly on some days, every N, with or
without COUNT, UNTIL and EXDATE. Most of a sales calendar is such series, and a listing
expands each one; dateutil walks every period and builds a set of days for each, this
computes the dates. The starts are exactly dateutil's (a property test compares them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil import rrule as _dateutil

from touchbase.domain.rrules import Budget, RuleParts


@dataclass(frozen=True)
class SimpleRule:
    """A daily rule, or a weekly one on plain weekdays (0 = Monday), every `interval`."""

    weekly: bool
    interval: int
    days: tuple[int, ...]  # weekly: the weekdays, sorted
    count: int | None
    until: datetime | None  # as dateutil compares it (aware, or naive for dates)


def simple(parts: RuleParts, dtstart: datetime, until: datetime | None) -> SimpleRule | None:
    """The rule in simple form, or None when it is not one of the common rules."""
    if parts.freq not in (_dateutil.DAILY, _dateutil.WEEKLY):
        return None
    keywords = dict(parts.keywords)
    days = keywords.pop("byweekday", None)
    if keywords or (days is not None and parts.freq == _dateutil.DAILY):
        return None
    if days is not None and any(d.n for d in days):
        return None
    weekly = parts.freq == _dateutil.WEEKLY
    chosen = tuple(sorted({d.weekday for d in days})) if days else (dtstart.weekday(),)
    return SimpleRule(weekly, parts.interval, chosen, parts.count, until)


def _candidates(rule: SimpleRule, start: datetime, since: datetime | None) -> Iterator[date]:
    """The rule's dates from the first period that may meet `since` (every period from the
    start for a COUNT rule, whose count runs from the start)."""
    first = start.date()
    if not rule.weekly:
        step = rule.interval
        k = 0
        if since is not None and rule.count is None:
            k = max(0, ((since.date() - first).days // step - 1) * step)
        while True:
            yield first + timedelta(days=k)
            k += step
    monday = first - timedelta(days=first.weekday())
    week = 0
    if since is not None and rule.count is None:
        weeks = (since.date() - monday).days // 7
        week = max(0, (weeks // rule.interval - 1) * rule.interval)
    while True:
        base = monday + timedelta(weeks=week)
        for day in rule.days:
            found = base + timedelta(days=day)
            if found >= first:
                yield found
        week += rule.interval


def starts(
    rule: SimpleRule,
    dtstart: datetime,
    *,
    since: datetime | None,
    budget: Budget | None,
) -> Iterator[datetime]:
    """The rule's starts, in order, at dtstart's wall-clock time (and zone, if it has one);
    from the period before `since` on when the rule has no COUNT."""
    wall = dtstart.time()
    zone = dtstart.tzinfo
    local_since = since.astimezone(zone) if since is not None and zone else since
    for made, day in enumerate(_candidates(rule, dtstart, local_since), start=1):
        if budget is not None:
            budget.spend()
        moment = datetime.combine(day, wall, tzinfo=zone)
        if rule.until is not None and moment > rule.until:
            return
        yield moment
        if rule.count is not None and made >= rule.count:
            return
