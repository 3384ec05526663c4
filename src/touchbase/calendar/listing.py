"""Reading the user's events in a window: series expanded into their instances, a page at a
time, on a budget.

Expansion is pure work on rows already read; it runs in a worker thread, so the event loop
keeps answering other requests meanwhile, and it spends one budget per request (periods of
the rules walked, and seconds) and returns at most one page of instances: whatever a stored
rule holds, a listing ends, and soon.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.occurrences import occurrence_id, virtual
from touchbase.calendar.records import EventRecord, listed_record
from touchbase.calendar.services import CalendarServices
from touchbase.domain import EventStatus, EventTime
from touchbase.domain.recurrence import event_span, occurrences
from touchbase.domain.rrules import Budget, BudgetExceeded, RecurrenceError
from touchbase.domain.splits import length_of
from touchbase.errors import InvalidEventError
from touchbase.store import accounts
from touchbase.store import events as event_store
from touchbase.store.models import Event

# The slots (`slot_key`) each series' stored instances took, by (calendar, series Google id).
Taken = dict[tuple[str, str], set[date | datetime]]
# An open-ended list expands an unbounded series this far ahead.
HORIZON = timedelta(days=366)
MAX_PAGE = 2500
# The expansion work one listing may do.
LIST_PERIODS = 2_000_000
LIST_SECONDS = 2.0


@dataclass(frozen=True)
class EventPage:
    """One page of a listing; `incomplete` when the expansion budget ran out first."""

    items: list[EventRecord]
    next_page_token: str | None = None
    incomplete: bool = False


@dataclass(frozen=True)
class _Position:
    """Where a page ends: the sort key of its last item."""

    start: datetime
    id: str

    def token(self) -> str:
        return f"{self.start.astimezone(UTC).isoformat()}|{self.id}"

    @classmethod
    def read(cls, token: str) -> _Position:
        raw_start, sep, event_id = token.partition("|")
        try:
            start = datetime.fromisoformat(raw_start)
        except ValueError:
            start = None
        if not sep or not event_id or start is None or start.tzinfo is None:
            raise InvalidEventError("Not a page token from this listing.", field="pageToken")
        return cls(start, event_id)


def sort_key(record: EventRecord) -> tuple[datetime, str]:
    """Listings are ordered by start, then id."""
    start = record.event.start.date_time
    if start is not None and record.event.status is not EventStatus.CANCELLED:
        return start, record.id  # what event_span says of a timed event, without its zone
    return event_span(record.event, "UTC")[0], record.id


# Where listings expand their series, off the event loop: one at a time. Each holds the
# interpreter's lock in turns with the loop; five costly ones at once kept /api/health
# waiting 1.3 s, where one at a time keeps it answering (SQLite's write lock used to queue
# listings before their expansion; since they read without it, this queue does).
_EXPANDER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="touchbase-expand")
# In that queue, one expansion of each user's at a time: a user's many costly listings (each
# may take LIST_SECONDS) wait behind each other, not in front of everyone else's.
_TURNS: weakref.WeakValueDictionary[tuple[int, str], asyncio.Lock] = weakref.WeakValueDictionary()


async def _in_turn(user_id: str, work: Callable[[], EventPage]) -> EventPage:
    """`work` run in the expansion thread once the user's turn comes."""
    loop = asyncio.get_running_loop()
    key = (id(loop), user_id)
    turn = _TURNS.get(key)
    if turn is None:
        turn = _TURNS[key] = asyncio.Lock()
    async with turn:
        return await loop.run_in_executor(_EXPANDER, work)


async def list_calendar_events(
    services: CalendarServices,
    user_id: str,
    *,
    time_min: datetime | None,
    time_max: datetime | None,
    limit: int = MAX_PAGE,
    page_token: str | None = None,
) -> EventPage:
    """The user's events meeting the window, from the cache, in start order, `limit` at a
    time; series expanded into instances (exceptions applied, cancelled instances left out)
    in each series' time zone."""
    after = _Position.read(page_token) if page_token else None
    async with services.db.read() as session:
        rows = await event_store.in_window(session, user_id, time_min=time_min, time_max=time_max)
        return await expanded_page(session, user_id, rows, Window(time_min, time_max, after, limit))


async def expanded_page(
    session: AsyncSession, user_id: str, rows: Sequence[Sequence[Any]], window: Window
) -> EventPage:
    """One page of these rows (`store.events.LISTED`) as the user sees them in `window`:
    series expanded into their instances there, exceptions under their occurrence ids,
    cancelled instances and instances of deleted series left out."""
    conflicts = {c.event_id: c for c in await event_store.open_conflicts(session, user_id)}
    records = [listed_record(row, conflicts.get(row[0])) for row in rows]
    zones = {c.id: c.time_zone for c in await accounts.user_calendars(session, user_id)}
    series = [r for r in records if r.event.recurrence]
    taken = await _taken_slots(session, series, time_min=window.time_min, time_max=window.time_max)
    gone = await _instances_of_deleted_series(session, records, series)
    # Exceptions (stored instances) meeting the window are rows of the window themselves.
    singles = await with_occurrence_ids(
        session,
        [
            r
            for r in records
            if not r.event.recurrence and not is_cancelled_instance(r) and r.id not in gone
        ],
        series,
    )
    return await _in_turn(user_id, partial(_page, singles, series, taken, zones, window))


@dataclass(frozen=True)
class Window:
    """What a listing shows: the instants it spans, where the page before ended, how many."""

    time_min: datetime | None
    time_max: datetime | None
    after: _Position | None = None
    limit: int = MAX_PAGE


def _page(
    singles: list[EventRecord],
    series: list[EventRecord],
    taken: Taken,
    zones: dict[str, str],
    window: Window,
) -> EventPage:
    """Expand every series on one budget, then cut the page (runs in a worker thread)."""
    budget = Budget(LIST_PERIODS, LIST_SECONDS)
    since = window.time_min
    if window.after is not None and (since is None or window.after.start > since):
        since = window.after.start
    out = list(singles)
    incomplete = False
    for record in series:
        instances, cut = expand_series(
            record,
            taken.get((record.calendar_id, record.google_event_id), set()),
            zones.get(record.calendar_id, "UTC"),
            time_min=since,
            time_max=window.time_max,
            budget=budget,
        )
        out += instances
        incomplete = incomplete or cut
    keyed = sorted(((sort_key(r), r) for r in out), key=lambda pair: pair[0])
    if window.after is not None:
        mark = (window.after.start, window.after.id)
        keyed = [(k, r) for k, r in keyed if k > mark]
    page = [r for _, r in keyed[: window.limit]]
    more = len(keyed) > window.limit
    token = _Position(*sort_key(page[-1])).token() if more and page else None
    return EventPage(page, token, incomplete)


async def gone_instance(session: AsyncSession, row: Event) -> bool:
    """A cancelled instance of a series, or any instance of a series deleted here: neither is
    an event the user sees (the series' deletion takes its instances with it)."""
    if row.recurring_event_id is None:
        return False
    if is_cancelled_instance(EventRecord.of(row)):
        return True
    return bool(
        await event_store.deleted_series(session, row.calendar_id, {row.recurring_event_id})
    )


async def _instances_of_deleted_series(
    session: AsyncSession, records: list[EventRecord], live: Sequence[EventRecord]
) -> set[str]:
    """The ids of those records that are instances of a series deleted here (pushed or not);
    `live`: series read live already (their instances need no look)."""
    alive = {(r.calendar_id, r.google_event_id) for r in live}
    instances = [
        r
        for r in records
        if r.event.recurring_event_id
        and not r.event.recurrence
        and (r.calendar_id, r.event.recurring_event_id) not in alive
    ]
    gone: set[str] = set()
    for calendar_id in {r.calendar_id for r in instances}:
        mine = [r for r in instances if r.calendar_id == calendar_id]
        deleted = await event_store.deleted_series(
            session, calendar_id, {r.event.recurring_event_id or "" for r in mine}
        )
        gone |= {r.id for r in mine if r.event.recurring_event_id in deleted}
    return gone


async def _taken_slots(
    session: AsyncSession,
    series: list[EventRecord],
    *,
    time_min: datetime | None,
    time_max: datetime | None,
) -> Taken:
    """The slots the listed series' exceptions took that the window's expansion meets: those
    scheduled from the window's start, less the longest occurrence (and a day, for dates),
    to its end."""
    longest = max((length_of(r.event) for r in series), default=timedelta())
    start = time_min - longest - timedelta(days=1) if time_min is not None else None
    taken: Taken = defaultdict(set)
    for calendar_id in {r.calendar_id for r in series}:
        mine = {r.google_event_id: r for r in series if r.calendar_id == calendar_id}
        for gid, when in await event_store.taken_slots(
            session, calendar_id, list(mine), start=start, end=time_max
        ):
            all_day = mine[gid].event.start.is_all_day
            taken[(calendar_id, gid)].add(when.date() if all_day else when)
    return taken


async def with_occurrence_ids(
    session: AsyncSession, records: list[EventRecord], series: Sequence[EventRecord] = ()
) -> list[EventRecord]:
    """Stored exceptions under their occurrence ids (the same id as before they were
    exceptions, here or in Google), with their series' record id and rule (`series`: those
    series already read)."""
    stored = [r for r in records if r.event.recurring_event_id and r.event.original_start]
    known: dict[tuple[str, str], tuple[str, Sequence[str]]] = {
        (r.calendar_id, r.google_event_id): (r.id, r.event.recurrence) for r in series
    }
    for calendar_id in {r.calendar_id for r in stored}:
        wanted = {
            r.event.recurring_event_id or ""
            for r in stored
            if r.calendar_id == calendar_id
            and (calendar_id, r.event.recurring_event_id or "") not in known
        }
        found = await event_store.series_rows(session, calendar_id, wanted)
        known.update({(calendar_id, gid): row for gid, row in found.items()})
    return [_as_occurrence(r, known) for r in records]


def _as_occurrence(
    record: EventRecord, series: dict[tuple[str, str], tuple[str, Sequence[str]]]
) -> EventRecord:
    event = record.event
    if event.recurring_event_id is None or event.original_start is None:
        return record
    found = series.get((record.calendar_id, event.recurring_event_id))
    if found is None:
        return record
    series_id, rule = found
    return record.as_occurrence(
        occurrence_id(series_id, event.original_start), series_id, tuple(rule)
    )


def is_cancelled_instance(record: EventRecord) -> bool:
    """A cancelled occurrence of a series."""
    return record.event.recurring_event_id is not None and record.event.status.value == "cancelled"


def expand_series(
    record: EventRecord,
    replaced: set[date | datetime],
    calendar_zone: str,
    *,
    time_min: datetime | None,
    time_max: datetime | None,
    budget: Budget,
    limit: int = MAX_PAGE + 1,
) -> tuple[list[EventRecord], bool]:
    """Instances of one series in the window (at most `limit`), without those whose slots
    exceptions took (`replaced`: their slot keys); and whether the budget ran
    out before the window's end. A series whose rule cannot be read is shown as its first
    occurrence."""
    zone = ZoneInfo(record.event.start.time_zone or calendar_zone)
    until = time_max or (datetime.now(UTC) + HORIZON)
    out: list[EventRecord] = []
    try:
        for instance in occurrences(
            record.event, zone, until=until, since=time_min, budget=budget, taken=replaced
        ):
            out.append(_instance_record(record, instance.start, instance.end))
            if len(out) >= limit:
                break
    except BudgetExceeded:
        return out, True
    except RecurrenceError:
        return [record], False
    return out, False


def _instance_record(record: EventRecord, start: EventTime, end: EventTime) -> EventRecord:
    event = virtual(record.event, start, end, record.google_event_id)
    return record.replace(event=event).as_occurrence(
        occurrence_id(record.id, start), record.id, record.event.recurrence
    )


async def busy_spans(
    session: AsyncSession, user_id: str, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The spans the user's timed events (series' instances among them) take between `start`
    and `end`, from the cache: what a touchpoint placed in a free slot must not overlap.
    All-day events leave the day free, as Google's do by default, and so do invitations the
    user declined, events shown as free, and working locations (where, not busy)."""
    rows = await event_store.in_window(session, user_id, time_min=start, time_max=end)
    page = await expanded_page(session, user_id, rows, Window(start, end))
    return [
        (r.event.start.date_time, r.event.end.date_time)
        for r in page.items
        if r.event.start.date_time is not None
        and r.event.end.date_time is not None
        and r.event.status is not EventStatus.CANCELLED
        and not r.event.declined
        and not r.event.transparent
        and r.event.event_type != "workingLocation"
    ]
