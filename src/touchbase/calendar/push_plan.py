"""One round of pushing a pending change, with no database in sight: the Google operation that
sends it, and what Google's answer means beside the change (`plan_round` sends one change
alone; a batch push uses the same steps). The outcomes:
- pushed:   Google has our version; its answer becomes the new base.
- merged:   Google changed other fields; the three-way merge goes out next round.
- deleted / retry_delete: gone from Google; or only its etag moved, so delete that version.
- conflict: both sides changed the same thing (or one deleted it); kept for the user.
- retry:    Google was unreachable or throttled; tried again later with backoff.
- failed:   Google refused for good (permission, invalid); shown to the user.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from touchbase.calendar.occurrences import is_provisional
from touchbase.calendar.records import API_FIELD
from touchbase.domain import CalendarEvent
from touchbase.domain.merge import changed_fields, three_way_merge
from touchbase.errors import (
    CalendarError,
    ConflictError,
    DuplicateEventError,
    EventNotFoundError,
    TransientError,
)
from touchbase.google import (
    DeleteEvent,
    GoogleCalendarClient,
    InsertEvent,
    Operation,
    PatchEvent,
)
from touchbase.google.mapping import to_domain
from touchbase.google.models import EventResource
from touchbase.store.codec import event_from_json
from touchbase.store.models import Calendar, Event


@dataclass(frozen=True)
class Snapshot:
    """What a push round read from the row."""

    event_id: str
    user_id: str
    calendar: str
    google_event_id: str
    op: str
    local: CalendarEvent
    base: CalendarEvent | None
    etag: str | None
    send_updates: str
    updated_at: Any
    # Of an occurrence first changed here (a provisional id): its series' etag then.
    series_etag: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What to write back after one round."""

    kind: str  # pushed | merged | deleted | retry_delete | conflict | retry | failed
    remote: EventResource | None = None
    merged: CalendarEvent | None = None
    conflict_kind: str | None = None
    fields: tuple[str, ...] = ()
    error: CalendarError | None = None
    details: dict[str, Any] = field(default_factory=dict)
    # Google's id of an occurrence that had only a provisional one (found by its slot).
    located: str | None = None


async def _fetch(client: GoogleCalendarClient, snap: Snapshot) -> EventResource | None:
    try:
        return await client.get_event(snap.calendar, snap.google_event_id)
    except EventNotFoundError:
        return None


async def _after_precondition_failed(client: GoogleCalendarClient, snap: Snapshot) -> Outcome:
    """Google's version moved on: merge, or call it a conflict."""
    return judge(snap, await _fetch(client, snap))


def judge(snap: Snapshot, remote: EventResource | None) -> Outcome:
    """What a pending change becomes beside Google's current version of the event."""
    if snap.op == "delete":
        if remote is None or remote.is_cancelled:
            return Outcome("deleted")
        remote_event = to_domain(remote)
        edits = changed_fields(snap.base, remote_event) if snap.base else []
        if not edits:  # only the etag moved (say, a guest answered): delete that version
            return Outcome("retry_delete", remote=remote)
        return Outcome(
            "conflict",
            remote=remote,
            conflict_kind="deleted_locally",
            fields=tuple(API_FIELD[f] for f in edits),
        )
    if remote is None or remote.is_cancelled:
        return Outcome("conflict", remote=remote, conflict_kind="deleted_remotely")
    remote_event = to_domain(remote)
    base = snap.base or remote_event
    result = three_way_merge(base, snap.local, remote_event)
    if not result.clean:
        return Outcome(
            "conflict",
            remote=remote,
            conflict_kind="fields",
            fields=tuple(API_FIELD[f] for f in result.conflicts),
        )
    if result.merged.same_content(remote_event):
        return Outcome("pushed", remote=remote)
    return Outcome("merged", remote=remote, merged=result.merged)


WAITING_FOR_SERIES = "Waiting for its series to reach Google Calendar."


async def locate(client: GoogleCalendarClient, snap: Snapshot) -> Outcome:
    """A change to an occurrence Google's id of which is not known yet: find the instance
    by (series, original start), then judge the change against it."""
    series_id, original = snap.local.recurring_event_id, snap.local.original_start
    assert series_id is not None
    assert original is not None
    try:
        remote = await client.find_instance(snap.calendar, series_id, original)
    except EventNotFoundError:  # the series is not in Google (yet): a push of it comes first
        return Outcome("retry", error=TransientError(WAITING_FOR_SERIES))
    except CalendarError as error:
        return Outcome("retry" if isinstance(error, TransientError) else "failed", error=error)
    if remote is None:
        if snap.op == "delete":
            return Outcome("deleted")
        return Outcome("conflict", conflict_kind="deleted_remotely")
    return dataclasses.replace(judge(snap, remote), located=remote.id)


def operation_for(snap: Snapshot) -> Operation:
    """The Google operation that sends a pending change."""
    if snap.op == "create":
        return InsertEvent(snap.calendar, snap.local.replace(id=snap.google_event_id))
    if snap.op == "update":
        return PatchEvent(
            snap.calendar, snap.google_event_id, snap.base or snap.local, snap.local, snap.etag
        )
    return DeleteEvent(snap.calendar, snap.google_event_id, snap.etag)


async def settle(
    client: GoogleCalendarClient,
    snap: Snapshot,
    remote: EventResource | None,
    error: CalendarError | None,
) -> Outcome:
    """What Google's answer to a pending change means."""
    if error is None:
        return Outcome("deleted") if snap.op == "delete" else Outcome("pushed", remote=remote)
    if isinstance(error, DuplicateEventError):
        # Our own id: an earlier attempt landed. Take it as the base and push the rest.
        landed = await _fetch(client, snap)
        if landed is None:
            return Outcome("failed", error=error)
        if to_domain(landed).same_content(snap.local):
            return Outcome("pushed", remote=landed)
        return Outcome("merged", remote=landed, merged=snap.local)
    if isinstance(error, ConflictError):
        return await _after_precondition_failed(client, snap)
    if isinstance(error, EventNotFoundError):
        if snap.op == "delete":
            return Outcome("deleted")
        return Outcome("conflict", conflict_kind="deleted_remotely")
    if isinstance(error, TransientError):
        return Outcome("retry", error=error)
    return Outcome("failed", error=error)


async def plan_round(client: GoogleCalendarClient, snap: Snapshot) -> Outcome:
    """Send the pending change once (alone, not batched) and say what happened."""
    if is_provisional(snap.google_event_id):
        return await locate(client, snap)
    updates: Any = snap.send_updates
    op = operation_for(snap)
    try:
        if isinstance(op, InsertEvent):
            remote: EventResource | None = await client.insert_event(
                op.calendar_id, op.event, send_updates=updates
            )
        elif isinstance(op, PatchEvent):
            remote = await client.patch_event(
                op.calendar_id,
                op.event_id,
                base=op.base,
                target=op.target,
                etag=op.etag,
                send_updates=updates,
            )
        else:
            await client.delete_event(
                snap.calendar, snap.google_event_id, etag=snap.etag, send_updates=updates
            )
            remote = None
    except CalendarError as error:
        return await settle(client, snap, None, error)
    return await settle(client, snap, remote, None)


def snapshot_of(row: Event, calendar: Calendar, series_etag: str | None = None) -> Snapshot:
    """What a push round needs of a row with a pending change (`series_etag`: see
    `push.snapshot`)."""
    assert row.pending_op is not None
    return Snapshot(
        event_id=row.id,
        user_id=row.user_id,
        calendar=calendar.google_calendar_id,
        google_event_id=row.google_event_id,
        op=row.pending_op,
        local=event_from_json(row.local),
        base=event_from_json(row.base) if row.base else None,
        etag=row.etag,
        send_updates=row.send_updates,
        updated_at=row.updated_at,
        series_etag=series_etag,
    )
