"""Meetings with contacts: events a contact is a guest of (by any of their emails, through
`event_guests`; in a calendar shared with the user, only where the user is a guest too) or
that name them (`contact_id`), and what was logged after them; every query scoped to one
user. Their joins and aggregates cover every meeting of the user's (with 100,000 events,
SQLite works on one for tenths of a second), so they run off the event loop."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from touchbase.store import accounts
from touchbase.store.events import LISTED
from touchbase.store.models import ContactEmail, Event, EventGuest, Interaction, Touchpoint
from touchbase.store.sqlite_driver import OFF_THE_LOOP

# Outcomes that say a meeting did not take place.
NOT_MET = ("no_show", "rescheduled")
# Interactions that count as being in touch.
MET = ("held", "note")


class _Guests:
    """Events whose guests are the user's contacts, as a statement whose first column is a
    key, and how a key names its contact. For some contacts, their emails are read first and
    the guests looked up by them (an index search whatever the planner knows of the tables'
    sizes); for all contacts, one join."""

    def __init__(self, key: Any, statement: Any, owners: dict[str, str] | None) -> None:
        self.key, self.statement, self.owners = key, statement, owners

    def contact(self, key: str) -> str:
        return self.owners[key] if self.owners is not None else key


async def _others_meetings(session: AsyncSession, user_id: str) -> Any:
    """The events of calendars shared with the user (another person's, `Calendar.shared`)
    that the user is not a guest of: that person's meetings, not the user's. None when the
    user has no such calendar (most users: nothing is added to their queries)."""
    shared = [c.id for c in await accounts.user_calendars(session, user_id) if c.shared]
    if not shared:
        return None
    with_user = select(EventGuest.event_id).where(
        EventGuest.user_id == user_id,
        EventGuest.email.in_(await accounts.user_addresses(session, user_id)),
    )
    return and_(Event.calendar_id.in_(shared), Event.id.not_in(with_user))


async def _guests(
    session: AsyncSession, user_id: str, contact_ids: Sequence[str] | None
) -> _Guests:
    """The meetings' guests: of events the user was in (`_others_meetings` left out)."""
    live: Any = Event.deleted.is_(False)
    others = await _others_meetings(session, user_id)
    if others is not None:
        live = and_(live, ~others)
    if contact_ids is None:
        statement = (
            select(ContactEmail.contact_id)
            .join(
                EventGuest,
                and_(
                    EventGuest.user_id == ContactEmail.user_id,
                    EventGuest.email == ContactEmail.email,
                ),
            )
            .join(Event, Event.id == EventGuest.event_id)
            .where(ContactEmail.user_id == user_id, live)
        )
        return _Guests(ContactEmail.contact_id, statement, None)
    found = await session.execute(
        select(ContactEmail.email, ContactEmail.contact_id).where(
            ContactEmail.user_id == user_id, ContactEmail.contact_id.in_(contact_ids)
        )
    )
    owners = {str(email): str(contact_id) for email, contact_id in found}
    statement = (
        select(EventGuest.email)
        .join(Event, Event.id == EventGuest.event_id)
        .where(EventGuest.user_id == user_id, EventGuest.email.in_(list(owners)), live)
    )
    return _Guests(EventGuest.email, statement, owners)


async def _with_contacts(
    session: AsyncSession, user_id: str, contact_ids: Sequence[str] | None, *where: Any
) -> list[tuple[str, Sequence[Any]]]:
    """(contact id, the event's `LISTED` row) of the live events meeting `where` with these
    contacts (None: any of the user's), each pair once."""
    guests = await _guests(session, user_id, contact_ids)
    named = select(Event.contact_id, *LISTED).where(
        Event.user_id == user_id, Event.deleted.is_(False), Event.contact_id.is_not(None), *where
    )
    if contact_ids is not None:
        named = named.where(Event.contact_id.in_(contact_ids))
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, Sequence[Any]]] = []
    as_guest = guests.statement.add_columns(*LISTED).where(*where)
    for statement, contact_of in ((as_guest, guests.contact), (named, str)):
        for found in (await session.execute(statement, execution_options=OFF_THE_LOOP)).all():
            contact_id, row = contact_of(found[0]), found[1:]
            if (contact_id, row[0]) not in seen:
                seen.add((contact_id, row[0]))
                out.append((contact_id, row))
    return out


async def meeting_rows(
    session: AsyncSession, user_id: str, contact_ids: Sequence[str]
) -> list[tuple[str, Sequence[Any]]]:
    """(contact id, the event's `LISTED` row) of every live event with these contacts."""
    return await _with_contacts(session, user_id, contact_ids) if contact_ids else []


def _logged_on(user_id: str, outcomes: Sequence[str]) -> Any:
    """The events the user logged one of these outcomes on."""
    return select(Interaction.event_id).where(
        Interaction.user_id == user_id,
        Interaction.outcome.in_(outcomes),
        Interaction.event_id.is_not(None),
    )


# A touchpoint's event, beside the events a query is about (made once: an alias's columns
# are adapted when first used, 2 ms a query when made in each).
_ITS_EVENT = aliased(Event)


def _reminders(user_id: str) -> Any:
    """The events of the user's touchpoints not done (planned, perhaps overdue, skipped or
    missed), or done before their event began (the contact happened otherwise), that no
    meeting was logged on: reminders to get in touch, not meetings held."""
    done_before = and_(
        Touchpoint.completed_at.is_not(None), _ITS_EVENT.start_at > Touchpoint.completed_at
    )
    return (
        select(Touchpoint.event_id)
        .join(_ITS_EVENT, _ITS_EVENT.id == Touchpoint.event_id)
        .where(
            Touchpoint.user_id == user_id,
            or_(Touchpoint.status != "done", done_before),
            Touchpoint.event_id.not_in(_logged_on(user_id, MET)),
        )
    )


async def reminders_among(
    session: AsyncSession, user_id: str, event_ids: Sequence[str]
) -> set[str]:
    """Which of these events are reminders (`_reminders`), not meetings."""
    if not event_ids:
        return set()
    found = await session.scalars(
        _reminders(user_id).where(Touchpoint.event_id.in_(list(event_ids)))
    )
    return {str(event_id) for event_id in found}


def _counted(user_id: str) -> Any:
    """What makes an event a meeting that counts as contact: not a cancelled occurrence, not
    logged as not held, not a reminder (`_reminders`)."""
    cancelled_instance = and_(
        Event.recurring_event_id.is_not(None), Event.local["status"].as_string() == "cancelled"
    )
    return and_(
        ~cancelled_instance,
        Event.id.not_in(_logged_on(user_id, NOT_MET)),
        Event.id.not_in(_reminders(user_id)),
    )


def _done(user_id: str, now: datetime) -> Any:
    """(contact id, when the latest touchpoint with them was marked done) of touchpoints done
    without their event over (none, gone, not begun when marked done: the contact happened
    otherwise; or still going on: the user is meeting them now, and the meeting counts when it
    ends). One done after its event ended was that meeting, which counts at its end
    (`_reminders`), not when the user got round to marking it."""
    held = (
        select(_ITS_EVENT.id)
        .where(
            _ITS_EVENT.id == Touchpoint.event_id,
            _ITS_EVENT.deleted.is_(False),
            _ITS_EVENT.end_at <= Touchpoint.completed_at,
        )
        .exists()
    )
    return (
        select(Touchpoint.contact_id, func.max(Touchpoint.completed_at))
        .where(
            Touchpoint.user_id == user_id,
            Touchpoint.status == "done",
            Touchpoint.completed_at <= now,
            ~held,
        )
        .group_by(Touchpoint.contact_id)
    )


async def last_done(
    session: AsyncSession, user_id: str, contact_id: str, *, now: datetime
) -> datetime | None:
    """When a touchpoint with the contact was last marked done (`_done`)."""
    found = await session.execute(_done(user_id, now).where(Touchpoint.contact_id == contact_id))
    return max((when for _, when in found.all() if when is not None), default=None)


async def last_met(
    session: AsyncSession, user_id: str, *, now: datetime, contact_ids: Sequence[str] | None
) -> dict[str, datetime]:
    """{contact id: when the latest meeting with them that is over ended, the latest
    interaction logged, or the latest touchpoint with them marked done}, of these contacts
    (None: all the user's). Series still running are the caller's to expand
    (`running_series_ids`)."""
    counted = and_(Event.end_at <= now, _counted(user_id))
    guests = await _guests(session, user_id, contact_ids)
    as_guest = (
        guests.statement.add_columns(func.max(Event.end_at)).where(counted).group_by(guests.key)
    )
    named = (
        select(Event.contact_id, func.max(Event.end_at))
        .where(
            Event.user_id == user_id,
            Event.deleted.is_(False),
            Event.contact_id.is_not(None),
            counted,
        )
        .group_by(Event.contact_id)
    )
    logged = (
        select(Interaction.contact_id, func.max(Interaction.occurred_at))
        .where(
            Interaction.user_id == user_id,
            Interaction.outcome.in_(MET),
            Interaction.occurred_at <= now,
        )
        .group_by(Interaction.contact_id)
    )
    done = _done(user_id, now)
    if contact_ids is not None:
        named = named.where(Event.contact_id.in_(contact_ids))
        logged = logged.where(Interaction.contact_id.in_(contact_ids))
        done = done.where(Touchpoint.contact_id.in_(contact_ids))
    out: dict[str, datetime] = {}
    queries = ((as_guest, guests.contact), (named, str), (logged, str), (done, str))
    for query, contact_of in queries:
        for key, when in (await session.execute(query, execution_options=OFF_THE_LOOP)).all():
            if key is not None and when is not None:
                contact_id = contact_of(key)
                out[contact_id] = max(when, out.get(contact_id, when))
    return out


async def running_meetings(
    session: AsyncSession, user_id: str, *, now: datetime, contact_ids: Sequence[str] | None
) -> list[tuple[str, Sequence[Any]]]:
    """(contact id, `LISTED` row) of the events with contacts that began and have not ended
    (a series still running among them: its latest occurrence may be over)."""
    running = and_(Event.start_at <= now, Event.end_at > now, Event.recurring_event_id.is_(None))
    return await _with_contacts(session, user_id, contact_ids, running)


async def interactions_of(
    session: AsyncSession, user_id: str, contact_id: str, *, limit: int
) -> list[Interaction]:
    """A contact's logged interactions, latest first."""
    found = await session.scalars(
        select(Interaction)
        .where(Interaction.user_id == user_id, Interaction.contact_id == contact_id)
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(limit)
    )
    return list(found)


async def interaction_by_key(session: AsyncSession, user_id: str, key: str) -> Interaction | None:
    """The interaction a request with this Idempotency-Key logged."""
    found = await session.scalars(
        select(Interaction).where(
            Interaction.user_id == user_id, Interaction.idempotency_key == key
        )
    )
    return found.first()


async def interaction_of(
    session: AsyncSession, user_id: str, contact_id: str, interaction_id: str
) -> Interaction | None:
    """One interaction logged about one of the user's contacts."""
    found = await session.scalars(
        select(Interaction).where(
            Interaction.user_id == user_id,
            Interaction.contact_id == contact_id,
            Interaction.id == interaction_id,
        )
    )
    return found.first()
