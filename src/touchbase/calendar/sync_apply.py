"""Applying a pull to the cache: each page in a transaction of its own as it arrives, then the
new sync token (with the sweep after a full sync) in one more."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.collector import collector_paused
from touchbase.calendar.occurrences import provisional_google_id
from touchbase.calendar.pull_applier import PullApplier, cached_row
from touchbase.calendar.services import CalendarServices
from touchbase.calendar.sync_plan import Action, RemoteItem, SweepInput, plan_pull, plan_sweep
from touchbase.store import contacts as contact_store
from touchbase.store import sync as sync_store
from touchbase.store.models import Calendar, Event
from touchbase.store.pending import note_changes

# Events Google sent that could not be read, kept on their calendar to be named (at most
# this many, the latest), and their titles' and reasons' longest.
MAX_UNREAD = 20
MAX_UNREAD_TEXT = 200


async def apply_page(
    services: CalendarServices,
    calendar: Calendar,
    items: list[RemoteItem],
    *,
    counts: dict[str, int],
    errors: list[dict[str, str]],
    importing: bool = False,
) -> None:
    """Plan and apply one page of Google's changes in one transaction. Applying a page again
    changes nothing (the cache then has each version's etag), so a pull cut off between pages
    converges when it runs again; the sync token moves only in `finish_pull`."""
    changed_before = _changed(counts)
    async with services.db.session() as session:
        items = await _own_references(session, calendar.user_id, items)
        found = await sync_store.calendar_rows(
            session, calendar.id, google_ids=[i.google_event_id for i in items]
        )
        rows = {r.google_event_id: r for r in found}
        rows |= await _exceptions_made_here(session, calendar.id, items, rows)
        found = list(rows.values())
        conflicted = await sync_store.events_in_conflict(
            session, calendar.id, event_ids=[r.id for r in found]
        )
        applier = PullApplier(
            session,
            calendar,
            rows,
            now=services.clock(),
            counts=counts,
            importing=importing,
        )
        with collector_paused():  # thousands of objects, no awaits
            cache = {gid: cached_row(row, row.id in conflicted) for gid, row in rows.items()}
            actions = plan_pull(cache, items)
            later = [a for a in actions if not applier.apply_now(a)]
        for action in later:
            await applier.apply_later(action)
        errors += [
            {"googleEventId": a.google_event_id, "error": a.reason}
            for a in actions
            if a.kind == "error"
        ]
        await _keep_unread(session, calendar, items, actions)
        await applier.flush()
        counts["pulled"] += len(items)
        if _changed(counts) != changed_before:  # open pages are told (bulk writes bypass it)
            note_changes(session.sync_session, [(calendar.user_id, calendar.id)])


def unread_after(
    before: list[dict[str, str]] | None, items: list[RemoteItem], actions: list[Action]
) -> list[dict[str, str]]:
    """The calendar's unread events after a page: those the page listed again leave (read
    now, deleted, or unread again and added anew), the page's unread ones join; the last
    `MAX_UNREAD` are kept."""
    listed = {item.google_event_id for item in items}
    kept = [entry for entry in before or () if entry["googleEventId"] not in listed]
    unread = [
        {
            "googleEventId": a.google_event_id,
            "title": a.remote.title if a.remote is not None else "",
            "error": a.reason[:MAX_UNREAD_TEXT],
        }
        for a in actions
        if a.kind == "error"
    ]
    return (kept + unread)[-MAX_UNREAD:]


async def _keep_unread(
    session: AsyncSession, calendar: Calendar, items: list[RemoteItem], actions: list[Action]
) -> None:
    """Keep the calendar's unread events as this page leaves them (a statement only when they
    change)."""
    after = unread_after(calendar.unread_events, items, actions)
    if after != (calendar.unread_events or []):
        await session.execute(
            update(Calendar).where(Calendar.id == calendar.id).values(unread_events=after or None)
        )
        calendar.unread_events = after or None


def _changed(counts: dict[str, int]) -> int:
    return counts["created"] + counts["updated"] + counts["deleted"]


async def _exceptions_made_here(
    session: AsyncSession, calendar_id: str, items: list[RemoteItem], rows: dict[str, Event]
) -> dict[str, Event]:
    """Occurrences Google reports that touchbase changed before it knew their Google ids:
    those rows, now under Google's ids (matched by series and original start)."""
    wanted: dict[str, str] = {}
    for item in items:
        event = item.event
        if item.google_event_id in rows or event is None:
            continue
        if event.recurring_event_id and event.original_start:
            key = provisional_google_id(event.recurring_event_id, event.original_start)
            wanted[key] = item.google_event_id
    if not wanted:
        return {}
    renamed = {}
    for row in await sync_store.calendar_rows(session, calendar_id, google_ids=list(wanted)):
        row.google_event_id = wanted[row.google_event_id]
        renamed[row.google_event_id] = row
    return renamed


async def _own_references(
    session: AsyncSession, user_id: str, items: list[RemoteItem]
) -> list[RemoteItem]:
    """Google's events as they may be stored: a link to a contact that is not the user's (an
    event's private properties are anyone's to write) is dropped, as a request's would be
    refused."""
    named = {i.event.contact_id for i in items if i.event is not None and i.event.contact_id}
    if not named:
        return items
    owned = await contact_store.owned_ids(session, user_id, named)
    return [
        dataclasses.replace(item, event=item.event.replace(contact_id=None))
        if item.event is not None and item.event.contact_id not in (None, *owned)
        else item
        for item in items
    ]


async def finish_pull(
    services: CalendarServices,
    calendar_id: str,
    token: str | None,
    *,
    sweep: SweepInput | None,
    counts: dict[str, int],
) -> None:
    """Store the new sync token, after every page is applied. After a full sync, also treat
    what Google no longer has as deleted there (the same transaction)."""
    now = services.clock()
    if sweep is None:
        async with services.db.session() as session:
            await sync_store.store_sync_token(session, calendar_id, token, now=now)
        return
    async with services.db.session() as session:
        calendar = await session.get(Calendar, calendar_id, with_for_update=True)
        assert calendar is not None
        swept = counts["deleted"]
        await _sweep(session, calendar, sweep, now=now, counts=counts)
        if counts["deleted"] != swept:
            note_changes(session.sync_session, [(calendar.user_id, calendar.id)])
        calendar.sync_token = token
        calendar.last_synced_at = now
        # An unread event a full listing no longer has is gone from Google.
        unread = [e for e in calendar.unread_events or () if e["googleEventId"] in sweep.seen]
        calendar.unread_events = unread or None


async def _sweep(
    session: AsyncSession,
    calendar: Calendar,
    sweep: SweepInput,
    *,
    now: datetime,
    counts: dict[str, int],
) -> None:
    gone = [gid for gid in sweep.before if gid not in sweep.seen]
    found = await sync_store.calendar_rows(session, calendar.id, google_ids=gone)
    # A row whose etag moved during the listing (a push landed) is left to the next full sync.
    rows = {r.google_event_id: r for r in found if r.etag == sweep.before[r.google_event_id]}
    conflicted = await sync_store.events_in_conflict(
        session, calendar.id, event_ids=[r.id for r in rows.values()]
    )
    applier = PullApplier(session, calendar, rows, now=now, counts=counts)
    cache = {gid: cached_row(row, row.id in conflicted) for gid, row in rows.items()}
    for action in plan_sweep(cache, sweep.seen):
        if not applier.apply_now(action):
            await applier.apply_later(action)
    await applier.flush()
