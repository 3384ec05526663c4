"""A calendar kept on touchbase only: a user without Google starts with one (their events work
at once, and never wait for Google), and moves its events into a Google calendar once they
connect one: each then goes to Google as a new event, through the normal push."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.actors import Actor, audit
from touchbase.calendar.events import window
from touchbase.calendar.records import EventRecord
from touchbase.calendar.services import CalendarServices
from touchbase.errors import InvalidEventError, NotConnectedError
from touchbase.store import accounts
from touchbase.store.models import Calendar, Event, User


async def start_local_calendar(services: CalendarServices, actor: Actor) -> Calendar:
    """The user's local calendar (made once, in their time zone, else UTC)."""
    async with services.db.session() as session:
        user = await session.get(User, actor.user_id)
        zone = (user.time_zone if user else None) or "UTC"
        return await accounts.start_local_calendar(session, actor.user_id, zone)


async def _target(session: AsyncSession, user_id: str, calendar_id: str | None) -> Calendar:
    """The Google calendar events move into."""
    if calendar_id:
        found = await accounts.user_calendar(session, user_id, calendar_id)
        if found is None or found.is_local or not found.writable:
            raise InvalidEventError(
                "Choose one of your Google calendars that you can change.", field="calendarId"
            )
        return found
    primary = await accounts.primary_calendar(session, user_id)
    if primary is None:
        raise NotConnectedError(details={"reconnect": "/api/google/connect"})
    return primary


async def move_into_google(
    services: CalendarServices, actor: Actor, calendar_id: str | None = None
) -> int:
    """Move every live event of the local calendar into a Google calendar (the primary one by
    default), series before their exceptions; how many moved. Each is then pushed as a new
    event; nothing is lost if Google is away (they wait, pending)."""
    await services.accounts.require_write_access(actor.user_id)
    now = services.clock()
    async with services.db.session() as session:
        local = await accounts.local_calendar(session, actor.user_id)
        target = await _target(session, actor.user_id, calendar_id)
        if local is None:
            return 0
        rows = list(
            await session.scalars(
                select(Event)
                .where(Event.calendar_id == local.id, Event.deleted.is_(False))
                .order_by(Event.recurring_event_id.is_not(None), Event.created_at)
                .with_for_update()
            )
        )
        for row in rows:
            event = EventRecord.of(row).event
            row.calendar_id = target.id
            row.start_at, row.end_at = window(event, target.time_zone)
            row.pending_op, row.sync_status = "create", "pending"
            row.next_push_at, row.updated_at, row.push_attempts = now, now, 0
            audit(
                session,
                actor,
                row.id,
                action="move_to_google",
                now=now,
                changes={"calendar": {"before": local.summary, "after": target.summary}},
            )
        return len(rows)
