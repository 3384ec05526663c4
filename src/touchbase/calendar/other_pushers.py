"""Waiting, briefly, for another pusher's work on the same changes.

A change has one pusher at a time (a lease on its row): the request that made it, the
background pusher, a sync's batch, another process. When the one that answers a person finds
the change held by another, it waits a little for that one to finish, so the answer says how
the push went (synced, merged, a conflict) rather than "pending" while it is being settled.
"""

from __future__ import annotations

import asyncio
import time

from touchbase.calendar.push import push_event
from touchbase.calendar.records import EventRecord
from touchbase.calendar.services import CalendarServices
from touchbase.store import events as event_store

# How often the waiting one looks again.
STEP_SECONDS = 0.05


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


async def push_for_answer(services: CalendarServices, event_id: str) -> EventRecord | None:
    """`push_event` for a person waiting on the answer: when another pusher holds the change,
    wait for it (then None: the row says how it went)."""
    pushed = await push_event(services, event_id)
    if pushed is None:
        await other_pushers_done(services, event_id=event_id)
    return pushed
