"""Detecting and resolving conflicts (the seed's conflict-resolution)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.actors import Actor
from touchbase.calendar.event_checks import check_kept_by_google, check_organizer, checked
from touchbase.calendar.events import window
from touchbase.calendar.occurrences import as_its_series_has_it, occurrence_id
from touchbase.calendar.records import API_FIELD, DOMAIN_FIELD, ConflictInfo, EventRecord
from touchbase.calendar.records import audit_changes as diff
from touchbase.calendar.request_push import push_for_answer
from touchbase.calendar.scoped import get_event
from touchbase.calendar.services import CalendarServices
from touchbase.domain import CalendarEvent
from touchbase.domain.events import answers_kept
from touchbase.domain.merge import Side, three_way_merge
from touchbase.errors import EventNotFoundError, InvalidRequestError
from touchbase.google.ids import new_event_id
from touchbase.store import events as event_store
from touchbase.store import touchpoints as touchpoint_store
from touchbase.store.codec import event_from_json, event_to_json
from touchbase.store.models import Calendar, Conflict, Event


def detect_conflict(
    base: CalendarEvent, local: CalendarEvent, remote: CalendarEvent
) -> tuple[str, ...]:
    """The fields (API names) both sides changed differently since `base`; empty if none."""
    return tuple(API_FIELD[f] for f in three_way_merge(base, local, remote).conflicts)


async def list_conflicts(services: CalendarServices, user_id: str) -> list[ConflictInfo]:
    """The user's open conflicts."""
    async with services.db.read() as session:
        return [ConflictInfo.of(c) for c in await event_store.open_conflicts(session, user_id)]


def _merged(
    conflict: Conflict, choices: Mapping[str, Side], values: Mapping[str, Any]
) -> CalendarEvent:
    """Everything that merges by itself, each conflicting field from the chosen side (local
    by default), then any explicit values."""
    local, remote = event_from_json(conflict.local or {}), event_from_json(conflict.remote or {})
    base = event_from_json(conflict.base) if conflict.base else remote
    unknown = sorted(f for f in choices if f not in DOMAIN_FIELD)
    if unknown:
        raise InvalidRequestError(
            f"Unknown fields: {', '.join(unknown)}.",
            details={"field": "fields", "unknown": unknown},
        )
    merged = three_way_merge(base, local, remote).merged
    picked = {
        DOMAIN_FIELD[f]: getattr(remote if side == "remote" else local, DOMAIN_FIELD[f])
        for f, side in choices.items()
    }
    chosen = merged.replace(**picked, **values)
    guests = answers_kept(
        chosen.attendees, google=remote.attendees, base=base.attendees, local=local.attendees
    )
    chosen = chosen.replace(attendees=guests)
    return checked(chosen, local, remote)


def _plan(
    conflict: Conflict, resolution: str, choices: Mapping[str, Side], values: Mapping[str, Any]
) -> tuple[CalendarEvent | None, str | None, bool]:
    """(new local version, pending operation, deleted) for a resolution."""
    local = event_from_json(conflict.local) if conflict.local else None
    remote = event_from_json(conflict.remote) if conflict.remote else None
    allowed = ConflictInfo.of(conflict).resolutions
    if resolution not in allowed:
        raise InvalidRequestError(
            f"This conflict can be resolved with: {', '.join(allowed)}.",
            details={"field": "resolution", "allowed": list(allowed)},
        )
    if conflict.kind == "fields":
        assert local is not None
        assert remote is not None
        if resolution == "keep_local":
            return local, "update", False
        if resolution == "keep_remote":
            return remote, None, False
        return _merged(conflict, choices, values), "update", False
    if conflict.kind == "deleted_remotely":
        if resolution == "recreate":
            assert local is not None
            return local, "create", False
        return local, None, True
    if resolution == "keep_local":  # edited in Google, deleted here: delete anyway
        return remote, "delete", True
    return remote, None, False


async def _its_touchpoint(session: AsyncSession, row: Event, version: CalendarEvent) -> bool:
    """Whether the touchpoint this version of the row names (if any) is the user's and has
    this row as its event."""
    if version.touchpoint_id is None:
        return True
    found = await touchpoint_store.get_touchpoint(session, row.user_id, version.touchpoint_id)
    return found is not None and found.event_id == row.id


async def _following_its_series(
    session: AsyncSession, row: Event, kept: CalendarEvent | None, op: str | None
) -> str | None:
    """Google's version kept of an occurrence that is just what its series makes there:
    Google holds no exception for it, so neither does touchbase (a stored copy would keep
    this version through the series' later changes, which Google does not report for the
    occurrence). The row stops standing for the slot; the occurrence's id, or None."""
    if kept is None or op is not None:
        return None
    found = await as_its_series_has_it(session, row)
    if found is None:
        return None
    series, occurrence = found
    if not occurrence.same_content(kept):
        return None
    assert occurrence.original_start is not None
    event_store.release_slot(row)
    return occurrence_id(series.id, occurrence.original_start)


async def resolve_conflict(
    services: CalendarServices,
    actor: Actor,
    event_id: str,
    resolution: str,
    *,
    choices: Mapping[str, Side] | None = None,
    values: Mapping[str, Any] | None = None,
) -> EventRecord:
    """Apply the user's choice, in the cache and then in Google."""
    now = services.clock()
    async with services.db.session() as session:
        conflict = await event_store.open_conflict(session, actor.user_id, event_id)
        row = await session.get(Event, event_id, with_for_update=True)
        if conflict is None or row is None or row.user_id != actor.user_id:
            raise EventNotFoundError("There is no open conflict for this event.")
        before = event_from_json(row.local)
        new_local, op, deleted = _plan(conflict, resolution, choices or {}, values or {})
        if (
            new_local is not None
            and not deleted
            and not await _its_touchpoint(session, row, new_local)
        ):
            # Google's side names a touchpoint deleted here meanwhile: kept as a plain event,
            # in Google too.
            new_local, op = new_local.replace(touchpoint_id=None), op or "update"
        if op == "create" and new_local is not None and new_local.recurring_event_id:
            # A lost occurrence comes back as an event of its own: its slot is gone.
            new_local = new_local.replace(recurring_event_id=None, original_start=None)
            row.recurring_event_id = row.original_start_at = None
        if new_local is not None and op != "create" and conflict.remote is not None:
            remote = event_from_json(conflict.remote)
            check_organizer(remote, new_local)  # a guest's copy
            check_kept_by_google(remote, None if deleted else new_local)
        if new_local is not None:
            calendar = await session.get(Calendar, row.calendar_id)
            assert calendar is not None
            row.local = event_to_json(new_local)
            row.start_at, row.end_at = window(new_local, calendar.time_zone)
        if conflict.remote is not None:
            row.base, row.etag = conflict.remote, conflict.remote_etag
        if op == "create":  # Google's id stays taken by the deleted event: use a new one
            row.google_event_id = new_event_id()
            row.base = row.etag = None
        row.pending_op, row.deleted = op, deleted
        row.sync_status = "pending" if op else "synced"
        followed = await _following_its_series(session, row, None if deleted else new_local, op)
        row.next_push_at, row.updated_at, row.push_attempts, row.last_error = now, now, 0, None
        conflict.status, conflict.resolution, conflict.resolved_at = "resolved", resolution, now
        changes = diff(before, None if deleted else new_local)
        event_store.record_audit(
            session,
            user_id=actor.user_id,
            event_id=row.id,
            action="resolve_conflict",
            source=actor.source,
            actor=actor.email,
            at=now,
            changes={"resolution": resolution, **changes},
        )
    if followed is not None:
        return await get_event(services, actor.user_id, followed)
    if op is not None and services.push_in_request:
        pushed = await push_for_answer(services, event_id)
        if pushed is not None:
            return pushed
    async with services.db.session() as session:
        row = await session.get(Event, event_id)
        assert row is not None
        return EventRecord.of(row, await event_store.open_conflict(session, row.user_id, row.id))
