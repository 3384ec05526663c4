"""Pushing a change for the person who made it, before answering them.

The request takes the change's push lease in the transaction that writes the change (one
pusher at a time, any process), pushes once that commits, and answers with how it went
(synced, merged, a conflict). When another pusher holds the change (the job queue, a sync's
batch, another process), it waits a little for that one to finish, rather than answering
"pending" while the change is being settled. A push job, deferred with the change, takes over
whatever cannot go now.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.push import push_event, snapshot
from touchbase.calendar.push_plan import Snapshot
from touchbase.calendar.records import EventRecord, conflict_error
from touchbase.calendar.services import CalendarServices
from touchbase.store import accounts
from touchbase.store import events as event_store
from touchbase.store.models import Event
from touchbase.store.pending import pushed_here

# How often the waiting one looks again.
STEP_SECONDS = 0.05


@dataclass(frozen=True)
class Staged:
    """A change written in a transaction, to push once it commits: with its push lease taken
    there (`held`), or not (another pusher holds it; requests leave pushes to the job queue).
    `unchanged`: the request changed nothing, and this is the answer."""

    event_id: str
    held: Snapshot | None = None
    unchanged: EventRecord | None = None


async def staged(services: CalendarServices, session: AsyncSession, row: Event) -> Staged:
    """Take the push lease of a row a request just changed (new, or locked for the change),
    in the transaction that changed it: no transaction of its own before the push."""
    now = services.clock()
    free = row.push_lease_until is None or row.push_lease_until < now
    if not services.push_in_request or row.pending_op is None or not free:
        return Staged(row.id)
    calendar = await accounts.calendar_by_id(session, row.calendar_id)
    assert calendar is not None
    row.push_lease_until = now + services.push_lease
    pushed_here(session.sync_session, row.id)
    return Staged(row.id, held=await snapshot(session, row, calendar))


async def other_pushers_done(
    services: CalendarServices, *, event_id: str | None = None, calendar_id: str | None = None
) -> bool:
    """Wait, within a request's Google budget, while another pusher holds the pending change
    of this event (or any of this calendar's); whether one did and has let go in time."""
    deadline = time.monotonic() + services.request_retry.max_total
    held = False
    while True:
        async with services.db.session() as session:
            holding = await event_store.pushes_held(
                session, now=services.clock(), event_id=event_id, calendar_id=calendar_id
            )
        if not holding:
            return held
        if time.monotonic() >= deadline:
            return False
        held = True
        await asyncio.sleep(STEP_SECONDS)


async def push_for_answer(
    services: CalendarServices, event_id: str, held: Snapshot | None = None
) -> EventRecord | None:
    """`push_event` for a person waiting on the answer: when another pusher holds the change,
    wait for it (then None: the row says how it went)."""
    pushed = await push_event(services, event_id, held=held)
    if pushed is None:
        await other_pushers_done(services, event_id=event_id)
    return pushed


async def push_now(
    services: CalendarServices, user_id: str, event_id: str, held: Snapshot | None = None
) -> EventRecord:
    """Send a committed change to Google at once (unless this process leaves every push to
    the job queue), and answer with the event as the push left it."""
    pushed = await push_for_answer(services, event_id, held) if services.push_in_request else None
    record = pushed
    if record is None:
        async with services.db.session() as session:
            row = await session.get(Event, event_id)  # deleted and gone from Google too
            assert row is not None
            assert row.user_id == user_id
            record = EventRecord.of(row, await event_store.open_conflict(session, user_id, row.id))
    if record.conflict is not None:
        raise conflict_error(record)
    return record


async def answer(services: CalendarServices, user_id: str, change: Staged) -> EventRecord:
    """The answer to a request that staged `change`, once its transaction committed."""
    if change.unchanged is not None:
        return change.unchanged
    return await push_now(services, user_id, change.event_id, change.held)
