"""What a change of a series does to its other occurrences: "this and following" splits it
(the rule ends, a new series starts, later exceptions are carried over), and a series whose
times or rule changed loses the exceptions whose slots it no longer has; an answer for all
events reaches the occurrences to come that were answered on their own."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar import actors, event_checks, events
from touchbase.calendar.actors import Actor
from touchbase.calendar.event_checks import checked
from touchbase.calendar.occurrences import Occurrence, provisional_google_id, series_zone, virtual
from touchbase.calendar.records import audit_changes
from touchbase.domain import CalendarEvent, EventStatus
from touchbase.domain.events import own_answer, with_own_answer
from touchbase.domain.recurrence import event_budget, occurrences
from touchbase.domain.splits import (
    apply_to_series,
    end_after,
    length_of,
    moved_slot,
    same_slot,
    series_from,
    split_rules,
)
from touchbase.errors import InvalidEventError
from touchbase.google.ids import new_event_id
from touchbase.store import events as event_store
from touchbase.store.codec import event_from_json, event_to_json
from touchbase.store.models import Event

_SECOND = timedelta(seconds=1)


async def _exceptions(session: AsyncSession, found: Occurrence) -> list[Event]:
    """Every stored instance of the occurrence's series, cancelled ones too."""
    return await event_store.exceptions_of(
        session, found.series.calendar_id, [found.series.google_event_id]
    )


def _is_cancelled(row: Event, local: CalendarEvent) -> bool:
    return row.deleted or local.status == EventStatus.CANCELLED


async def end_exceptions_after(
    session: AsyncSession, actor: Actor, found: Occurrence, now: datetime
) -> list[tuple[Event, CalendarEvent, bool]]:
    """The series' exceptions from the split on are deleted (Google drops them with the
    slots; a delete of each makes sure). Returns them as they were, and whether each was
    a cancelled occurrence."""
    zone = found.zone
    at = found.original.instant(zone)
    ended = []
    for row in await _exceptions(session, found):
        local = event_from_json(row.local)
        if local.original_start is None or local.original_start.instant(zone) < at:
            continue
        cancelled = _is_cancelled(row, local)
        ended.append((row, local, cancelled))
        if not cancelled:
            await events.stage_delete(session, row, local, actor, now)
    return ended


async def drop_lost_exceptions(
    session: AsyncSession, actor: Actor, found: Occurrence, series: CalendarEvent, now: datetime
) -> None:
    """Exceptions whose slot a changed series no longer has go (Google drops them too)."""
    zone = series_zone(series, found.calendar)
    for row in await _exceptions(session, found):
        local = event_from_json(row.local)
        original = local.original_start
        if original is None or row.deleted:
            continue
        at = original.instant(zone)
        slots = occurrences(series, zone, since=at, until=at + _SECOND, budget=event_budget())
        if not any(same_slot(i.original_start, original) for i in slots):
            row.deleted, row.pending_op, row.sync_status = True, None, "synced"
            row.next_push_at, row.updated_at = None, now
            row.new_version()
            actors.audit(
                session,
                actor,
                row.id,
                action="delete",
                now=now,
                changes={"reason": "its series changed"},
            )


async def answer_exceptions_to_come(
    session: AsyncSession, actor: Actor, found: Occurrence, answer: str | None, now: datetime
) -> list[str]:
    """An answer for all events is the answer of the occurrences to come that were answered
    on their own too (Google keeps each exception's guests apart from the series'); past
    ones keep theirs, what was answered then being history, and so does one with an open
    conflict (the user settles it first). The rows changed, to push after the series."""
    if answer is None:
        return []
    changed = []
    for row in await _exceptions(session, found):
        if row.deleted or row.end_at <= now:
            continue
        before = event_from_json(row.local)
        if own_answer(before.attendees) in (None, answer) or before.status == EventStatus.CANCELLED:
            continue
        if await event_store.open_conflict(session, actor.user_id, row.id) is not None:
            continue
        after = before.replace(attendees=with_own_answer(before.attendees, answer))
        await events.stage_update(session, row, before, after, actor=actor, now=now)
        changed.append(row.id)
    return changed


async def split(
    session: AsyncSession,
    actor: Actor,
    found: Occurrence,
    series: CalendarEvent,
    changed: CalendarEvent,
    *,
    now: datetime,
) -> list[str]:
    """This and following: the series ends before the occurrence; a new one starts there.
    The rows written, in the order they go to Google (the new series is the second)."""
    zone = found.zone
    before, after_rule = split_rules(series, found.original, zone)
    if not after_rule:
        raise InvalidEventError("The series has no occurrences from here on.", field="scope")
    # The contact is on both halves (both are meetings with them); the touchpoint goes on
    # with the meetings to come only, never on both.
    ended = checked(series.replace(recurrence=before, touchpoint_id=None))
    fresh = checked(
        series_from(series, found.event, changed, after_rule).replace(id=new_event_id())
    )
    await event_checks.check_references(session, actor.user_id, fresh, series)
    await events.stage_update(session, found.series, series, ended, actor=actor, now=now)
    row = events.pending_row(actor, found.calendar, fresh, op="create", now=now)
    row.local = event_to_json(fresh)
    row.is_touchpoint, found.series.is_touchpoint = found.series.is_touchpoint, False
    session.add(row)
    await session.flush()
    actors.audit(
        session, actor, row.id, action="create", now=now, changes=audit_changes(None, fresh)
    )
    carried = await _carry_over(
        session, actor, found, series=series, changed=changed, fresh=fresh, now=now
    )
    return [found.series.id, row.id, *carried]


async def _carry_over(
    session: AsyncSession,
    actor: Actor,
    found: Occurrence,
    *,
    series: CalendarEvent,
    changed: CalendarEvent,
    fresh: CalendarEvent,
    now: datetime,
) -> list[str]:
    """The old series' exceptions from the split on become the new series' (moved as far as
    the split moved the occurrence); nothing the user changed alone is lost."""
    assert fresh.id is not None
    gid, length = found.series.google_event_id, length_of(series)
    rows = []
    for old_row, old, cancelled in await end_exceptions_after(session, actor, found, now):
        if old.original_start is None or old_row.id == (found.row.id if found.row else None):
            continue
        slot = moved_slot(old.original_start, found.event, changed)
        was = virtual(series, old.original_start, end_after(old.original_start, length), gid)
        now_there = virtual(fresh, slot, end_after(slot, length_of(fresh)), fresh.id)
        # What the user changed in that occurrence alone, made to its new slot.
        moved = apply_to_series(now_there, was, old.replace(recurrence=()))
        moved = moved.replace(id=provisional_google_id(fresh.id, slot))
        row = events.pending_row(
            actor,
            found.calendar,
            moved.replace(status=EventStatus.CANCELLED) if cancelled else moved,
            op="delete" if cancelled else "update",
            now=now,
            base=now_there,
        )
        session.add(row)
        await session.flush()
        rows.append(row.id)
    return rows
