"""/api/contacts: the CRM contacts events link to (searched by name from the event form)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from touchbase.crm import contacts
from touchbase.domain.validation import MAX_EMAIL
from touchbase.web.deps import CurrentActor, MutatingActor, Services
from touchbase.web.views import contact_view

router = APIRouter(prefix="/api/contacts")


class ContactCreate(BaseModel):
    """POST /api/contacts."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=MAX_EMAIL)


@router.get("")
async def search(
    services: Services, actor: CurrentActor, q: Annotated[str, Query(max_length=200)] = ""
) -> JSONResponse:
    """The user's contacts matching `q` (name or email), at most 20."""
    found = await contacts.search_contacts(services, actor.user_id, q)
    return JSONResponse({"items": [contact_view(c) for c in found]})


@router.post("", status_code=201)
async def create(services: Services, actor: MutatingActor, body: ContactCreate) -> JSONResponse:
    """Add a contact."""
    contact = await contacts.create_contact(
        services, actor.user_id, name=body.name, email=body.email
    )
    return JSONResponse(contact_view(contact), status_code=201)


@router.get("/{contact_id}")
async def get(services: Services, actor: CurrentActor, contact_id: str) -> JSONResponse:
    """One contact."""
    contact = await contacts.get_contact(services, actor.user_id, contact_id)
    return JSONResponse(contact_view(contact))
