"""A contact's timeline: the meetings with them (made here or in Google, found by their guests'
emails or an explicit link), what was logged after them, and when the user was last in touch
(a meeting held, an interaction logged, a touchpoint marked done)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.listing import Window, expanded_page
from touchbase.calendar.records import EventRecord
from touchbase.calendar.services import CalendarServices
from touchbase.crm.contacts import owned_contact
from touchbase.domain.contacts import MAX_EMAILS
from touchbase.domain.recurrence import event_span
from touchbase.store import accounts
from touchbase.store import meetings as meeting_store
from touchbase.store.models import Interaction

# How far back and ahead a timeline expands recurring meetings.
PAST_SPAN = timedelta(days=2 * 366)
AHEAD_SPAN = timedelta(days=366)
UPCOMING_SHOWN = 20
PAST_SHOWN = 100
# The last contacts of at most this many contacts are read by their ids (beyond, every
# contact's are): a statement binds at most 65,535 values on PostgreSQL, and each contact's
# emails (up to MAX_EMAILS) are sent too.
MAX_SCOPED = 60_000 // MAX_EMAILS


@dataclass(frozen=True)
class Meeting:
    """One meeting (an event, or one occurrence of a series) and what was logged about it."""

    record: EventRecord
    start: datetime
    end: datetime
    logged: list[Interaction] = field(default_factory=list)
    # A touchpoint's event before the touchpoint is done (`meetings.reminders_among`).
    reminder: bool = False

    @property
    def met(self) -> bool:
        """Whether it counts as being in touch (not logged as a no-show or moved, not a
        reminder)."""
        return not self.reminder and not any(
            i.outcome in meeting_store.NOT_MET for i in self.logged
        )


@dataclass(frozen=True)
class Timeline:
    """Meetings to come (soonest first), and the past (latest first): meetings and the
    interactions logged on their own."""

    upcoming: list[Meeting]
    past: list[Meeting | Interaction]
    last_contacted: datetime | None


def _latest_touch(past: Sequence[Meeting | Interaction]) -> datetime | None:
    """When the latest meeting held ended, or the latest contact logged on its own."""
    return max(
        (
            m.end if isinstance(m, Meeting) else m.occurred_at
            for m in past
            if (m.met if isinstance(m, Meeting) else m.outcome in meeting_store.MET)
        ),
        default=None,
    )


async def _meetings(
    session: AsyncSession, user_id: str, rows: Sequence[Sequence[Any]], window: Window
) -> list[Meeting]:
    page = await expanded_page(session, user_id, rows, window)
    zones = {c.id: c.time_zone for c in await accounts.user_calendars(session, user_id)}
    reminders = await meeting_store.reminders_among(
        session, user_id, [r.id for r in page.items if r.is_touchpoint]
    )
    out = []
    for record in page.items:
        start, end = event_span(record.event, zones.get(record.calendar_id, "UTC"))
        out.append(Meeting(record, start, end, reminder=record.id in reminders))
    return out


async def contact_timeline(
    session: AsyncSession, user_id: str, contact_id: str, *, now: datetime
) -> Timeline:
    """The timeline of one of the user's contacts (the caller checked it is theirs)."""
    rows = [row for _, row in await meeting_store.meeting_rows(session, user_id, [contact_id])]
    window = Window(now - PAST_SPAN, now + AHEAD_SPAN, limit=5_000)
    meetings = await _meetings(session, user_id, rows, window)
    logged = await meeting_store.interactions_of(session, user_id, contact_id, limit=500)
    by_event: dict[str, list[Interaction]] = defaultdict(list)
    for interaction in logged:
        if interaction.event_id:
            by_event[interaction.event_id].append(interaction)
    for meeting in meetings:
        meeting.logged.extend(by_event.pop(meeting.record.id, []))
    upcoming = [m for m in meetings if m.end > now][:UPCOMING_SHOWN]
    past: list[Meeting | Interaction] = [m for m in meetings if m.end <= now]
    past += [i for i in logged if not i.event_id or i.event_id in by_event]
    past.sort(key=lambda m: m.end if isinstance(m, Meeting) else m.occurred_at, reverse=True)
    done = await meeting_store.last_done(session, user_id, contact_id, now=now)
    latest = max((t for t in (_latest_touch(past), done) if t is not None), default=None)
    return Timeline(upcoming, past[:PAST_SHOWN], latest)


async def last_contacted(
    session: AsyncSession, user_id: str, *, now: datetime, contact_ids: Sequence[str] | None
) -> dict[str, datetime]:
    """{contact id: when the user was last in touch} of these contacts (None: all)."""
    found = await meeting_store.last_met(session, user_id, now=now, contact_ids=contact_ids)
    running = await meeting_store.running_meetings(
        session, user_id, now=now, contact_ids=contact_ids
    )
    # Series still running: their latest occurrence may be over. All expanded at once.
    owners: dict[str, set[str]] = defaultdict(set)
    for contact_id, row in running:
        owners[row[0]].add(contact_id)
    rows = list({row[0]: row for _, row in running}.values())
    window = Window(now - PAST_SPAN, now, limit=100_000)
    for meeting in await _meetings(session, user_id, rows, window) if rows else []:
        if meeting.end > now:
            continue
        for contact_id in owners[meeting.record.series_id or meeting.record.id]:
            found[contact_id] = max(meeting.end, found.get(contact_id, meeting.end))
    return found


async def get_timeline(services: CalendarServices, user_id: str, contact_id: str) -> Timeline:
    """The timeline of one of the user's contacts (404 for anyone else's)."""
    async with services.db.read() as session:
        await owned_contact(session, user_id, contact_id)
        return await contact_timeline(session, user_id, contact_id, now=services.clock())
