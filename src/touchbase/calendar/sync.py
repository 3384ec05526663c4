"""Two-way sync of a user's calendars (the seed's two-way-sync).

Per calendar: pull every page Google reports (incremental with the sync token; a full sync the
first time and after 410), plan what each change means for the cache, apply the plan and the
new sync token in ONE transaction, then push every pending local change in batches of at most
50. Every step can be cut off and run again: the token moves only with the changes it covers,
creates carry our own ids, and leases expire.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.push import Snapshot, operation_for, read_snapshot, settle, write_outcome
from touchbase.calendar.records import API_FIELD, audit_changes
from touchbase.calendar.services import CalendarServices
from touchbase.calendar.sync_plan import Action, CachedRow, RemoteItem, plan_pull
from touchbase.domain import CalendarEvent, EventStatus
from touchbase.domain.merge import changed_fields
from touchbase.domain.recurrence import RecurrenceError, event_span
from touchbase.errors import CalendarError, SyncTokenExpiredError
from touchbase.google import GoogleCalendarClient, RetryPolicy
from touchbase.google.mapping import time_to_domain, to_domain
from touchbase.google.models import EventResource
from touchbase.store import sync as sync_store
from touchbase.store.accounts import new_id
from touchbase.store.codec import event_from_json, event_to_json
from touchbase.store.models import AuditEntry, Calendar, Conflict, Event

log = logging.getLogger("touchbase.sync")
SYNC_LEASE = timedelta(minutes=10)
PUSH_ROUNDS = 3
SYNC_RETRY = RetryPolicy(max_attempts=6, base_delay=0.5, max_delay=20.0, max_total=120.0)
EVENTS_TABLE: Table = Event.__table__  # type: ignore[assignment]
AUDIT_TABLE: Table = AuditEntry.__table__  # type: ignore[assignment]
# Stored event JSON keys as the audit log names them.
API_NAMES = {
    "title": "title",
    "description": "description",
    "location": "location",
    "start": "startTime",
    "end": "endTime",
    "attendees": "attendees",
    "recurrence": "recurrence",
    "status": "status",
    "contactId": "contactId",
    "touchpointId": "touchpointId",
}
COUNT_KEYS = ("pulled", "created", "updated", "deleted", "pushed", "merged", "conflicts", "errors")
Progress = Callable[[dict[str, Any]], None]


@dataclass
class CalendarSync:
    """What one calendar's sync did."""

    calendar_id: str
    summary: str
    full: bool = False
    status: str = "running"
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    errors: list[dict[str, str]] = field(default_factory=list)


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
        event_span(event, calendar_zone)  # odd zones and unreadable rules fail here
    except (ValueError, KeyError, TypeError, ZoneInfoNotFoundError, RecurrenceError) as exc:
        return RemoteItem(
            resource.id, resource.etag, cancelled, None, error=f"{type(exc).__name__}: {exc}"
        )
    return RemoteItem(resource.id, resource.etag, cancelled, event)


async def pull_changes(
    client: GoogleCalendarClient, calendar: Calendar, progress: Progress
) -> tuple[list[RemoteItem], str | None, bool]:
    """Every change since the sync token (or everything), read as plan input page by page:
    (items, next token, whether it was a full sync)."""
    try:
        return await _pull(client, calendar, calendar.sync_token, progress)
    except SyncTokenExpiredError:
        log.info("sync token of calendar %s expired: full sync", calendar.id)
        return await _pull(client, calendar, None, progress)


async def _pull(
    client: GoogleCalendarClient, calendar: Calendar, token: str | None, progress: Progress
) -> tuple[list[RemoteItem], str | None, bool]:
    items: list[RemoteItem] = []
    listing = client.list_events(calendar.google_calendar_id, sync_token=token, show_deleted=True)
    async for page in listing:
        with collector_paused():
            items.extend(remote_item(r, calendar.time_zone) for r in page.items)
        progress({"phase": "pull", "pulled": len(items)})
    return items, listing.next_sync_token, token is None


# ---- applying a pull -----------------------------------------------------------------------


def _cached(row: Event, in_conflict: bool) -> CachedRow:
    dirty = row.pending_op is not None
    return CachedRow(
        row_id=row.id,
        google_event_id=row.google_event_id,
        etag=row.etag,
        local=event_from_json(row.local) if dirty or in_conflict else None,
        base=event_from_json(row.base) if (dirty or in_conflict) and row.base else None,
        pending_op=row.pending_op,
        deleted=row.deleted,
        in_conflict=in_conflict,
    )


class PullApplier:
    """Applies a planned pull to the cache inside one transaction."""

    def __init__(
        self,
        session: AsyncSession,
        calendar: Calendar,
        rows: dict[str, Event],
        *,
        now: datetime,
        counts: dict[str, int],
    ) -> None:
        self.session = session
        self.calendar = calendar
        self.rows = rows
        self.now = now
        self.counts = counts
        self.new_rows: list[dict[str, Any]] = []
        self.audit: list[dict[str, Any]] = []

    def _audit(self, event_id: str, action: str, changes: dict[str, Any]) -> None:
        self.audit.append(
            {
                "user_id": self.calendar.user_id,
                "event_id": event_id,
                "action": action,
                "source": "sync",
                "actor": "google",
                "at": self.now,
                "changes": changes,
            }
        )

    def _take_remote(self, row: Event, item: RemoteItem, event: CalendarEvent) -> None:
        before = event_from_json(row.local)
        start_at, end_at = event_span(event, self.calendar.time_zone)
        row.local = row.base = event_to_json(event)
        row.etag, row.start_at, row.end_at = item.etag, start_at, end_at
        row.contact_id = event.contact_id
        row.recurring_event_id = event.recurring_event_id
        row.deleted = item.cancelled and not item.is_exception
        row.pending_op, row.sync_status, row.next_push_at, row.last_error = (
            None,
            "synced",
            None,
            None,
        )
        self._audit(row.id, "sync_update", audit_changes(before, event))

    def add(self, item: RemoteItem) -> None:
        assert item.event is not None
        start_at, end_at = event_span(item.event, self.calendar.time_zone)
        row_id = new_id()
        raw = event_to_json(item.event)
        self.new_rows.append(
            {
                "id": row_id,
                "user_id": self.calendar.user_id,
                "calendar_id": self.calendar.id,
                "google_event_id": item.google_event_id,
                "idempotency_key": None,
                "local": raw,
                "base": raw,
                "etag": item.etag,
                "start_at": start_at,
                "end_at": end_at,
                "contact_id": item.event.contact_id,
                "recurring_event_id": item.event.recurring_event_id,
                "is_touchpoint": item.event.touchpoint_id is not None,
                "sync_status": "synced",
                "pending_op": None,
                "deleted": False,
                "send_updates": "none",
                "push_attempts": 0,
                "next_push_at": None,
                "push_lease_until": None,
                "last_error": None,
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        self._audit(
            row_id,
            "sync_create",
            {
                API_NAMES[key]: {"before": None, "after": value}
                for key, value in raw.items()
                if key in API_NAMES and value not in (None, "", [])
            },
        )
        self.counts["created"] += 1

    def apply_now(self, action: Action) -> bool:
        """Carry out one action that needs no query; False for those that do (conflicts)."""
        row = self.rows.get(action.google_event_id)
        item = action.remote
        if action.kind == "conflict":
            return row is None
        if action.kind == "add" and item is not None:
            self.add(item)
        elif action.kind == "replace" and row is not None and item and item.event:
            self._take_remote(row, item, item.event)
            self.counts["updated"] += 1
        elif action.kind == "merge" and row is not None and item and item.event:
            assert action.merged is not None
            before = event_from_json(row.local)
            row.base, row.etag = event_to_json(item.event), item.etag
            row.local = event_to_json(action.merged)
            row.start_at, row.end_at = event_span(action.merged, self.calendar.time_zone)
            row.pending_op, row.sync_status, row.next_push_at = "update", "pending", self.now
            self._audit(row.id, "merge", audit_changes(before, action.merged))
            self.counts["merged"] += 1
        elif action.kind == "rebase" and row is not None and item and item.event:
            row.base, row.etag = event_to_json(item.event), item.etag
        elif action.kind == "remove" and row is not None:
            row.deleted, row.pending_op, row.sync_status = True, None, "synced"
            row.next_push_at = row.last_error = None
            self._audit(row.id, "sync_delete", {"reason": action.reason})
            self.counts["deleted"] += 1
        elif action.kind == "error":
            self.counts["errors"] += 1
        return True

    async def apply_later(self, action: Action) -> None:
        """Carry out an action that needs queries (a conflict)."""
        row = self.rows.get(action.google_event_id)
        if row is not None:
            await self._conflict(row, action)

    async def _conflict(self, row: Event, action: Action) -> None:
        item = action.remote
        remote = item.event if item is not None else None
        if action.conflict_kind == "refresh":  # keep the open conflict, with Google's news
            open_conflict = (
                await self.session.scalars(
                    select(Conflict).where(Conflict.event_id == row.id, Conflict.status == "open")
                )
            ).first()
            if open_conflict is not None and remote is not None and item is not None:
                open_conflict.remote = event_to_json(remote)
                open_conflict.remote_etag = item.etag
                if open_conflict.kind == "fields" and open_conflict.local and open_conflict.base:
                    local = event_from_json(open_conflict.local)
                    base = event_from_json(open_conflict.base)
                    both = set(changed_fields(base, local)) & set(changed_fields(base, remote))
                    open_conflict.fields = [API_FIELD[f] for f in sorted(both)]
            return
        self.session.add(
            Conflict(
                id=new_id(),
                user_id=row.user_id,
                event_id=row.id,
                kind=action.conflict_kind or "fields",
                fields=list(action.fields),
                base=row.base,
                local=row.local,
                remote=event_to_json(remote) if remote else None,
                remote_etag=item.etag if item else None,
                created_at=self.now,
            )
        )
        row.sync_status, row.next_push_at = "conflict", None
        self._audit(
            row.id, "conflict", {"kind": action.conflict_kind, "fields": list(action.fields)}
        )
        self.counts["conflicts"] += 1

    async def flush(self) -> None:
        """Insert the new rows and audit entries in bulk."""
        if self.new_rows:  # Core inserts: many rows per statement, no ORM bookkeeping
            await self.session.execute(insert(EVENTS_TABLE), self.new_rows)
        if self.audit:
            await self.session.execute(insert(AUDIT_TABLE), self.audit)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Creating thousands of objects at once makes CPython's cyclic collector rescan them again
    and again (a third of a full sync's time); nothing here makes cycles, so pause it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def apply_pull(
    services: CalendarServices,
    calendar_id: str,
    items: list[RemoteItem],
    token: str | None,
    *,
    full: bool,
    result: CalendarSync,
) -> None:
    """Plan and apply a pull, and store the new token, in one transaction."""
    now = services.clock()
    async with services.db.session() as session:
        calendar = await session.get(Calendar, calendar_id, with_for_update=True)
        assert calendar is not None
        ids = None if full else [i.google_event_id for i in items]
        rows = {
            r.google_event_id: r
            for r in await sync_store.calendar_rows(session, calendar_id, google_ids=ids)
        }
        conflicted = await sync_store.events_in_conflict(session, calendar_id)
        applier = PullApplier(session, calendar, rows, now=now, counts=result.counts)
        with collector_paused():  # thousands of objects, no awaits
            cache = {gid: _cached(row, row.id in conflicted) for gid, row in rows.items()}
            actions = plan_pull(cache, items, full=full)
            later = [a for a in actions if not applier.apply_now(a)]
        for action in later:
            await applier.apply_later(action)
        result.errors += [
            {"googleEventId": a.google_event_id, "error": a.reason}
            for a in actions
            if a.kind == "error"
        ]
        await applier.flush()
        calendar.sync_token = token
        calendar.last_synced_at = now
        result.counts["pulled"] += len(items)


# ---- pushing -------------------------------------------------------------------------------


async def push_calendar(
    services: CalendarServices,
    client: GoogleCalendarClient,
    calendar_id: str,
    result: CalendarSync,
    progress: Progress,
) -> None:
    """Send every pending change of the calendar, in batches, until nothing more can go."""
    for _ in range(PUSH_ROUNDS):
        async with services.db.session() as session:
            ids = await sync_store.claim_pending(
                session, calendar_id, now=services.clock(), lease=services.push_lease
            )
            snaps = [s for s in [await read_snapshot(session, i) for i in ids] if s]
        if not snaps:
            return
        progress({"phase": "push", "pushing": len(snaps)})
        outcomes = []
        for mode in {s.send_updates for s in snaps}:
            group = [s for s in snaps if s.send_updates == mode]
            answers = await client.batch([operation_for(s) for s in group], send_updates=mode)  # type: ignore[arg-type]
            for snap, answer in zip(group, answers, strict=True):
                outcomes.append((snap, await settle(client, snap, answer.event, answer.error)))
        if not await _apply_pushes(services, outcomes, result):
            return


async def _apply_pushes(
    services: CalendarServices, outcomes: list[tuple[Snapshot, Any]], result: CalendarSync
) -> bool:
    again = False
    async with services.db.session() as session:
        for snap, outcome in outcomes:
            row = await session.get(Event, snap.event_id, with_for_update=True)
            if row is None:
                continue
            more = await write_outcome(services, session, row, snap, outcome)
            row.push_lease_until = None
            again = again or more
            if outcome.kind in ("pushed", "deleted"):
                result.counts["pushed"] += 1
            elif outcome.kind == "merged":
                result.counts["merged"] += 1
            elif outcome.kind == "conflict":
                result.counts["conflicts"] += 1
            elif outcome.kind in ("retry", "failed"):
                result.counts["errors"] += 1
                error = outcome.error.to_dict() if outcome.error else {}
                result.errors.append(
                    {"googleEventId": snap.google_event_id, "error": str(error.get("message"))}
                )
    return again


# ---- a run ---------------------------------------------------------------------------------


async def sync_calendar(
    services: CalendarServices, client: GoogleCalendarClient, calendar: Calendar, progress: Progress
) -> CalendarSync:
    """Pull, apply, push one calendar (skipped when another sync holds it)."""
    result = CalendarSync(calendar.id, calendar.summary)
    async with services.db.session() as session:
        claimed = await sync_store.claim_calendar(
            session, calendar.id, now=services.clock(), lease=SYNC_LEASE
        )
    if not claimed:
        result.status = "busy"
        return result
    try:

        def report(update: dict[str, Any]) -> None:
            progress({"calendar": calendar.id, **update})

        items, token, full = await pull_changes(client, calendar, report)
        result.full = full
        report({"phase": "apply", "pulled": len(items)})
        await apply_pull(services, calendar.id, items, token, full=full, result=result)
        await push_calendar(services, client, calendar.id, result, report)
        result.status = "succeeded"
        report({"phase": "done", "counts": dict(result.counts)})
        return result
    finally:
        async with services.db.session() as session:
            await sync_store.release_calendar(session, calendar.id)


async def start_sync(services: CalendarServices, user_id: str, *, trigger: str) -> str:
    """Record a new run; returns its id (the run itself is `perform_two_way_sync`)."""
    run_id = new_id()
    async with services.db.session() as session:
        await sync_store.start_run(
            session, run_id=run_id, user_id=user_id, trigger=trigger, now=services.clock()
        )
    services.sync_progress[run_id] = {"status": "running", "calendars": {}}
    return run_id


async def perform_two_way_sync(
    services: CalendarServices,
    user_id: str,
    *,
    run_id: str | None = None,
    trigger: str = "api",
    calendar_ids: list[str] | None = None,
) -> SyncResult:
    """Sync the user's chosen calendars with Google, recording the run."""
    run_id = run_id or await start_sync(services, user_id, trigger=trigger)
    state = services.sync_progress.setdefault(run_id, {"status": "running", "calendars": {}})

    def progress(update: dict[str, Any]) -> None:
        state["calendars"].setdefault(update.get("calendar", "?"), {}).update(update)

    results: list[CalendarSync] = []
    error: CalendarError | None = None
    client: GoogleCalendarClient | None = None
    try:
        client = await services.accounts.client(user_id, retry=SYNC_RETRY)
        async with services.db.session() as session:
            query = select(Calendar).where(Calendar.user_id == user_id)
            if calendar_ids is not None:
                query = query.where(Calendar.id.in_(calendar_ids))
            else:
                query = query.where(Calendar.sync_enabled.is_(True))
            calendars = list(await session.scalars(query.order_by(Calendar.summary)))
        for calendar in calendars:
            results.append(await sync_calendar(services, client, calendar, progress))
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
        )
        for calendar_result in results:
            row = await session.get(Calendar, calendar_result.calendar_id)
            if row is not None:
                row.last_sync_run_id = run_id
    state.update({"status": status, "counts": totals})
    return SyncResult(run_id, status, totals, results, calls, error.to_dict() if error else None)
