"""Pushing a calendar's pending changes in batches of at most 50 (a sync's last step, a
push job, and many changes made at once); and what one calendar's sync did."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from touchbase.calendar.occurrences import is_provisional
from touchbase.calendar.push import read_snapshot, write_outcome
from touchbase.calendar.push_plan import Snapshot, locate, operation_for, settle
from touchbase.calendar.request_push import other_pushers_done
from touchbase.calendar.services import CalendarServices
from touchbase.errors import CalendarError
from touchbase.google import GoogleCalendarClient, RetryPolicy
from touchbase.store import events as event_store
from touchbase.store import sync as sync_store
from touchbase.store.turns import taking_turns

PUSH_ROUNDS = 3
# Changes taken and sent at a time (2 batch requests): their outcomes are one transaction,
# short enough that other writers hardly wait for SQLite's lock (5,000 at once held it for
# seconds), and each is sent well within its push lease.
PUSH_AT_ONCE = 100
# Outcomes written to the database at a time (each flush a turn of work on the event loop).
FLUSH_EVERY = 100
COUNT_KEYS = ("pulled", "created", "updated", "deleted", "pushed", "merged", "conflicts", "errors")
Progress = Callable[[dict[str, Any]], Awaitable[None]]
# Retries of one batch (a job, or a sync; a person waits on neither).
BATCH_RETRY = RetryPolicy(max_attempts=6, base_delay=0.5, max_delay=20.0, max_total=120.0)


@dataclass
class CalendarSync:
    """What one calendar's sync did."""

    calendar_id: str
    summary: str
    full: bool = False
    status: str = "running"
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    errors: list[dict[str, str]] = field(default_factory=list)


# ---- pushing -------------------------------------------------------------------------------


async def push_calendar(
    services: CalendarServices,
    client: GoogleCalendarClient,
    calendar_id: str,
    result: CalendarSync,
    progress: Progress,
    *,
    due_only: bool = False,
) -> None:
    """Send every pending change of the calendar (with `due_only`, those whose retry time has
    come), in batches, PUSH_AT_ONCE at a time, until nothing more can go (or Google asks to
    wait: what is left then goes with the push job, after its backoff)."""
    rounds = 0
    while rounds < PUSH_ROUNDS:
        async with services.db.session() as session:
            ids = await sync_store.claim_pending(
                session,
                calendar_id,
                now=services.clock(),
                lease=services.push_lease,
                due_only=due_only,
                limit=PUSH_AT_ONCE,
            )
            # One read, kept while each snapshot finds its row (the session holds rows weakly:
            # dropped at once, each was read again).
            rows = await sync_store.events_by_id(session, ids)
            snaps = [s async for i in taking_turns(ids) if (s := await read_snapshot(session, i))]
            del rows
            held = not snaps and await event_store.pushes_held(
                session, now=services.clock(), calendar_id=calendar_id
            )
        if not snaps:
            # Changes another pusher holds are part of this sync's answer: wait for them,
            # and take over what they leave pending.
            rounds += 1
            if held and await other_pushers_done(services, calendar_id=calendar_id):
                continue
            return
        await progress({"phase": "push", "pushing": len(snaps)})
        try:
            outcomes = await _send(client, snaps)
            again = await _apply_pushes(services, outcomes, result)
        except BaseException:
            await _release(services, [snap.event_id for snap in snaps])
            raise
        if len(ids) == PUSH_AT_ONCE and all(outcome.kind != "retry" for _, outcome in outcomes):
            continue  # more were waiting
        if not again:
            return
        rounds += 1


async def _send(client: GoogleCalendarClient, snaps: list[Snapshot]) -> list[tuple[Snapshot, Any]]:
    """Google's answer to each change: in batches, then occurrences found by their slot."""
    outcomes = []
    batched = [s for s in snaps if not is_provisional(s.google_event_id)]
    for mode in {s.send_updates for s in batched}:
        group = [s for s in batched if s.send_updates == mode]
        answers = await client.batch([operation_for(s) for s in group], send_updates=mode)  # type: ignore[arg-type]
        for snap, answer in zip(group, answers, strict=True):
            outcomes.append((snap, await settle(client, snap, answer.event, answer.error)))
    # Occurrences first changed here are found by their slot, after their series went.
    for snap in snaps:
        if is_provisional(snap.google_event_id):
            outcomes.append((snap, await locate(client, snap)))
    return outcomes


async def _release(services: CalendarServices, event_ids: list[str]) -> None:
    """Give the changes back at once when their push broke off (not after their lease)."""
    with contextlib.suppress(Exception):  # the database may be what broke
        async with services.db.session() as session:
            await event_store.release_pushes(session, event_ids)


async def _apply_pushes(
    services: CalendarServices, outcomes: list[tuple[Snapshot, Any]], result: CalendarSync
) -> bool:
    again = False
    async with services.db.session() as session:
        rows = await sync_store.events_by_id(
            session, [snap.event_id for snap, _ in outcomes], for_update=True
        )
        async for number, (snap, outcome) in taking_turns(enumerate(outcomes, start=1)):
            if number % FLUSH_EVERY == 0:  # in parts: one flush of thousands holds the loop
                await session.flush()
            row = rows.get(snap.event_id)
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


async def _unreported(_update: dict[str, Any]) -> None:
    """Progress nobody follows."""


async def push_pending(services: CalendarServices, user_id: str, calendar_id: str) -> int:
    """Send a calendar's pending changes now, in batches (many changes made at once); what
    cannot go stays pending, for a push job (every push is, in a process that leaves pushes
    to the job queue). Returns the Google requests made."""
    if not services.push_in_request:
        return 0
    return await push_changes(services, user_id, calendar_id)


async def push_changes(
    services: CalendarServices, user_id: str, calendar_id: str, *, due_only: bool = False
) -> int:
    """Send the calendar's pending changes (with `due_only`, those whose retry time has come)
    as far as they go now. Returns the Google requests made."""
    try:
        client = await services.accounts.client(user_id, retry=BATCH_RETRY)
    except CalendarError:
        return 0
    result = CalendarSync(calendar_id, "")
    with contextlib.suppress(CalendarError):
        await push_calendar(services, client, calendar_id, result, _unreported, due_only=due_only)
    return client.requests_sent
