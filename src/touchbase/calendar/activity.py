"""Activity: the user's audit log, newest first, filtered by event, contact or who made the
change, with the current title of each event and the name of each contact it names (so the
page can say "You moved Intro call with Dana", not an id)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.services import CalendarServices
from touchbase.store import events as event_store
from touchbase.store.models import AuditEntry, Contact, Event

# Who made a change: the user (from the pages or the API), Google (a sync), or touchbase.
Who = Literal["you", "google", "touchbase"]
SOURCES: dict[Who, tuple[str, ...]] = {
    "you": ("ui", "api"),
    "google": ("sync",),
    "touchbase": ("system",),
}


@dataclass(frozen=True)
class Activity:
    entries: list[AuditEntry]
    event_titles: dict[str, str]
    contact_names: dict[str, str]
    event_contacts: dict[str, str]  # event id -> the contact it names


async def activity(
    services: CalendarServices,
    user_id: str,
    *,
    event_id: str | None = None,
    contact_id: str | None = None,
    who: Who | None = None,
) -> Activity:
    """The user's activity, newest first, as filtered."""
    async with services.db.read() as session:
        entries = await event_store.audit_entries(
            session,
            user_id,
            event_id=event_id,
            contact_id=contact_id,
            sources=SOURCES[who] if who else None,
        )
        event_ids = {e.event_id for e in entries if e.event_id}
        contact_ids = {e.contact_id for e in entries if e.contact_id}
        titles = await _titles(session, user_id, event_ids)
        contact_ids |= set(titles.contacts.values())
        names = await _names(session, user_id, contact_ids)
    return Activity(entries, titles.titles, names, titles.contacts)


@dataclass(frozen=True)
class _Titles:
    titles: dict[str, str]
    contacts: dict[str, str]  # event id -> the contact it names


async def _titles(session: AsyncSession, user_id: str, ids: set[str]) -> _Titles:
    if not ids:
        return _Titles({}, {})
    query = select(Event.id, Event.local, Event.contact_id).where(
        Event.user_id == user_id, Event.id.in_(ids)
    )
    rows = (await session.execute(query)).all()
    return _Titles(
        {i: str(local.get("title") or "") for i, local, _ in rows},
        {i: c for i, _, c in rows if c},
    )


async def _names(session: AsyncSession, user_id: str, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    query = select(Contact.id, Contact.name).where(Contact.user_id == user_id, Contact.id.in_(ids))
    return dict((await session.execute(query)).all())
