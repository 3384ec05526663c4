"""What a contact's change does to its touchpoints, in the change's transaction: archived,
what its cadence planned goes; renamed, their events take the new name; the next
touchpoint set by date (the seed's `nextTouchpointDate`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.actors import Actor
from touchbase.calendar.services import CalendarServices
from touchbase.crm import contacts
from touchbase.crm.touchpoint_changes import (
    Change,
    TouchpointChange,
    delete_event,
    drop,
    live_event,
    push_all,
    reschedule,
)
from touchbase.crm.touchpoints import (
    PlanContext,
    TouchpointPlan,
    plan_context,
    plan_one,
    retitle_events,
)
from touchbase.errors import ConflictError
from touchbase.store import touchpoints as touchpoint_store
from touchbase.store.models import Contact, Touchpoint


@dataclass(frozen=True)
class ContactWas:
    """What a contact was before a change, that its touchpoints follow."""

    archived: bool
    name: str

    @classmethod
    def of(cls, contact: Contact) -> ContactWas:
        return cls(contact.archived_at is not None, contact.name)


async def contact_changed(
    session: AsyncSession, actor: Actor, contact: Contact, was: ContactWas, now: datetime
) -> list[str]:
    """What a change of a contact does to its touchpoints, in the change's transaction:
    archived, what its cadence planned goes; renamed, their events take the new name.
    Returns the events to push."""
    to_push = []
    if contact.archived_at is not None and not was.archived:
        to_push += await drop_cadence_plans(session, actor, contact, now)
    if contact.name != was.name:
        to_push += await retitle_events(session, actor, contact, was.name, now)
    return to_push


async def drop_cadence_plans(
    session: AsyncSession, actor: Actor, contact: Contact, now: datetime
) -> list[str]:
    """On archiving a contact: the touchpoints its cadence planned go, each with its event
    unless that is over (a meeting that may have happened stays in the calendar, naming no
    touchpoint); restoring the contact plans the cadence's next. One planned by hand stays:
    it was asked for. One whose event is in conflict stays as it is: the conflict is for the
    user to settle. Returns the events to push."""
    planned = await touchpoint_store.planned_of(session, actor.user_id, contact.id)
    ours = [tp for tp in planned if tp.origin == "cadence"]
    if not ours:
        return []
    context = await plan_context(session, actor, now)
    to_push: list[str] = []
    for tp in ours:
        change = Change(context, tp, contact)
        try:
            await drop(change, keep_ended=True, by="archive")
        except ConflictError:
            continue  # raised before anything was staged
        to_push += change.to_push
    return to_push


async def set_next_touchpoint(
    services: CalendarServices,
    actor: Actor,
    contact_id: str,
    changes: dict[str, Any],
    *,
    archived: bool | None,
    if_match: str | None,
    next_touchpoint: date | datetime | None,
) -> Contact:
    """Change a contact and set the date of their next touchpoint in one transaction (the
    seed's `nextTouchpointDate`): the planned one moves there, or one is planned, with its
    event; None deletes the planned one and its event."""
    await services.accounts.require_write_access(actor.user_id)
    now = services.clock()
    with contacts.emails_kept_unique():
        async with services.db.session() as session:
            contact = await contacts.locked_contact(session, actor.user_id, contact_id)
            was = ContactWas.of(contact)
            await contacts.change_in(
                session, actor, contact, changes, archived=archived, if_match=if_match, now=now
            )
            to_push = await contact_changed(session, actor, contact, was, now)
            context = await plan_context(session, actor, now)
            planned = await touchpoint_store.planned_of(session, actor.user_id, contact.id)
            to_push += await _next_in(context, contact, planned, next_touchpoint)
    await push_all(services, actor, to_push)
    return contact


async def _next_in(
    context: PlanContext,
    contact: Contact,
    planned: list[Touchpoint],
    when: date | datetime | None,
) -> list[str]:
    wanted = TouchpointChange(at=when) if isinstance(when, datetime) else TouchpointChange(day=when)
    if planned:
        change = Change(context, min(planned, key=lambda t: t.due_date), contact)
        if when is None:
            row = await live_event(change)
            if row is not None:
                await delete_event(change, row)
            await context.session.delete(change.touchpoint)
        else:
            await reschedule(change, wanted)
            change.touchpoint.version += 1
        return change.to_push
    if when is None:
        return []
    plan = TouchpointPlan(contact.id, day=wanted.day, at=wanted.at)
    _tp, row = await plan_one(context, plan, origin="manual", key=None)
    return [row.id]
