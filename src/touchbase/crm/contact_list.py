"""The contacts list: each contact with when the user was last in touch and their next
touchpoint, sorted by name, newest, next touchpoint or last contacted."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.services import CalendarServices
from touchbase.crm.contacts import fields_of, owned_contact
from touchbase.crm.timeline import MAX_SCOPED, last_contacted
from touchbase.crm.touchpoints import TouchpointState, states
from touchbase.domain.contact_export import ExportedContact
from touchbase.store import contacts as contact_store
from touchbase.store import touchpoints as touchpoint_store
from touchbase.store.models import Contact

ListOrder = Literal["name", "created", "next_touchpoint", "last_contacted"]
# Sorting by touchpoint or last contact reads every match; at most this many.
MAX_SORTED = 100_000
EXPORT_CHUNK = 250  # contacts an export reads at once


@dataclass(frozen=True)
class ContactSummary:
    """A contact with the two dates a keep-in-touch list is about."""

    contact: Contact
    last_contacted: datetime | None
    next_touchpoint: TouchpointState | None


async def summaries(
    session: AsyncSession, user_id: str, found: list[Contact], *, now: datetime
) -> list[ContactSummary]:
    """These contacts of the user's, each with their last contact and next touchpoint."""
    ids = [c.id for c in found]
    last = await last_contacted(session, user_id, now=now, contact_ids=ids)
    nexts = await _next_touchpoints(session, user_id, ids)
    return [ContactSummary(c, last.get(c.id), nexts.get(c.id)) for c in found]


async def _next_touchpoints(
    session: AsyncSession, user_id: str, contact_ids: list[str] | None
) -> dict[str, TouchpointState]:
    """{contact id: their next planned touchpoint} of these contacts (None: all)."""
    planned = await touchpoint_store.touchpoints(
        session, user_id, contact_ids=contact_ids, statuses=["planned"]
    )
    nexts: dict[str, TouchpointState] = {}
    for item in await states(session, user_id, planned):
        cid = item.touchpoint.contact_id
        if cid not in nexts or _when(item) < _when(nexts[cid]):
            nexts[cid] = item
    return nexts


def _when(item: TouchpointState) -> tuple[date, datetime]:
    return item.due, item.start or datetime.min.replace(tzinfo=UTC)


async def list_contacts(
    services: CalendarServices,
    user_id: str,
    query: str,
    *,
    archived: bool = False,
    order: ListOrder = "name",
    limit: int = contact_store.SEARCH_LIMIT,
    offset: int = 0,
) -> list[ContactSummary]:
    """The user's contacts matching `query` (name, company, any email), one page in `order`:
    the next touchpoint soonest first (none last), or the longest out of touch first (never
    contacted first). A read of its own: sorted by last contact, it reads every meeting."""
    now = services.clock()
    async with services.db.read() as session:
        if order in ("name", "created"):
            found = await contact_store.search_contacts(
                session, user_id, query, archived=archived, order=order, limit=limit, offset=offset
            )
            return await summaries(session, user_id, found, now=now)
        every = await contact_store.search_contact_ids(
            session, user_id, query, archived=archived, limit=MAX_SORTED
        )
        # The keys of the matches by their ids; of all the user's contacts when there is no
        # query or too many matches to send as values (PostgreSQL takes 65,535 a statement).
        scope = every if query.strip() and len(every) <= MAX_SCOPED else None
        ranked = await _ranked(session, user_id, every, order, scope=scope, now=now)
        page = await contact_store.contacts_by_id(session, user_id, ranked[offset : offset + limit])
        return await summaries(session, user_id, page, now=now)


async def _ranked(
    session: AsyncSession,
    user_id: str,
    ids: list[str],
    order: ListOrder,
    *,
    scope: list[str] | None,
    now: datetime,
) -> list[str]:
    """Contact ids (by name) sorted by next touchpoint (none last) or by last contact (never
    first), their keys read for the contacts in `scope` (None: all the user's); only the
    page is then read whole."""
    if order == "next_touchpoint":
        nexts = await _next_touchpoints(session, user_id, scope)
        far = (date.max, datetime.max.replace(tzinfo=UTC))
        return sorted(ids, key=lambda i: _when(nexts[i]) if i in nexts else far)
    last = await last_contacted(session, user_id, now=now, contact_ids=scope)
    never = datetime.min.replace(tzinfo=UTC)
    return sorted(ids, key=lambda i: last.get(i, never))


async def get_summary(services: CalendarServices, user_id: str, contact_id: str) -> ContactSummary:
    """One of the user's contacts with its last contact and next touchpoint (404 for anyone
    else's)."""
    async with services.db.read() as session:
        contact = await owned_contact(session, user_id, contact_id)
        return (await summaries(session, user_id, [contact], now=services.clock()))[0]


async def exported(
    services: CalendarServices, user_id: str, *, archived: bool
) -> list[ExportedContact]:
    """Every one of the user's contacts (live, or archived), by name, with when they were last
    in touch and their next touchpoint: what a file of them holds. Read a few hundred at a
    time, the loop serving others in between (tens of thousands take a second or more)."""
    now = services.clock()
    found: list[ExportedContact] = []
    async with services.db.read() as session:
        ids = await contact_store.search_contact_ids(
            session, user_id, "", archived=archived, limit=MAX_SORTED
        )
        last = await last_contacted(session, user_id, now=now, contact_ids=None)
        await asyncio.sleep(0)
        nexts = await _next_touchpoints(session, user_id, None)
        for start in range(0, len(ids), EXPORT_CHUNK):
            await asyncio.sleep(0)
            page = await contact_store.contacts_by_id(
                session, user_id, ids[start : start + EXPORT_CHUNK]
            )
            found += [_exported(c, last.get(c.id), nexts.get(c.id)) for c in page]
    return found


def _exported(
    contact: Contact, last_contacted: datetime | None, upcoming: TouchpointState | None
) -> ExportedContact:
    """A contact as a file holds them: the next touchpoint at its event's start, or its day
    (all day, or no event)."""
    when = None if upcoming is None else (upcoming.start or upcoming.due)
    return ExportedContact(fields_of(contact), last_contacted, when)
