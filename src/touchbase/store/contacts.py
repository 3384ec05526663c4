"""CRM contacts: the people events and touchpoints are about; every query scoped to a user."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.domain.contacts import Cadence, ContactFields, cadence_from
from touchbase.store.accounts import new_id, new_ids
from touchbase.store.models import Contact, ContactEmail

SEARCH_LIMIT = 20
ContactOrder = Literal["name", "created"]


def email_taken(error: IntegrityError) -> bool:
    """Whether the database refused a write because one of its emails is another contact's
    already (`contact_emails`' key), rather than for any other reason."""
    refusal = error.orig
    constraint = getattr(getattr(refusal, "diag", None), "constraint_name", None)  # PostgreSQL
    return constraint == "pk_contact_emails" or str(refusal).startswith(
        "UNIQUE constraint failed: contact_emails."  # SQLite
    )


def _columns(fields: ContactFields) -> dict[str, Any]:
    """A contact's details as its columns."""
    return {
        "name": fields.name,
        "emails": list(fields.emails),
        "company": fields.company,
        "title": fields.title,
        "phone": fields.phone,
        "time_zone": fields.time_zone,
        "notes": fields.notes,
        "cadence_every": fields.cadence.every if fields.cadence else None,
        "cadence_unit": fields.cadence.unit if fields.cadence else None,
    }


def _fill(contact: Contact, fields: ContactFields) -> None:
    for column, value in _columns(fields).items():
        setattr(contact, column, value)


async def emails_of_others(
    session: AsyncSession, user_id: str, emails: tuple[str, ...], *, other_than: str | None
) -> dict[str, str]:
    """{email: contact id} of these addresses that another of the user's contacts has."""
    if not emails:
        return {}
    found = await session.execute(
        select(ContactEmail.email, ContactEmail.contact_id).where(
            ContactEmail.user_id == user_id, ContactEmail.email.in_(emails)
        )
    )
    return {email: owner for email, owner in found if owner != other_than}


async def named(session: AsyncSession, user_id: str, names: tuple[str, ...]) -> dict[str, str]:
    """{name: contact id} of the user's contacts (archived ones too) with one of these names."""
    if not names:
        return {}
    found = await session.execute(
        select(Contact.name, Contact.id).where(Contact.user_id == user_id, Contact.name.in_(names))
    )
    return {str(name): str(contact_id) for name, contact_id in found.all()}


async def create_contact(
    session: AsyncSession, user_id: str, fields: ContactFields, *, now: datetime
) -> Contact:
    """A new contact of `user_id` (its emails checked free by the caller)."""
    contact = Contact(id=new_id(), user_id=user_id, version=1, created_at=now, updated_at=now)
    _fill(contact, fields)
    session.add(contact)
    await session.flush()
    session.add_all(
        ContactEmail(user_id=user_id, email=email, contact_id=contact.id)
        for email in contact.emails
    )
    await session.flush()
    return contact


async def update_contact(
    session: AsyncSession, contact: Contact, fields: ContactFields, *, now: datetime
) -> None:
    """Write new details over a contact (its emails checked free by the caller)."""
    _fill(contact, fields)
    contact.version += 1
    contact.updated_at = now
    await _index_emails(session, contact)


async def _index_emails(session: AsyncSession, contact: Contact) -> None:
    await session.execute(delete(ContactEmail).where(ContactEmail.contact_id == contact.id))
    session.add_all(
        ContactEmail(user_id=contact.user_id, email=email, contact_id=contact.id)
        for email in contact.emails
    )
    await session.flush()


async def search_contacts(
    session: AsyncSession,
    user_id: str,
    query: str,
    *,
    archived: bool = False,
    order: ContactOrder = "name",
    limit: int = SEARCH_LIMIT,
    offset: int = 0,
) -> list[Contact]:
    """The user's contacts (live, or archived) whose name, company or one of whose emails
    contains `query` (any case)."""
    ordering = (
        (func.lower(Contact.name), Contact.id)
        if order == "name"
        else (Contact.created_at.desc(), Contact.id)
    )
    statement = _matching(select(Contact), user_id, query, archived=archived)
    found = await session.scalars(statement.order_by(*ordering).limit(limit).offset(offset))
    return list(found)


async def search_contact_ids(
    session: AsyncSession, user_id: str, query: str, *, archived: bool, limit: int
) -> list[str]:
    """The ids of `search_contacts`' contacts, by name: no contact read whole."""
    statement = _matching(select(Contact.id), user_id, query, archived=archived)
    found = await session.scalars(
        statement.order_by(func.lower(Contact.name), Contact.id).limit(limit)
    )
    return list(found)


def _matching(statement: Any, user_id: str, query: str, *, archived: bool) -> Any:
    """`statement` (of contacts) narrowed to the user's contacts `search_contacts` finds."""
    statement = statement.where(
        Contact.user_id == user_id,
        Contact.archived_at.is_not(None) if archived else Contact.archived_at.is_(None),
    )
    needle = query.strip().lower()
    if not needle:
        return statement
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    by_email = select(ContactEmail.contact_id).where(
        ContactEmail.user_id == user_id, ContactEmail.email.like(pattern, escape="\\")
    )
    return statement.where(
        func.lower(Contact.name).like(pattern, escape="\\")
        | func.lower(Contact.company).like(pattern, escape="\\")
        | Contact.id.in_(by_email)
    )


async def contacts_by_id(session: AsyncSession, user_id: str, ids: list[str]) -> list[Contact]:
    """These contacts of the user's, in the order of `ids` (another user's are left out)."""
    found = await session.scalars(
        select(Contact).where(Contact.user_id == user_id, Contact.id.in_(ids))
    )
    by_id = {contact.id: contact for contact in found}
    return [by_id[i] for i in ids if i in by_id]


async def live_cadences(session: AsyncSession, user_id: str) -> dict[str, Cadence]:
    """{contact id: cadence} of the user's contacts that have a cadence and are not
    archived. Columns only: a user may have tens of thousands."""
    found = await session.execute(
        select(Contact.id, Contact.cadence_every, Contact.cadence_unit).where(
            Contact.user_id == user_id,
            Contact.archived_at.is_(None),
            Contact.cadence_every.is_not(None),
        )
    )
    return {
        contact_id: cadence
        for contact_id, every, unit in found
        if (cadence := cadence_from(every, unit)) is not None
    }


async def get_contact(
    session: AsyncSession, user_id: str, contact_id: str, *, for_update: bool = False
) -> Contact | None:
    """One of the user's contacts (archived ones too)."""
    statement = select(Contact).where(Contact.user_id == user_id, Contact.id == contact_id)
    found = await session.scalars(statement.with_for_update() if for_update else statement)
    return found.first()


async def by_idempotency_key(session: AsyncSession, user_id: str, key: str) -> Contact | None:
    """The contact a request with this Idempotency-Key added."""
    found = await session.scalars(
        select(Contact).where(Contact.user_id == user_id, Contact.idempotency_key == key)
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


async def insert_contacts(
    session: AsyncSession, user_id: str, many: Sequence[ContactFields], *, now: datetime
) -> list[str]:
    """New contacts of `user_id` at once, as rows with no objects kept (an import's thousands:
    flushing them as objects, the ORM's unit of work took most of the time); their emails
    checked free by the caller. Those with a cadence owe its touchpoint from `now`. Returns
    their ids, in order."""
    ids = new_ids(len(many))
    await session.execute(
        insert(Contact),
        [
            {
                "id": contact_id,
                "user_id": user_id,
                **_columns(fields),
                "cadence_owed_at": now if fields.cadence else None,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for contact_id, fields in zip(ids, many, strict=True)
        ],
    )
    emails = [
        {"user_id": user_id, "email": email, "contact_id": contact_id}
        for contact_id, fields in zip(ids, many, strict=True)
        for email in fields.emails
    ]
    if emails:
        await session.execute(insert(ContactEmail), emails)
    return ids


async def owed_cadences(
    session: AsyncSession, user_id: str, *, limit: int, wait: bool = False
) -> list[Contact]:
    """Up to `limit` of the user's contacts whose cadence owes a touchpoint, oldest debt first,
    locked. On PostgreSQL those another transaction holds are left to it, or with `wait`,
    waited for: then those it followed meanwhile are not among them (fewer than `limit`, or
    none, while others still owe: see `owes_any`)."""
    found = await session.scalars(
        select(Contact)
        .where(Contact.user_id == user_id, Contact.cadence_owed_at.is_not(None))
        .order_by(Contact.cadence_owed_at, Contact.id)
        .limit(limit)
        .with_for_update(skip_locked=not wait)
    )
    return list(found)


async def owes_any(session: AsyncSession, user_id: str) -> bool:
    """Whether any of the user's contacts' cadences owes a touchpoint (held by another
    transaction or not)."""
    owing = select(Contact.id).where(
        Contact.user_id == user_id, Contact.cadence_owed_at.is_not(None)
    )
    return bool(await session.scalar(select(owing.exists())))
