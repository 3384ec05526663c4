"""Two-way sync of a user's calendars (the seed's two-way-sync).

Per calendar: pull every page Google reports (incremental with the sync token; a full sync the
first time and after 410), planning and applying each page as it arrives while the next one is
fetched; then store the new sync token (and, after a full sync, sweep what Google no longer
has) in one transaction; then push every pending local change in batches of at most 50. Every
step can be cut off and run again: applying a page twice changes nothing, the token moves only
after every change it covers is stored, creates carry our own ids, and leases expire.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from dataclasses import asdict, dataclass
from datetime import UTC, timedelta
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from sqlalchemy import select

from touchbase.calendar.batch_push import (
    BATCH_RETRY,
    COUNT_KEYS,
    CalendarSync,
    Progress,
    push_calendar,
)
from touchbase.calendar.collector import collector_paused
from touchbase.calendar.occurrences import is_provisional
from touchbase.calendar.services import CalendarServices
from touchbase.calendar.sync_apply import MAX_UNREAD_TEXT, apply_page, finish_pull
from touchbase.calendar.sync_plan import RemoteItem, SweepInput
from touchbase.domain import CalendarEvent, EventStatus
from touchbase.domain.recurrence import event_span
from touchbase.domain.rrules import RecurrenceError
from touchbase.domain.sanitize import clean_line
from touchbase.domain.validation import in_supported_range
from touchbase.errors import (
    CalendarError,
    EventNotFoundError,
    GoogleApiError,
    ReadOnlyCalendarError,
    SyncTokenExpiredError,
)
from touchbase.google import GoogleCalendarClient
from touchbase.google.mapping import time_to_domain, to_domain
from touchbase.google.models import EventResource, EventsPage
from touchbase.store import sync as sync_store
from touchbase.store.accounts import new_id
from touchbase.store.models import Calendar

log = logging.getLogger("touchbase.sync")
SYNC_LEASE = timedelta(minutes=10)
READ_SLICE = 250
SYNC_RETRY = BATCH_RETRY
# A full sync that pulled this many events refreshes the database's statistics.
STATISTICS_AFTER = 1_000
# How often a run writes its progress to its row.
PROGRESS_SECONDS = 0.25


@dataclass
class SyncResult:
    """What a whole run did."""

    run_id: str
    status: str
    counts: dict[str, int]
    calendars: list[CalendarSync]
    google_calls: int
    error: dict[str, Any] | None = None


# ---- reading Google's answer ---------------------------------------------------------------


def remote_item(resource: EventResource, calendar_zone: str) -> RemoteItem:
    """Google's event as plan input; a malformed one carries its error instead."""
    cancelled = resource.is_cancelled
    try:
        if resource.start is None or resource.end is None:
            if not cancelled or resource.original_start_time is None:
                if cancelled:
                    return RemoteItem(resource.id, resource.etag, True, None)
                raise ValueError("an event without start or end")
            original = time_to_domain(resource.original_start_time)
            event = CalendarEvent(
                title="",
                start=original,
                end=original,
                status=EventStatus.CANCELLED,
                id=resource.id,
                etag=resource.etag,
                recurring_event_id=resource.recurring_event_id,
                original_start=original,
            )
        else:
            event = to_domain(resource)
        span = event_span(event, calendar_zone)  # odd zones and unreadable rules fail here
        span[1].astimezone(UTC)  # OverflowError past the year 9999
        if not in_supported_range(span[0]):
            raise ValueError("a time outside the years touchbase can store")
    except (
        ValueError,
        KeyError,
        TypeError,
        OverflowError,
        ZoneInfoNotFoundError,
        RecurrenceError,
    ) as exc:
        if cancelled:  # deleted in Google: its id is all that counts, readable or not
            return RemoteItem(resource.id, resource.etag, True, None)
        return RemoteItem(
            resource.id,
            resource.etag,
            cancelled,
            None,
            error=f"{type(exc).__name__}: {exc}"[:MAX_UNREAD_TEXT],
            title=clean_line((resource.summary or "")[:MAX_UNREAD_TEXT]),
        )
    return RemoteItem(resource.id, resource.etag, cancelled, event, span=span)


async def read_page(resources: list[EventResource], calendar_zone: str) -> list[RemoteItem]:
    """A page of Google's events as plan input, read a slice at a time: between slices the
    event loop runs, so the request for the next page goes out while this one is read."""
    items: list[RemoteItem] = []
    for start in range(0, len(resources), READ_SLICE):
        with collector_paused():
            items.extend(
                remote_item(r, calendar_zone) for r in resources[start : start + READ_SLICE]
            )
        await asyncio.sleep(0)
    return items


async def pull_calendar(
    services: CalendarServices,
    client: GoogleCalendarClient,
    calendar: Calendar,
    result: CalendarSync,
    progress: Progress,
) -> None:
    """Bring every change since the sync token (or everything) into the cache, page by page,
    then store the new token."""
    try:
        await _pull(services, client, calendar, result, progress, token=calendar.sync_token)
    except SyncTokenExpiredError:
        log.info("sync token of calendar %s expired: full sync", calendar.id)
        await _pull(services, client, calendar, result, progress, token=None)


async def _pull(
    services: CalendarServices,
    client: GoogleCalendarClient,
    calendar: Calendar,
    result: CalendarSync,
    progress: Progress,
    *,
    token: str | None,
) -> None:
    sweep = None
    if token is None:  # a full sync: what the listing does not report is gone from Google
        async with services.db.session() as session:
            cached = await sync_store.google_etags(session, calendar.id)
            # Occurrences changed here whose Google ids are not known yet are not in Google's
            # listing under those ids: their push finds them.
            sweep = SweepInput({g: e for g, e in cached.items() if not is_provisional(g)})
    result.full = sweep is not None
    importing = sweep is not None and not sweep.before  # the calendar's first sync

    listing = client.list_events(
        calendar.google_calendar_id,
        sync_token=token,
        show_deleted=True,
        page_size=services.sync_page_size,
    )

    async def take(page: EventsPage) -> None:
        items = await read_page(page.items, calendar.time_zone)
        items += [RemoteItem(u.id, None, False, None, error=u.error) for u in page.unreadable]
        if sweep is not None:
            sweep.seen.update(item.google_event_id for item in items)
        await apply_page(
            services,
            calendar,
            items,
            counts=result.counts,
            errors=result.errors,
            importing=importing,
        )

    async for page in listing:  # the listing asks for the next page before handing this one
        with collector_paused():  # resumed between pages, once the page's objects are gone
            await take(page)
        await progress({"phase": "pull", "pulled": result.counts["pulled"]})
    await finish_pull(
        services, calendar.id, listing.next_sync_token, sweep=sweep, counts=result.counts
    )
    if result.full and result.counts["pulled"] >= STATISTICS_AFTER:
        await services.db.refresh_statistics()  # the tables grew: the query planner's view


# ---- a run ---------------------------------------------------------------------------------


async def sync_calendar(
    services: CalendarServices,
    client: GoogleCalendarClient,
    calendar: Calendar,
    progress: Progress,
    holder: str | None = None,
) -> CalendarSync:
    """Pull, apply, push one calendar (skipped when another sync holds it; `removed`, with
    its events, when Google no longer shows it to the user nor lists it for them)."""
    result = CalendarSync(calendar.id, calendar.summary)
    async with services.db.session() as session:
        claimed = await sync_store.claim_calendar(
            session, calendar.id, now=services.clock(), lease=SYNC_LEASE, holder=holder
        )
    if not claimed:
        result.status = "busy"
        return result
    try:

        async def report(update: dict[str, Any]) -> None:
            await progress({"calendar": calendar.id, **update})

        try:
            await pull_calendar(services, client, calendar, result, report)
        except (EventNotFoundError, ReadOnlyCalendarError):  # the user's access changed
            if not await services.accounts.lost(calendar):  # (the list read again)
                raise
            result.status = "removed"
            await report({"phase": "done", "counts": dict(result.counts)})
            return result
        await push_calendar(services, client, calendar.id, result, report)
        result.status = "succeeded"
        await report({"phase": "done", "counts": dict(result.counts)})
        return result
    finally:
        async with services.db.session() as session:
            await sync_store.release_calendar(session, calendar.id)


class _RunProgress:
    """A run's progress, by calendar, written to its row (at most every PROGRESS_SECONDS,
    the first time that long after the start: a run over sooner writes its progress only
    with its end) for whichever process shows it."""

    def __init__(self, services: CalendarServices, run_id: str) -> None:
        self.services, self.run_id = services, run_id
        self.calendars: dict[str, dict[str, Any]] = {}
        self._written = time.monotonic()

    async def __call__(self, update: dict[str, Any]) -> None:
        self.calendars.setdefault(update.get("calendar", "?"), {}).update(update)
        if time.monotonic() - self._written < PROGRESS_SECONDS:
            return
        self._written = time.monotonic()
        async with self.services.db.session() as session:
            await sync_store.note_progress(session, self.run_id, self.calendars)


def _of_one_calendar(failure: CalendarError) -> bool:
    """Whether a failure is the calendar's own (Google shows it no more, or lets the user
    only see when it is busy), which the user's other calendars do not share; not the
    account's (its grant, Google away or rationing calls), which they would."""
    return isinstance(failure, EventNotFoundError | ReadOnlyCalendarError | GoogleApiError)


def _failed(calendar: Calendar, failure: CalendarError) -> CalendarSync:
    result = CalendarSync(calendar.id, calendar.summary, status="failed")
    result.errors.append({"code": failure.code, "message": failure.message})
    return result


def _named(calendar: Calendar, failure: CalendarError) -> CalendarError:
    """The run's error: the calendar's, naming it."""
    named = copy.copy(failure)
    named.message = f"{calendar.summary}: {failure.message}"
    return named


async def start_sync(services: CalendarServices, user_id: str, *, trigger: str) -> str:
    """Record a new run; returns its id (the run itself is `perform_two_way_sync`)."""
    run_id = new_id()
    async with services.db.session() as session:
        await sync_store.start_run(
            session, run_id=run_id, user_id=user_id, trigger=trigger, now=services.clock()
        )
    return run_id


async def perform_two_way_sync(
    services: CalendarServices,
    user_id: str,
    *,
    run_id: str | None = None,
    trigger: str = "api",
    calendar_ids: list[str] | None = None,
    holder: str | None = None,
) -> SyncResult:
    """Sync the user's chosen calendars with Google, recording the run. A job passes itself
    as the `holder` of each calendar's lease."""
    run_id = run_id or await start_sync(services, user_id, trigger=trigger)
    progress = _RunProgress(services, run_id)
    results: list[CalendarSync] = []
    error: CalendarError | None = None
    client: GoogleCalendarClient | None = None
    try:
        client = await services.accounts.client(user_id, retry=SYNC_RETRY)
        async with services.db.session() as session:
            # Only calendars chosen to sync (one turned off since its job was queued, or
            # found to show only busy times, is left alone).
            query = select(Calendar).where(
                Calendar.user_id == user_id, Calendar.sync_enabled.is_(True)
            )
            if calendar_ids is not None:
                query = query.where(Calendar.id.in_(calendar_ids))
            calendars = list(await session.scalars(query.order_by(Calendar.summary)))
        for calendar in calendars:
            try:
                results.append(await sync_calendar(services, client, calendar, progress, holder))
            except CalendarError as failure:
                if not _of_one_calendar(failure):
                    raise
                results.append(_failed(calendar, failure))
                error = error or _named(calendar, failure)
    except CalendarError as failure:
        error = failure
    except Exception:
        log.exception("sync run %s failed", run_id)
        error = CalendarError("The sync failed unexpectedly.")
    totals = {key: sum(r.counts[key] for r in results) for key in COUNT_KEYS}
    status = "failed" if error else "succeeded"
    calls = client.requests_sent if client else 0
    async with services.db.session() as session:
        await sync_store.finish_run(
            session,
            run_id,
            status=status,
            now=services.clock(),
            counts=totals,
            calendars=[asdict(r) for r in results],
            google_calls=calls,
            error=error.to_dict() if error else None,
            progress=progress.calendars,
        )
    return SyncResult(run_id, status, totals, results, calls, error.to_dict() if error else None)
