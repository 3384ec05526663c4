"""A contact's cadence keeps one touchpoint planned: setting it plans the first (a cadence after
the last contact, or from today when there was none), changing it moves the one it planned, and
a meeting held or noted resets the clock (its touchpoint moves later, never earlier)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.events import Actor
from touchbase.calendar.services import CalendarServices
from touchbase.crm import contacts
from touchbase.crm.timeline import last_contacted
from touchbase.crm.touchpoint_changes import move_planned, push_all
from touchbase.crm.touchpoints import (
    LAST_YEAR,
    PlanContext,
    cadence_of,
    plan_context,
    plan_next,
)
from touchbase.domain.contacts import Cadence, ContactFields
from touchbase.domain.touchpoints import next_date
from touchbase.google.auth import WRITE_SCOPES
from touchbase.store import touchpoints as touchpoint_store
from touchbase.store.models import Contact
from touchbase.store.turns import taking_turns

# New contacts whose last contacts one statement reads (each sends its emails: far below the
# bound values a statement may have).
READ_TOGETHER = 500


async def can_plan(services: CalendarServices, user_id: str) -> bool:
    """Whether touchpoints can get their events (Google connected with write access)."""
    scopes = await services.accounts.scopes(user_id)
    return bool(scopes and scopes & WRITE_SCOPES)


async def add_contact(services: CalendarServices, actor: Actor, fields: ContactFields) -> Contact:
    """A new contact, with its first touchpoint planned when it has a cadence."""

    async def write(session: AsyncSession, now: datetime) -> Contact:
        return await contacts.create_in(session, actor, fields, now=now)

    return await _written(services, actor, write, planning=fields.cadence is not None)


async def change_contact(
    services: CalendarServices,
    actor: Actor,
    contact_id: str,
    changes: dict[str, Any],
    *,
    archived: bool | None,
    if_match: str | None,
) -> Contact:
    """`contacts.update_contact`; a cadence set or changed plans or moves the touchpoint it
    keeps, in the same transaction."""

    async def write(session: AsyncSession, now: datetime) -> Contact:
        return await contacts.update_in(
            session, actor, contact_id, changes, archived=archived, if_match=if_match, now=now
        )

    return await _written(services, actor, write, planning="cadence" in changes)


async def _written(
    services: CalendarServices,
    actor: Actor,
    write: Callable[[AsyncSession, datetime], Awaitable[Contact]],
    *,
    planning: bool,
) -> Contact:
    """A contact written, and its cadence followed in the same transaction (when `planning`
    and touchpoints can get events); their events pushed after."""
    planning = planning and await can_plan(services, actor.user_id)
    now = services.clock()
    with contacts.emails_kept_unique():
        async with services.db.session() as session:
            contact = await write(session, now)
            context = await plan_context(session, actor, now) if planning else None
            to_push = await follow(context, contact) if context else []
    await push_all(services, actor, to_push)
    return contact


async def follow(context: PlanContext, contact: Contact, *, later_only: bool = False) -> list[str]:
    """Keep the contact's cadence touchpoint where the cadence wants it: planned when none is,
    moved when one the cadence planned is elsewhere (`later_only`: only later, as after a
    meeting). A touchpoint planned by hand is left as it is. Returns the events to push."""
    cadence = cadence_of(contact)
    if cadence is None or contact.archived_at is not None:
        return []
    user_id = context.actor.user_id
    planned = await touchpoint_store.planned_of(context.session, user_id, contact.id)
    if planned and (len(planned) != 1 or planned[0].origin != "cadence"):
        return []  # planned by hand: left as it is, and no need to ask when they last met
    latest = (
        await last_contacted(context.session, user_id, now=context.now, contact_ids=[contact.id])
    ).get(contact.id)
    today = context.now.astimezone(context.zone).date()
    last = _last_day(context, latest)
    if not planned:
        made = await plan_next(context, contact, last)
        return [made.event_id] if made is not None and made.event_id else []
    wanted = _wanted(context, last, today, cadence)
    touchpoint = planned[0]
    if wanted is None or wanted == touchpoint.due_date:
        return []
    if later_only and wanted < touchpoint.due_date:
        return []
    return await move_planned(context, touchpoint, contact, wanted)


async def follow_new(context: PlanContext, made: Sequence[Contact]) -> None:
    """`follow` for contacts made in this transaction (none has a touchpoint yet): the first
    touchpoint of each with a cadence, their last contacts read together (an import of
    thousands read them one contact at a time: 9 ms each, its transaction holding SQLite's
    write lock for 43 s with 5,000). Each plan is ~7 ms of work on the event loop: it takes
    turns with other requests."""
    due = [c for c in made if cadence_of(c) is not None and c.archived_at is None]
    user_id = context.actor.user_id
    latest: dict[str, datetime] = {}
    for start in range(0, len(due), READ_TOGETHER):
        ids = [c.id for c in due[start : start + READ_TOGETHER]]
        latest |= await last_contacted(context.session, user_id, now=context.now, contact_ids=ids)
    async for contact in taking_turns(due):
        await plan_next(context, contact, _last_day(context, latest.get(contact.id)))


def _last_day(context: PlanContext, latest: datetime | None) -> date:
    """The day (in the user's zone) of the last contact; today when there was none."""
    today = context.now.astimezone(context.zone).date()
    return latest.astimezone(context.zone).date() if latest else today


def _wanted(context: PlanContext, last: date, today: date, cadence: Cadence) -> date | None:
    if last.year >= LAST_YEAR:
        return None
    due = next_date(last, cadence, today=today + timedelta(days=1))
    return context.hours.working_day_from(due)
