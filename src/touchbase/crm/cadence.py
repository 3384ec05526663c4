"""A contact's cadence keeps one touchpoint planned: setting it plans the first (a cadence after
the last contact, or from today when there was none), changing it moves the one it planned, and
a meeting held or noted resets the clock (its touchpoint moves later, never earlier)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.actors import Actor
from touchbase.calendar.batch_push import push_pending
from touchbase.calendar.replays import made_before, request_digest
from touchbase.calendar.services import CalendarServices
from touchbase.crm import contacts
from touchbase.crm.contact_touchpoints import ContactWas, contact_changed
from touchbase.crm.timeline import MAX_SCOPED, last_contacted
from touchbase.crm.touchpoint_changes import move_planned, push_all
from touchbase.crm.touchpoints import (
    LAST_YEAR,
    BusyDays,
    PlanContext,
    cadence_of,
    plan_by_cadence,
    plan_context,
)
from touchbase.domain.contacts import Cadence, ContactFields
from touchbase.domain.touchpoints import next_date
from touchbase.errors import InvalidContactError
from touchbase.google.auth import WRITE_SCOPES
from touchbase.store import contacts as contact_store
from touchbase.store import touchpoints as touchpoint_store
from touchbase.store.models import Contact
from touchbase.store.turns import taking_turns, writers_first

# Contacts whose owed touchpoints one transaction plans (about 1.5 ms each, SQLite's write
# lock held meanwhile); their last contacts are read in one statement.
OWED_AT_ONCE = 25


async def can_plan(services: CalendarServices, user_id: str) -> bool:
    """Whether touchpoints can get their events (Google connected with write access)."""
    scopes = await services.accounts.scopes(user_id)
    return bool(scopes and scopes & WRITE_SCOPES)


@dataclass(frozen=True)
class _Written:
    """A contact written in a transaction: whether its cadence is to be followed (`planning`),
    and the events the write changed, to push after."""

    contact: Contact
    planning: bool
    to_push: list[str] = field(default_factory=list)


async def add_contact(
    services: CalendarServices,
    actor: Actor,
    fields: ContactFields,
    *,
    idempotency_key: str | None = None,
) -> Contact:
    """A new contact, with its first touchpoint planned when it has a cadence. A replay with
    the same `idempotency_key` answers the contact the first request added, also while that
    one is under way (its key, or its emails, are then taken when this one writes)."""
    digest = request_digest(fields) if idempotency_key else None
    if idempotency_key and (earlier := await _added(services, actor, idempotency_key, digest)):
        return earlier

    async def write(session: AsyncSession, now: datetime) -> _Written:
        contact = await contacts.create_in(session, actor, fields, now=now)
        contact.idempotency_key, contact.idempotency_fingerprint = idempotency_key, digest
        return _Written(contact, planning=fields.cadence is not None)

    try:
        return await _written(services, actor, write, may_plan=fields.cadence is not None)
    except (IntegrityError, InvalidContactError):
        if idempotency_key and (earlier := await _added(services, actor, idempotency_key, digest)):
            return earlier
        raise


async def _added(
    services: CalendarServices, actor: Actor, key: str, digest: str | None
) -> Contact | None:
    """The contact a request with this Idempotency-Key added (if it asked for the same)."""

    def find(session: AsyncSession) -> Awaitable[Contact | None]:
        return contact_store.by_idempotency_key(session, actor.user_id, key)

    return await made_before(services.db, find, digest)


async def change_contact(
    services: CalendarServices,
    actor: Actor,
    contact_id: str,
    changes: dict[str, Any],
    *,
    archived: bool | None,
    if_match: str | None,
) -> Contact:
    """`contacts.change_in` in a transaction, and what the cadence does about it in the same:
    a cadence set or changed plans or moves the touchpoint it keeps; archiving the contact
    takes away what its cadence planned, and bringing it back plans the next."""

    async def write(session: AsyncSession, now: datetime) -> _Written:
        contact = await contacts.locked_contact(session, actor.user_id, contact_id)
        was = ContactWas.of(contact)
        await contacts.change_in(
            session, actor, contact, changes, archived=archived, if_match=if_match, now=now
        )
        to_push = await contact_changed(session, actor, contact, was, now)
        planning = "cadence" in changes or was.archived != (contact.archived_at is not None)
        return _Written(contact, planning, to_push)

    may_plan = "cadence" in changes or archived is not None
    return await _written(services, actor, write, may_plan=may_plan)


async def _written(
    services: CalendarServices,
    actor: Actor,
    write: Callable[[AsyncSession, datetime], Awaitable[_Written]],
    *,
    may_plan: bool,
) -> Contact:
    """A contact written, and its cadence followed in the same transaction when the write
    says so (and touchpoints can get events; when they cannot, a live contact's cadence is
    noted as owing one until they can); the events pushed after. `may_plan`: whether the
    write might say so (else whether touchpoints can get events is not asked)."""
    can = may_plan and await can_plan(services, actor.user_id)
    now = services.clock()
    with contacts.emails_kept_unique():
        async with services.db.session() as session:
            written = await write(session, now)
            contact, to_push = written.contact, written.to_push
            if written.planning:
                live = _live_cadence(contact)
                if can and live:
                    to_push += await follow(await plan_context(session, actor, now), contact)
                owes = live and not can
                if owes != (contact.cadence_owed_at is not None):
                    contact.cadence_owed_at = now if owes else None
    await push_all(services, actor, to_push)
    return contact


def _live_cadence(contact: Contact) -> bool:
    """Whether the contact has a cadence to keep (one it has, and not archived)."""
    return cadence_of(contact) is not None and contact.archived_at is None


async def follow(context: PlanContext, contact: Contact, *, later_only: bool = False) -> list[str]:
    """Keep the contact's cadence touchpoint where the cadence wants it: planned when none is,
    moved when one the cadence planned is elsewhere (`later_only`: only later, as after a
    meeting). A touchpoint planned by hand is left as it is. Returns the events to push."""
    return await _follow(context, contact, None, later_only=later_only)


async def _follow(
    context: PlanContext,
    contact: Contact,
    latest: dict[str, datetime] | None,
    *,
    later_only: bool = False,
    on_its_own: bool = False,
) -> list[str]:
    """`follow`, with the last contacts of the contacts at hand when they were read together
    (None: read the contact's own). `on_its_own` (no one asked): only a touchpoint planned
    with its event is moved; none is planned, and no deleted event is made again."""
    cadence = cadence_of(contact)
    if cadence is None or contact.archived_at is not None:
        return []
    user_id = context.actor.user_id
    planned = await touchpoint_store.planned_of(context.session, user_id, contact.id)
    if planned and (len(planned) != 1 or planned[0].origin != "cadence"):
        return []  # planned by hand: left as it is, and no need to ask when they last met
    if latest is None:
        latest = await last_contacted(
            context.session, user_id, now=context.now, contact_ids=[contact.id]
        )
    last = _last_day(context, latest.get(contact.id))
    if not planned:
        if on_its_own:
            return []
        made = await plan_by_cadence(context, contact, last)
        return [made.event_id] if made is not None and made.event_id else []
    today = context.now.astimezone(context.zone).date()
    wanted = _wanted(context, last, today, cadence)
    touchpoint = planned[0]
    if wanted is None or wanted == touchpoint.due_date:
        return []
    if later_only and wanted < touchpoint.due_date:
        return []
    return await move_planned(context, touchpoint, contact, wanted, remake_event=not on_its_own)


async def plan_owed(
    services: CalendarServices, actor: Actor, *, until_none_owed: bool = False
) -> int:
    """Follow the cadences that owe a touchpoint (`Contact.cadence_owed_at`), OWED_AT_ONCE
    contacts per transaction, each transaction short enough that other writers hardly wait
    for SQLite's lock (an import of 5,000 planned in one held it 15 s: others' writes gave
    up); then push their events in batches. Nothing when touchpoints cannot get events yet.
    Safe beside another run of it: each transaction takes contacts no other holds, or with
    `until_none_owed` waits for those another holds, so that on return none owes (an import
    answers that its contacts are planned; the cadence job may hold some of them meanwhile).
    Returns how many contacts it followed."""
    if not await can_plan(services, actor.user_id):
        return 0
    followed, calendar_id = 0, None
    # The days' busy spans, read once and kept up to date across the transactions (read
    # again in each, 5,000 plans due on one day read its thousands of events 200 times).
    busy: BusyDays = {}
    while True:
        async with services.db.session() as session:
            owed = await contact_store.owed_cadences(
                session, actor.user_id, limit=OWED_AT_ONCE, wait=until_none_owed
            )
            if owed:
                context = await plan_context(session, actor, services.clock(), busy=busy)
                calendar_id = context.calendar.id
                await _follow_owed(context, owed)
            elif not until_none_owed or not await contact_store.owes_any(session, actor.user_id):
                break
        followed += len(owed)
        await writers_first()
    if calendar_id is not None:
        await push_pending(services, actor.user_id, calendar_id)
    return followed


async def _follow_owed(context: PlanContext, owed: Sequence[Contact]) -> None:
    """`follow` for each of these contacts, their last contacts read together (one contact at
    a time they took 9 ms each); each then owes nothing. Each plan is ~1.5 ms of work on the
    event loop: it takes turns with other requests. Nothing is flushed until the end (a flush
    before each query cost half the plan's time), and nothing a plan reads is among what is
    not flushed: a contact's touchpoints are read before it gets one, and a day's busy spans
    before an event is placed on it."""
    user_id = context.actor.user_id
    ids = [contact.id for contact in owed]
    latest = await last_contacted(context.session, user_id, now=context.now, contact_ids=ids)
    with context.session.no_autoflush:
        async for contact in taking_turns(owed):
            await _follow(context, contact, latest)
            contact.cadence_owed_at = None


async def follow_meetings(services: CalendarServices, actor: Actor) -> int:
    """Move later each touchpoint a cadence planned that a meeting held since (with the
    contact as a guest, or linked) makes early: the cadence runs from the last contact,
    whether logged or only on the calendar. Only those to move are written, OWED_AT_ONCE
    per transaction, each contact locked and its touchpoint read again (`_follow`, on its
    own). Returns how many moved."""
    if not await can_plan(services, actor.user_id):
        return 0
    early, latest = await _made_early(services, actor)
    moved, calendar_id = 0, None
    busy: BusyDays = {}
    for start in range(0, len(early), OWED_AT_ONCE):
        async with services.db.session() as session:
            context = await plan_context(session, actor, services.clock(), busy=busy)
            calendar_id = context.calendar.id
            async for contact_id in taking_turns(early[start : start + OWED_AT_ONCE]):
                contact = await contact_store.get_contact(
                    session, actor.user_id, contact_id, for_update=True
                )
                if contact is not None:
                    moved += bool(
                        await _follow(context, contact, latest, later_only=True, on_its_own=True)
                    )
    if calendar_id is not None:
        await push_pending(services, actor.user_id, calendar_id)
    return moved


async def _made_early(
    services: CalendarServices, actor: Actor
) -> tuple[list[str], dict[str, datetime]]:
    """The contacts whose cadence's touchpoint their last contact wants later, and the last
    contacts: one read of the touchpoints cadences planned, the cadences (columns only: a
    user may have tens of thousands) and the last contacts of their contacts."""
    now = services.clock()
    async with services.db.read() as session:
        plans = await touchpoint_store.cadence_plans(session, actor.user_id)
        if not plans:
            return [], {}
        cadences = await contact_store.live_cadences(session, actor.user_id)
        ids = [i for i in plans if i in cadences]
        scope = ids if len(ids) <= MAX_SCOPED else None
        latest = await last_contacted(session, actor.user_id, now=now, contact_ids=scope)
        context = await plan_context(session, actor, now)
    early = [
        i for i in ids if i in latest and _moves_later(context, cadences[i], latest[i], plans[i])
    ]
    return early, latest


def _moves_later(context: PlanContext, cadence: Cadence, latest: datetime, due: date) -> bool:
    """Whether a cadence run from this last contact wants its touchpoint after `due`."""
    today = context.now.astimezone(context.zone).date()
    wanted = _wanted(context, _last_day(context, latest), today, cadence)
    return wanted is not None and wanted > due


def _last_day(context: PlanContext, latest: datetime | None) -> date:
    """The day (in the user's zone) of the last contact; today when there was none."""
    today = context.now.astimezone(context.zone).date()
    return latest.astimezone(context.zone).date() if latest else today


def _wanted(context: PlanContext, last: date, today: date, cadence: Cadence) -> date | None:
    if last.year >= LAST_YEAR:
        return None
    due = next_date(last, cadence, today=today + timedelta(days=1))
    return context.hours.working_day_from(due)
