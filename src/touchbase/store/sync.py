"""Sync state in the store: calendar leases, pending pushes of a calendar, and sync runs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, delete, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.store.models import Calendar, Conflict, Event, SyncRun
from touchbase.store.turns import taking_turns

CHUNK = 2500  # ids per IN (...): a whole page; well inside SQLite and PostgreSQL limits


async def claim_calendar(
    session: AsyncSession,
    calendar_id: str,
    *,
    now: datetime,
    lease: timedelta,
    holder: str | None = None,
) -> bool:
    """Take the calendar for one sync (no other sync of it runs until released or expired).
    A `holder` (a job) takes back its own lease: the same job, run again after its worker
    died mid-sync, need not wait for the lease to expire."""
    free = or_(Calendar.sync_lease_until.is_(None), Calendar.sync_lease_until < now)
    if holder is not None:
        free = or_(free, Calendar.sync_lease_holder == holder)
    result = await session.execute(
        update(Calendar)
        .where(Calendar.id == calendar_id, free)
        .values(sync_lease_until=now + lease, sync_lease_holder=holder)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def release_calendar(session: AsyncSession, calendar_id: str) -> None:
    """End a calendar's sync."""
    await session.execute(
        update(Calendar)
        .where(Calendar.id == calendar_id)
        .values(sync_lease_until=None, sync_lease_holder=None)
    )


async def release_holder(session: AsyncSession, holder: str) -> None:
    """End the syncs a job left behind (its worker died)."""
    await session.execute(
        update(Calendar)
        .where(Calendar.sync_lease_holder == holder)
        .values(sync_lease_until=None, sync_lease_holder=None)
    )


async def _cached_ids(session: AsyncSession, calendar_id: str, ids: list[str]) -> list[str]:
    """Which of these Google ids the calendar's cache holds. Plain driver SQL: a page of a
    first sync asks for thousands of ids the cache does not have, and compiling that IN list
    through the ORM cost more than the lookup."""
    connection = await session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    found: list[str] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        result = await connection.exec_driver_sql(
            f"SELECT google_event_id FROM events WHERE calendar_id = {mark} "
            f"AND google_event_id IN ({', '.join([mark] * len(chunk))})",
            (calendar_id, *chunk),
        )
        found.extend(result.scalars())
    return found


async def calendar_rows(
    session: AsyncSession, calendar_id: str, *, google_ids: Iterable[str]
) -> list[Event]:
    """The calendar's cached events with these Google ids, locked for update."""
    query = select(Event).where(Event.calendar_id == calendar_id)
    ids = await _cached_ids(session, calendar_id, list(google_ids))
    rows: list[Event] = []
    for start in range(0, len(ids), CHUNK):
        chunk = query.where(Event.google_event_id.in_(ids[start : start + CHUNK]))
        rows.extend(await session.scalars(chunk.with_for_update()))
    return rows


async def events_in_conflict(
    session: AsyncSession, calendar_id: str, *, event_ids: Iterable[str]
) -> set[str]:
    """Which of these events of the calendar have an open conflict."""
    ids = list(event_ids)
    found: set[str] = set()
    for start in range(0, len(ids), CHUNK):
        found.update(
            await session.scalars(
                select(Conflict.event_id)
                .join(Event, Event.id == Conflict.event_id)
                .where(
                    Event.calendar_id == calendar_id,
                    Conflict.status == "open",
                    Conflict.event_id.in_(ids[start : start + CHUNK]),
                )
            )
        )
    return found


async def google_etags(session: AsyncSession, calendar_id: str) -> dict[str, str | None]:
    """Every Google id the calendar's cache holds, with its etag."""
    found = await session.execute(
        select(Event.google_event_id, Event.etag).where(Event.calendar_id == calendar_id)
    )
    return dict(found.all())


async def events_by_id(
    session: AsyncSession, event_ids: Iterable[str], *, for_update: bool = False
) -> dict[str, Event]:
    """These events by id, read at once (locked in id order with `for_update`)."""
    wanted = sorted(set(event_ids))
    found: dict[str, Event] = {}
    # 500 a statement bounds its parameters; the loop serves others between statements.
    async for start in taking_turns(range(0, len(wanted), 500), every=1):
        query = select(Event).where(Event.id.in_(wanted[start : start + 500])).order_by(Event.id)
        rows = await session.scalars(query.with_for_update() if for_update else query)
        found.update((row.id, row) for row in rows)
    return found


async def claim_pending(
    session: AsyncSession,
    calendar_id: str,
    *,
    now: datetime,
    lease: timedelta,
    due_only: bool = False,
    limit: int,
) -> list[str]:
    """Take up to `limit` events of the calendar with a change for Google (not already being
    pushed), series before occurrences, the longest waiting first; with `due_only`, only
    those whose retry time has come."""
    due = or_(Event.next_push_at.is_(None), Event.next_push_at <= now) if due_only else true()
    waiting = (
        Event.calendar_id == calendar_id,
        Event.pending_op.is_not(None),
        Event.sync_status == "pending",
        or_(Event.push_lease_until.is_(None), Event.push_lease_until < now),
        due,
    )
    first = (
        select(Event.id)
        .where(*waiting)
        .order_by(Event.recurring_event_id.is_not(None), Event.updated_at, Event.id)
        .limit(limit)
    )
    result = await session.execute(
        update(Event)
        .where(Event.id.in_(first), *waiting)
        .values(push_lease_until=now + lease)
        .returning(Event.id)
    )
    return list(result.scalars())


async def store_sync_token(
    session: AsyncSession, calendar_id: str, token: str | None, *, now: datetime
) -> None:
    """The calendar's new sync token, after an incremental pull (one statement)."""
    await session.execute(
        update(Calendar)
        .where(Calendar.id == calendar_id)
        .values(sync_token=token, last_synced_at=now)
    )


async def start_run(
    session: AsyncSession,
    *,
    run_id: str,
    user_id: str,
    trigger: str,
    now: datetime,
    stale_after: timedelta = timedelta(hours=1),
) -> SyncRun:
    """Record that a sync started (and close the user's runs a dead process left open)."""
    await session.execute(
        update(SyncRun)
        .where(
            SyncRun.user_id == user_id,
            SyncRun.status == "running",
            SyncRun.started_at < now - stale_after,
        )
        .values(
            status="failed",
            finished_at=now,
            error={
                "code": "SYNC_INTERRUPTED",
                "message": "The sync stopped before it finished (the process ended).",
                "action": "Nothing to do: the next sync picks up where it left off.",
                "details": {},
            },
        )
    )
    run = SyncRun(
        id=run_id,
        user_id=user_id,
        trigger=trigger,
        status="running",
        started_at=now,
        counts={},
        calendars=[],
        google_calls=0,
    )
    session.add(run)
    await session.flush()
    return run


async def finish_run(
    session: AsyncSession,
    run_id: str,
    *,
    status: str,
    now: datetime,
    counts: dict[str, int],
    calendars: list[dict[str, Any]],
    google_calls: int,
    error: dict[str, Any] | None,
    progress: dict[str, Any],
) -> None:
    """Record how a sync ended, and make it the last run of the calendars it synced (one
    statement each, nothing read first)."""
    await session.execute(
        update(SyncRun)
        .where(SyncRun.id == run_id)
        .values(
            status=status,
            finished_at=now,
            counts=counts,
            calendars=calendars,
            google_calls=google_calls,
            error=error,
            progress=dict(progress),
        )
    )
    synced = [c["calendar_id"] for c in calendars]
    if synced:
        await session.execute(
            update(Calendar).where(Calendar.id.in_(synced)).values(last_sync_run_id=run_id)
        )


async def prune_runs(session: AsyncSession, *, ended_before: datetime, limit: int) -> int:
    """Delete up to `limit` runs that ended before `ended_before`, except the last run of
    each calendar (its page shows it); how many went."""
    shown = select(Calendar.last_sync_run_id).where(Calendar.last_sync_run_id.is_not(None))
    old = (
        select(SyncRun.id)
        .where(SyncRun.finished_at < ended_before, SyncRun.id.not_in(shown))
        .limit(limit)
    )
    result = await session.execute(delete(SyncRun).where(SyncRun.id.in_(old)))
    assert isinstance(result, CursorResult)
    return result.rowcount


async def waiting_run(session: AsyncSession, run_id: str) -> SyncRun | None:
    """A run that was asked for and has not ended (its job carries it out)."""
    run = await session.get(SyncRun, run_id)
    return run if run is not None and run.status == "running" else None


async def note_progress(session: AsyncSession, run_id: str, progress: dict[str, Any]) -> None:
    """How far a running sync has come, for whichever process shows it."""
    await session.execute(
        update(SyncRun).where(SyncRun.id == run_id).values(progress=dict(progress))
    )


async def get_run(session: AsyncSession, user_id: str, run_id: str) -> SyncRun | None:
    """One of the user's sync runs."""
    run = await session.get(SyncRun, run_id)
    return run if run is not None and run.user_id == user_id else None
