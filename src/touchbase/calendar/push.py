"""Pushing one event's pending change to Google: each round sends it and judges Google's
answer (`push_plan`), then writes the outcome in its own transaction: the new base, a merge
to send next round, a conflict kept for the user, a retry with backoff, or a refusal shown.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from touchbase.calendar.occurrences import is_provisional
from touchbase.calendar.push_plan import (
    WAITING_FOR_SERIES,
    Outcome,
    Snapshot,
    plan_round,
    snapshot_of,
)
from touchbase.calendar.records import EventRecord, audit_changes
from touchbase.calendar.services import CalendarServices
from touchbase.errors import CalendarError, TransientError
from touchbase.google import RetryPolicy
from touchbase.google.mapping import to_domain
from touchbase.store import accounts
from touchbase.store import events as event_store
from touchbase.store.accounts import new_id
from touchbase.store.codec import event_to_json
from touchbase.store.models import Calendar, Conflict, Event

MAX_ROUNDS = 4


def _backoff(attempts: int, ceiling: timedelta) -> timedelta:
    seconds = min(ceiling.total_seconds(), 2.0 * 2 ** max(0, attempts - 1))
    return timedelta(seconds=random.uniform(seconds / 2, seconds))


async def _apply(
    services: CalendarServices, snap: Snapshot, outcome: Outcome
) -> tuple[bool, EventRecord | None]:
    """Write an outcome: (another round needed, else the final record; lease released)."""
    async with services.db.session() as session:
        row = await session.get(Event, snap.event_id, with_for_update=True)
        if row is None:
            return False, None
        if await write_outcome(services, session, row, snap, outcome):
            return True, None
        row.push_lease_until = None
        conflict = None
        if outcome.kind == "conflict":
            conflict = await event_store.open_conflict(session, row.user_id, row.id)
        return False, EventRecord.of(row, conflict)


async def write_outcome(
    services: CalendarServices, session: Any, row: Event, snap: Snapshot, outcome: Outcome
) -> bool:
    now = services.clock()
    if await _waits_for_series(session, row, snap, outcome):
        outcome = Outcome("retry", error=TransientError(WAITING_FOR_SERIES))
    edited_meanwhile = row.updated_at != snap.updated_at
    if outcome.located is not None:
        row.google_event_id = outcome.located
    if outcome.kind in ("pushed", "merged") and outcome.remote is not None:
        remote_event = to_domain(outcome.remote)
        row.base, row.etag = event_to_json(remote_event), outcome.remote.etag
        if not edited_meanwhile:
            new_local = outcome.merged or remote_event
            merge_changes = audit_changes(snap.local, new_local)
            if outcome.kind == "merged" and merge_changes:  # not when only an id was found
                await _touchbase_audit(session, row, "merge", merge_changes, now=now)
            row.local = event_to_json(new_local)
        again = outcome.kind == "merged" or edited_meanwhile
        # A deletion made meanwhile stays a deletion (now of the version that landed).
        row.pending_op = ("delete" if row.deleted else "update") if again else None
        row.sync_status = "pending" if again else "synced"
        row.push_attempts, row.next_push_at, row.last_error = 0, None, None
        if snap.local.recurrence:
            await _wake_waiting_occurrences(session, row)
        return again
    if outcome.kind == "retry_delete" and outcome.remote is not None:
        row.etag = outcome.remote.etag
        return True
    if outcome.kind == "deleted":
        row.pending_op, row.sync_status, row.deleted = None, "synced", True
        row.next_push_at, row.last_error = None, None
        if snap.local.recurrence:
            for instance_id in await event_store.delete_exceptions_of(session, row):
                reason = {"reason": "its series was deleted"}
                await _touchbase_audit(session, row, "sync_delete", reason, now=now, of=instance_id)
        return False
    if outcome.kind == "conflict":
        await _store_conflict(session, row, snap, outcome, now=now)
        return False
    error = outcome.error or CalendarError()
    row.last_error = error.to_dict()
    if outcome.kind == "retry":
        row.push_attempts += 1
        row.sync_status = "pending"
        row.next_push_at = now + _backoff(row.push_attempts, services.max_backoff)
    else:
        row.sync_status, row.next_push_at = "error", None
        refused = {"error": {"code": error.code, "message": error.message}}
        await _touchbase_audit(session, row, "push_refused", refused, now=now)
    return False


async def _series_of(session: Any, row: Event) -> Event | None:
    """The series of an occurrence first changed here (its id still provisional)."""
    if row.recurring_event_id is None or not is_provisional(row.google_event_id):
        return None
    return await event_store.by_google_id(session, row.calendar_id, row.recurring_event_id)


async def _waits_for_series(session: Any, row: Event, snap: Snapshot, outcome: Outcome) -> bool:
    """Whether an occurrence first changed here that Google's series does not have only
    waits for its series: the series' own change (a move, a new rule) is on its way to
    Google, or reached it after this push read the row (its etag moved on). It is no
    conflict: Google never deleted it. (A series' change in conflict or refused is not on
    its way: the occurrence's absence is then its own conflict.)"""
    if outcome.kind != "conflict" or outcome.conflict_kind != "deleted_remotely":
        return False
    series = await _series_of(session, row)
    if series is None:
        return False
    on_its_way = series.pending_op is not None and series.sync_status == "pending"
    return on_its_way or series.etag != snap.series_etag


async def _wake_waiting_occurrences(session: Any, series: Event) -> None:
    """A series' change reached Google: its occurrences first changed here that waited for
    it go now, not after their backoff."""
    for row in await event_store.exceptions_of(
        session, series.calendar_id, [series.google_event_id]
    ):
        if row.pending_op and row.sync_status == "pending" and is_provisional(row.google_event_id):
            row.next_push_at = None


async def snapshot(session: Any, row: Event, calendar: Calendar) -> Snapshot:
    """`snapshot_of` the row, with its series' etag if it is an occurrence first changed
    here: an outcome written later knows whether the series moved on meanwhile."""
    series = await _series_of(session, row)
    return snapshot_of(row, calendar, series.etag if series is not None else None)


async def _touchbase_audit(
    session: Any,
    row: Event,
    action: str,
    changes: dict[str, Any],
    *,
    now: Any,
    of: str | None = None,
) -> None:
    """An audit entry of what touchbase itself did while pushing the row (a merge, a
    conflict, a refusal; `of`: another event it was about, such as an instance)."""
    event_store.record_audit(
        session,
        user_id=row.user_id,
        event_id=of or row.id,
        action=action,
        source="sync",
        actor="touchbase",
        at=now,
        changes=changes,
    )


async def _store_conflict(
    session: Any, row: Event, snap: Snapshot, outcome: Outcome, *, now: Any
) -> None:
    remote_event = (
        to_domain(outcome.remote)
        if outcome.remote and not (outcome.remote.is_cancelled and outcome.remote.start is None)
        else None
    )
    session.add(
        Conflict(
            id=new_id(),
            user_id=row.user_id,
            event_id=row.id,
            kind=outcome.conflict_kind or "fields",
            fields=list(outcome.fields),
            base=row.base,
            local=event_to_json(snap.local),
            remote=event_to_json(remote_event) if remote_event else None,
            remote_etag=outcome.remote.etag if outcome.remote else None,
            created_at=now,
        )
    )
    row.sync_status, row.next_push_at = "conflict", None
    changes = {"kind": outcome.conflict_kind, "fields": list(outcome.fields)}
    await _touchbase_audit(session, row, "conflict", changes, now=now)


async def read_snapshot(session: Any, event_id: str) -> Snapshot | None:
    row = await session.get(Event, event_id)
    if row is None or row.pending_op is None or row.sync_status == "conflict":
        return None
    calendar = await accounts.calendar_by_id(session, row.calendar_id)
    assert calendar is not None
    return await snapshot(session, row, calendar)


MAX_BROKEN_PUSHES = 5


async def _note_broken_push(services: CalendarServices, event_id: str) -> None:
    """A push that failed in touchbase itself (not in Google) waits longer each time, and
    after MAX_BROKEN_PUSHES stops and is shown as an error; the change stays kept."""
    now = services.clock()
    async with services.db.session() as session:
        row = await session.get(Event, event_id, with_for_update=True)
        if row is None:
            return
        row.push_attempts += 1
        row.push_lease_until = None
        if row.push_attempts >= MAX_BROKEN_PUSHES:
            row.sync_status, row.next_push_at = "error", None
            row.last_error = CalendarError(
                "touchbase could not send this change to Google.",
                action="Edit the event again, or contact your administrator.",
            ).to_dict()
        else:
            row.next_push_at = now + _backoff(row.push_attempts, services.max_backoff)


async def _claim(services: CalendarServices, event_id: str) -> tuple[bool, Snapshot | None]:
    """Take the event's push lease: (taken, what to push)."""
    async with services.db.session() as session:
        claimed = await event_store.claim_for_push(
            session, event_id, now=services.clock(), lease=services.push_lease
        )
        return claimed, await read_snapshot(session, event_id) if claimed else None


async def push_event(
    services: CalendarServices,
    event_id: str,
    *,
    retry: RetryPolicy | None = None,
    held: Snapshot | None = None,
) -> EventRecord | None:
    """Send one event's pending change to Google, as far as it will go now; `held`: its
    push lease was taken with this snapshot in the transaction that staged the change.

    Returns the event as the push left it, or None when there was nothing to push here
    (another pusher holds it, or nothing is pending).
    """
    claimed, snap = (True, held) if held is not None else await _claim(services, event_id)
    if not claimed:
        return None
    released = False
    try:
        for _ in range(MAX_ROUNDS):
            if snap is None:
                return None
            try:
                client = await services.accounts.client(
                    snap.user_id, retry=retry or services.request_retry
                )
                outcome = await plan_round(client, snap)
            except CalendarError as error:
                outcome = Outcome("failed", error=error)
            again, record = await _apply(services, snap, outcome)
            if not again:
                released = True
                return record
            async with services.db.session() as session:
                snap = await read_snapshot(session, event_id)
        return None
    except Exception:
        await _note_broken_push(services, event_id)
        released = True
        raise
    finally:
        if not released:
            async with services.db.session() as session:
                await event_store.release_pushes(session, [event_id])
