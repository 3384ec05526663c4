"""The contacts list: each contact with when the user was last in touch and their next
touchpoint, sorted by name, newest, next touchpoint or last contacted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.services import CalendarServices
from touchbase.crm.contacts import owned_contact
from touchbase.crm.timeline import last_contacted
from touchbase.crm.touchpoints import TouchpointState, states
from touchbase.store import contacts as contact_store
from touchbase.store import touchpoints as touchpoint_store
from touchbase.store.models import Contact

ListOrder = Literal["name", "created", "next_touchpoint", "last_contacted"]
# Sorting by touchpoint or last contact reads every match; at most this many.
MAX_SORTED = 100_000


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
    planned = await touchpoint_store.touchpoints(
        session, user_id, contact_ids=ids, statuses=["planned"]
    )
    nexts: dict[str, TouchpointState] = {}
    for item in await states(session, user_id, planned):
        cid = item.touchpoint.contact_id
        if cid not in nexts or _when(item) < _when(nexts[cid]):
            nexts[cid] = item
    return [ContactSummary(c, last.get(c.id), nexts.get(c.id)) for c in found]


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
    contacted first)."""
    now = services.clock()
    async with services.db.session() as session:
        if order in ("name", "created"):
            found = await contact_store.search_contacts(
                session, user_id, query, archived=archived, order=order, limit=limit, offset=offset
            )
            return await summaries(session, user_id, found, now=now)
        every = await contact_store.search_contacts(
            session, user_id, query, archived=archived, order="name", limit=MAX_SORTED
        )
        listed = await summaries(session, user_id, every, now=now)
    if order == "next_touchpoint":
        far = (date.max, datetime.max.replace(tzinfo=UTC))
        listed.sort(key=lambda s: _when(s.next_touchpoint) if s.next_touchpoint else far)
    else:
        never = datetime.min.replace(tzinfo=UTC)
        listed.sort(key=lambda s: s.last_contacted or never)
    return listed[offset : offset + limit]


async def get_summary(services: CalendarServices, user_id: str, contact_id: str) -> ContactSummary:
    """One of the user's contacts with its last contact and next touchpoint (404 for anyone
    else's)."""
    async with services.db.session() as session:
        contact = await owned_contact(session, user_id, contact_id)
        return (await summaries(session, user_id, [contact], now=services.clock()))[0]
