"""After a meeting: notes and an outcome logged against a contact (from the event or the contact
page), on the contact's timeline; a meeting held resets the cadence's clock."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from touchbase.calendar import scoped
from touchbase.calendar.events import Actor, audit
from touchbase.calendar.services import CalendarServices
from touchbase.crm import cadence, contacts
from touchbase.crm.touchpoint_changes import push_all
from touchbase.crm.touchpoints import plan_context
from touchbase.errors import (
    EventNotFoundError,
    InteractionNotFoundError,
    InvalidInteractionError,
)
from touchbase.store import meetings as meeting_store
from touchbase.store.accounts import new_id
from touchbase.store.meetings import MET
from touchbase.store.models import Interaction

Outcome = Literal["held", "no_show", "rescheduled", "note"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
MAX_NOTES = 20_000


async def log_interaction(
    services: CalendarServices,
    actor: Actor,
    contact_id: str,
    *,
    outcome: str,
    notes: str,
    event_id: str | None = None,
    occurred_at: datetime | None = None,
) -> Interaction:
    """Log what happened with a contact; about one of the user's meetings (`event_id`: an
    event's or an occurrence's id), it happened when the meeting ended, unless told."""
    if outcome not in OUTCOMES:
        raise InvalidInteractionError(
            f"outcome must be one of {', '.join(OUTCOMES)}.", field="outcome"
        )
    notes = "".join(c for c in notes if c in "\n\t" or c.isprintable()).strip()
    if len(notes) > MAX_NOTES:
        raise InvalidInteractionError(f"at most {MAX_NOTES} characters", field="notes")
    if occurred_at is not None and occurred_at.tzinfo is None:
        raise InvalidInteractionError("a time with its offset", field="occurredAt")
    when = occurred_at
    if event_id is not None:
        try:
            meeting = await scoped.get_event(services, actor.user_id, event_id)
        except EventNotFoundError:
            raise InvalidInteractionError("No such event.", field="eventId") from None
        when = when or meeting.event.end.instant(ZoneInfo("UTC"))
    now = services.clock()
    planning = outcome in MET and await cadence.can_plan(services, actor.user_id)
    async with services.db.session() as session:
        contact = await contacts.owned_contact(session, actor.user_id, contact_id)
        interaction = Interaction(
            id=new_id(),
            user_id=actor.user_id,
            contact_id=contact_id,
            event_id=event_id,
            occurred_at=when or now,
            outcome=outcome,
            notes=notes,
            created_at=now,
        )
        session.add(interaction)
        audit(
            session,
            actor,
            None,
            contact_id=contact_id,
            action="interaction_log",
            now=now,
            changes={"outcome": outcome, "eventId": event_id, "notes": notes},
        )
        await session.flush()
        context = await plan_context(session, actor, now) if planning else None
        to_push = await cadence.follow(context, contact, later_only=True) if context else []
    await push_all(services, actor, to_push)
    return interaction


async def delete_interaction(
    services: CalendarServices, actor: Actor, contact_id: str, interaction_id: str
) -> None:
    """Remove a logged interaction (it was logged by mistake)."""
    now = services.clock()
    async with services.db.session() as session:
        found = await meeting_store.interaction_of(
            session, actor.user_id, contact_id, interaction_id
        )
        if found is None:
            raise InteractionNotFoundError()
        await session.delete(found)
        audit(
            session,
            actor,
            None,
            contact_id=contact_id,
            action="interaction_delete",
            now=now,
            changes={"outcome": found.outcome, "eventId": found.event_id},
        )
