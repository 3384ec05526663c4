"""CRM contacts: the people events and touchpoints are about."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.store.accounts import new_id
from touchbase.store.models import Contact

SEARCH_LIMIT = 20


async def create_contact(
    session: AsyncSession, user_id: str, *, name: str, email: str | None, now: datetime
) -> Contact:
    """A new contact of `user_id`."""
    contact = Contact(id=new_id(), user_id=user_id, name=name, email=email, created_at=now)
    session.add(contact)
    await session.flush()
    return contact


async def search_contacts(session: AsyncSession, user_id: str, query: str) -> list[Contact]:
    """The user's contacts whose name or email contains `query` (any case), by name."""
    statement = select(Contact).where(Contact.user_id == user_id)
    needle = query.strip().lower()
    if needle:
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            func.lower(Contact.name).like(pattern, escape="\\")
            | func.lower(func.coalesce(Contact.email, "")).like(pattern, escape="\\")
        )
    found = await session.scalars(statement.order_by(Contact.name).limit(SEARCH_LIMIT))
    return list(found)


async def get_contact(session: AsyncSession, user_id: str, contact_id: str) -> Contact | None:
    """One of the user's contacts."""
    found = await session.scalars(
        select(Contact).where(Contact.user_id == user_id, Contact.id == contact_id)
    )
    return found.first()


async def owned_ids(session: AsyncSession, user_id: str, contact_ids: set[str]) -> set[str]:
    """Those of `contact_ids` that are the user's contacts."""
    if not contact_ids:
        return set()
    found = await session.scalars(
        select(Contact.id).where(Contact.user_id == user_id, Contact.id.in_(contact_ids))
    )
    return set(found)
