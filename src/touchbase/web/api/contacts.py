"""/api/contacts: the CRM contacts events link to (searched by name from the event form)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from touchbase.domain.sanitize import clean_line
from touchbase.domain.validation import MAX_EMAIL, is_valid_email
from touchbase.errors import EventNotFoundError, InvalidEventError
from touchbase.store import contacts
from touchbase.store.models import Contact
from touchbase.web.deps import CurrentActor, MutatingActor, Services

router = APIRouter(prefix="/api/contacts")


class ContactCreate(BaseModel):
    """POST /api/contacts."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=MAX_EMAIL)


def contact_view(contact: Contact) -> dict[str, Any]:
    """A contact as the API shows it."""
    return {"id": contact.id, "name": contact.name, "email": contact.email}


@router.get("")
async def search(
    services: Services, actor: CurrentActor, q: Annotated[str, Query(max_length=200)] = ""
) -> JSONResponse:
    """The user's contacts matching `q` (name or email), at most 20."""
    async with services.db.session() as session:
        found = await contacts.search_contacts(session, actor.user_id, q)
        return JSONResponse({"items": [contact_view(c) for c in found]})


@router.post("", status_code=201)
async def create(services: Services, actor: MutatingActor, body: ContactCreate) -> JSONResponse:
    """Add a contact."""
    name = clean_line(body.name)
    if not name:
        raise InvalidEventError("A name is required.", field="name")
    email = clean_line(body.email).lower() if body.email else None
    if email is not None and not is_valid_email(email):
        raise InvalidEventError("Give a valid email address.", field="email")
    async with services.db.session() as session:
        contact = await contacts.create_contact(
            session, actor.user_id, name=name, email=email, now=services.clock()
        )
        return JSONResponse(contact_view(contact), status_code=201)


@router.get("/{contact_id}")
async def get(services: Services, actor: CurrentActor, contact_id: str) -> JSONResponse:
    """One contact."""
    async with services.db.session() as session:
        contact = await contacts.get_contact(session, actor.user_id, contact_id)
        if contact is None:
            raise EventNotFoundError("No such contact.")
        return JSONResponse(contact_view(contact))
