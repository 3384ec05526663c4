"""Contacts: the people events and touchpoints are about, each private to its user. Every
change is one transaction with its audit entry; every problem names its field."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.actors import Actor, audit
from touchbase.domain.contacts import (
    ContactFields,
    ContactValidationError,
    cleaned,
    validate_contact,
)
from touchbase.errors import ContactChangedError, ContactNotFoundError, InvalidContactError
from touchbase.store import contacts as contact_store
from touchbase.store import events as event_store
from touchbase.store.models import Contact


def contact_etag(contact: Contact) -> str:
    """The etag a client sends back as If-Match: the contact's version."""
    return f'"c{contact.version}"'


def fields_of(contact: Contact) -> ContactFields:
    """A stored contact's details."""
    cadence = (
        {"every": contact.cadence_every, "unit": contact.cadence_unit}
        if contact.cadence_every and contact.cadence_unit
        else None
    )
    raw = {
        "name": contact.name,
        "emails": contact.emails,
        "company": contact.company,
        "title": contact.title,
        "phone": contact.phone,
        "time_zone": contact.time_zone,
        "notes": contact.notes,
        "cadence": cadence,
    }
    return msgspec.convert(raw, ContactFields)


def checked(fields: ContactFields) -> ContactFields:
    """The details, cleaned, or InvalidContactError naming every bad field."""
    fields = cleaned(fields)
    try:
        validate_contact(fields)
    except ContactValidationError as exc:
        first = exc.problems[0]
        raise InvalidContactError(
            f"{first.field}: {first.message}",
            field=first.field,
            details={"problems": [{"field": p.field, "message": p.message} for p in exc.problems]},
        ) from exc
    return fields


async def create_in(
    session: AsyncSession, actor: Actor, fields: ContactFields, *, now: datetime
) -> Contact:
    """A new contact in the caller's transaction, or InvalidContactError naming the field."""
    fields = checked(fields)
    await _emails_free(session, actor.user_id, fields, other_than=None)
    contact = await contact_store.create_contact(session, actor.user_id, fields, now=now)
    await audit_created(session, actor, contact, fields, now=now)
    return contact


async def audit_created(
    session: AsyncSession,
    actor: Actor,
    contact: Contact,
    fields: ContactFields,
    *,
    now: datetime,
) -> None:
    """The audit entry of a new contact."""
    changes = contact_changes(None, fields)
    audit(
        session,
        actor,
        None,
        contact_id=contact.id,
        action="contact_create",
        now=now,
        changes=changes,
    )


async def audit_imported(
    session: AsyncSession,
    actor: Actor,
    made: Iterable[tuple[str, ContactFields]],
    *,
    now: datetime,
) -> None:
    """The audit entries of contacts an import made ((id, details) of each), written at once."""
    await event_store.record_audits(
        session,
        [
            {
                "user_id": actor.user_id,
                "event_id": None,
                "contact_id": contact_id,
                "action": "contact_create",
                "source": actor.source,
                "actor": actor.email,
                "at": now,
                "changes": {**contact_changes(None, fields), "source": "import"},
            }
            for contact_id, fields in made
        ],
    )


def taken_error() -> InvalidContactError:
    """An email given to another contact at the same moment (the unique index refused it)."""
    return _taken_error("emails")


@contextmanager
def emails_kept_unique(error: Callable[[], Exception] = taken_error) -> Iterator[None]:
    """Around a transaction writing contacts: the database refusing an email that another
    contact was given at the same moment becomes `error()`; any other refusal stays what it
    is (a bug to see, not a person's mistake)."""
    try:
        yield
    except IntegrityError as refused:
        if not contact_store.email_taken(refused):
            raise
        raise error() from None


async def owned_contact(session: AsyncSession, user_id: str, contact_id: str) -> Contact:
    """One of the user's contacts, in a transaction of the caller's (404 for anyone else's)."""
    contact = await contact_store.get_contact(session, user_id, contact_id)
    if contact is None:
        raise ContactNotFoundError()
    return contact


async def locked_contact(session: AsyncSession, user_id: str, contact_id: str) -> Contact:
    """One of the user's contacts, locked for a change in the caller's transaction (404 for
    anyone else's)."""
    contact = await contact_store.get_contact(session, user_id, contact_id, for_update=True)
    if contact is None:
        raise ContactNotFoundError()
    return contact


async def change_in(
    session: AsyncSession,
    actor: Actor,
    contact: Contact,
    changes: dict[str, Any],
    *,
    archived: bool | None,
    if_match: str | None,
    now: datetime,
) -> None:
    """Change some details of a contact the caller locked (`changes`: ContactFields' names),
    archive it or bring it back, in the caller's transaction; 412 when `if_match` names an
    older version."""
    if if_match is not None and if_match != contact_etag(contact):
        raise ContactChangedError(details={"etag": contact_etag(contact)})
    before = fields_of(contact)
    after = _unnamed_kept(before, checked(msgspec.structs.replace(before, **changes)), changes)
    await _emails_free(session, actor.user_id, after, other_than=contact.id)
    audited = contact_changes(before, after)
    action = "contact_update"
    if archived is not None and archived != (contact.archived_at is not None):
        contact.archived_at = now if archived else None
        audited["archived"] = {"before": not archived, "after": archived}
        action = "contact_archive" if archived else "contact_restore"
    if not audited:
        return
    await contact_store.update_contact(session, contact, after, now=now)
    audit(session, actor, None, contact_id=contact.id, action=action, now=now, changes=audited)


def _unnamed_kept(
    before: ContactFields, after: ContactFields, changes: dict[str, Any]
) -> ContactFields:
    """`after` with the fields an edit did not change (not named, or sent back as stored, as
    a form sends every field) as stored: cleaning them anew would change what the user did
    not touch (a zone stored as IANA's legacy "EST" read as New York's)."""
    stored = {name: getattr(before, name) for name in before.__struct_fields__}
    kept = {k: v for k, v in stored.items() if k not in changes or changes[k] == v}
    return msgspec.structs.replace(after, **kept)


async def _emails_free(
    session: AsyncSession, user_id: str, fields: ContactFields, *, other_than: str | None
) -> None:
    taken = await contact_store.emails_of_others(
        session, user_id, fields.emails, other_than=other_than
    )
    for n, email in enumerate(fields.emails):
        if email in taken:
            raise _taken_error(f"emails[{n}]", email, taken[email])


def _taken_error(field: str, email: str = "", owner: str = "") -> InvalidContactError:
    details = {"contactId": owner} if owner else {}
    return InvalidContactError(
        f"{email or 'An email'} is already another contact's email.", field=field, details=details
    )


def contact_changes(before: ContactFields | None, after: ContactFields) -> dict[str, Any]:
    """The audit entry's changes: {field: {before, after}} of the fields that differ."""
    old = msgspec.to_builtins(before) if before else {}
    new = msgspec.to_builtins(after)
    return {
        key: {"before": old.get(key), "after": value}
        for key, value in new.items()
        if old.get(key) != value
    }
