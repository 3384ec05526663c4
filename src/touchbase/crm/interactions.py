"""After a meeting: notes and an outcome logged against a contact (from the event or the contact
page), on the contact's timeline; a meeting held resets the cadence's clock."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Literal, get_args
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar import scoped
from touchbase.calendar.actors import Actor, audit
from touchbase.calendar.replays import made_before, request_digest
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


class Logged(msgspec.Struct, frozen=True):
    """What a person logs: an outcome and notes about a contact, about one of their meetings
    (`event_id`: an event's or an occurrence's id) or not, at a time or not."""

    contact_id: str
    outcome: str
    notes: str
    event_id: str | None = None
    occurred_at: datetime | None = None


async def log_interaction(
    services: CalendarServices,
    actor: Actor,
    logged: Logged,
    *,
    idempotency_key: str | None = None,
) -> Interaction:
    """Log what happened with a contact; about a meeting, it happened when the meeting ended,
    unless told. A replay with the same `idempotency_key` answers what the first request
    logged, also while that one is under way."""
    digest = request_digest(logged) if idempotency_key else None
    if idempotency_key and (earlier := await _logged(services, actor, idempotency_key, digest)):
        return earlier
    try:
        return await _log(services, actor, logged, idempotency_key, digest)
    except IntegrityError:
        if idempotency_key and (earlier := await _logged(services, actor, idempotency_key, digest)):
            return earlier
        raise


async def _logged(
    services: CalendarServices, actor: Actor, key: str, digest: str | None
) -> Interaction | None:
    """The interaction a request with this Idempotency-Key logged (if it asked the same)."""

    def find(session: AsyncSession) -> Awaitable[Interaction | None]:
        return meeting_store.interaction_by_key(session, actor.user_id, key)

    return await made_before(services.db, find, digest)


async def _checked(services: CalendarServices, actor: Actor, logged: Logged) -> Logged:
    """What is logged, its notes cleaned and its time known, or InvalidInteractionError."""
    if logged.outcome not in OUTCOMES:
        raise InvalidInteractionError(
            f"outcome must be one of {', '.join(OUTCOMES)}.", field="outcome"
        )
    notes = "".join(c for c in logged.notes if c in "\n\t" or c.isprintable()).strip()
    if len(notes) > MAX_NOTES:
        raise InvalidInteractionError(f"at most {MAX_NOTES} characters", field="notes")
    when = logged.occurred_at
    if when is not None and when.tzinfo is None:
        raise InvalidInteractionError("a time with its offset", field="occurredAt")
    if logged.event_id is not None:
        try:
            meeting = await scoped.get_event(services, actor.user_id, logged.event_id)
        except EventNotFoundError:
            raise InvalidInteractionError("No such event.", field="eventId") from None
        when = when or meeting.event.end.instant(ZoneInfo("UTC"))
    return msgspec.structs.replace(logged, notes=notes, occurred_at=when)


async def _log(
    services: CalendarServices,
    actor: Actor,
    logged: Logged,
    key: str | None,
    digest: str | None,
) -> Interaction:
    logged = await _checked(services, actor, logged)
    now = services.clock()
    planning = logged.outcome in MET and await cadence.can_plan(services, actor.user_id)
    async with services.db.session() as session:
        contact = await contacts.owned_contact(session, actor.user_id, logged.contact_id)
        interaction = Interaction(
            id=new_id(),
            user_id=actor.user_id,
            contact_id=logged.contact_id,
            event_id=logged.event_id,
            occurred_at=logged.occurred_at or now,
            outcome=logged.outcome,
            notes=logged.notes,
            idempotency_key=key,
            idempotency_fingerprint=digest,
            created_at=now,
        )
        session.add(interaction)
        changes = {"outcome": logged.outcome, "eventId": logged.event_id, "notes": logged.notes}
        audit(
            session,
            actor,
            None,
            contact_id=logged.contact_id,
            action="interaction_log",
            now=now,
            changes=changes,
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
