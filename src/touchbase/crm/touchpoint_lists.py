"""Reading touchpoints: the user's (a contact's, in some states) and the Due view: what is
overdue, due today or this week, and what needs a new date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from touchbase.calendar.services import CalendarServices
from touchbase.crm import contacts
from touchbase.crm.touchpoints import TouchpointState, states
from touchbase.store import touchpoints as touchpoint_store


@dataclass(frozen=True)
class Due:
    """The Due view: planned touchpoints that are overdue, due today, due this week, and
    those whose event was deleted (they need a new date)."""

    overdue: list[TouchpointState]
    today: list[TouchpointState]
    this_week: list[TouchpointState]
    needs_date: list[TouchpointState]


async def due_touchpoints(services: CalendarServices, user_id: str, zone: str | None = None) -> Due:
    """The user's Due view, now, by the days of `zone` (an IANA name): the zone the pages
    show, so that "today" is the day the user sees. Without one, the user's own
    (`user_zone`)."""
    now = services.clock()
    async with services.db.read() as session:
        found = await touchpoint_store.touchpoints(session, user_id, statuses=["planned"])
        planned = await states(session, user_id, found, zone=ZoneInfo(zone) if zone else None)
    planned.sort(key=lambda s: (s.due, s.start or datetime.min.replace(tzinfo=now.tzinfo)))
    due = Due([], [], [], [])
    for item in planned:
        today = now.astimezone(item.zone).date()
        if item.needs_date:
            due.needs_date.append(item)
        elif item.overdue(now):
            due.overdue.append(item)
        elif item.due == today:
            due.today.append(item)
        elif item.due <= today + timedelta(days=7):
            due.this_week.append(item)
    return due


async def list_touchpoints(
    services: CalendarServices,
    user_id: str,
    *,
    contact_id: str | None = None,
    statuses: list[str] | None = None,
) -> list[TouchpointState]:
    """The user's touchpoints (of one contact; in some states), by date."""
    async with services.db.read() as session:
        if contact_id is not None:
            await contacts.owned_contact(session, user_id, contact_id)
        found = await touchpoint_store.touchpoints(
            session,
            user_id,
            contact_ids=[contact_id] if contact_id else None,
            statuses=statuses or (),
        )
        return await states(session, user_id, found)
