"""Contacts: the people events and touchpoints are about, each private to its user."""

from __future__ import annotations

from touchbase.calendar.services import CalendarServices
from touchbase.domain.sanitize import clean_line
from touchbase.domain.validation import is_valid_email
from touchbase.errors import EventNotFoundError, InvalidEventError
from touchbase.store import contacts as contact_store
from touchbase.store.models import Contact


async def search_contacts(services: CalendarServices, user_id: str, query: str) -> list[Contact]:
    """The user's contacts whose name or email contains `query`, by name (at most 20)."""
    async with services.db.session() as session:
        return await contact_store.search_contacts(session, user_id, query)


async def create_contact(
    services: CalendarServices, user_id: str, *, name: str, email: str | None
) -> Contact:
    """A new contact (name required, email checked), or InvalidEventError naming the field."""
    name = clean_line(name)
    if not name:
        raise InvalidEventError("A name is required.", field="name")
    address = clean_line(email).lower() if email else None
    if address is not None and not is_valid_email(address):
        raise InvalidEventError("Give a valid email address.", field="email")
    async with services.db.session() as session:
        return await contact_store.create_contact(
            session, user_id, name=name, email=address, now=services.clock()
        )


async def get_contact(services: CalendarServices, user_id: str, contact_id: str) -> Contact:
    """One of the user's contacts (404 for anyone else's)."""
    async with services.db.session() as session:
        contact = await contact_store.get_contact(session, user_id, contact_id)
    if contact is None:
        raise EventNotFoundError("No such contact.")
    return contact
