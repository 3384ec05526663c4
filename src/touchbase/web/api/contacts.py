"""/api/contacts: the people the user keeps in touch with (full CRUD; archive, not delete)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from touchbase.crm import contacts
from touchbase.domain.contacts import (
    MAX_EMAILS,
    MAX_LINE,
    MAX_NAME,
    MAX_NOTES,
    MAX_PHONE,
    ContactFields,
)
from touchbase.domain.contacts import Cadence as CadenceFields
from touchbase.domain.validation import MAX_EMAIL
from touchbase.web.deps import CurrentActor, MutatingActor, Services
from touchbase.web.views import contact_view

router = APIRouter(prefix="/api/contacts")
MAX_PAGE = 200
Email = Annotated[str, Field(max_length=MAX_EMAIL)]


class Cadence(BaseModel):
    """Keep in touch every `every` days, weeks or months."""

    model_config = ConfigDict(extra="forbid")
    every: int = Field(ge=1, le=3650)
    unit: Literal["day", "week", "month"]


class ContactCreate(BaseModel):
    """POST /api/contacts."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=MAX_NAME)
    emails: list[Email] = Field(default=[], max_length=MAX_EMAILS)
    company: str = Field(default="", max_length=MAX_LINE)
    title: str = Field(default="", max_length=MAX_LINE)
    phone: str = Field(default="", max_length=MAX_PHONE)
    timeZone: str | None = Field(default=None, max_length=64)
    notes: str = Field(default="", max_length=MAX_NOTES)
    cadence: Cadence | None = None


class ContactPatch(BaseModel):
    """PATCH /api/contacts/{id}: only the fields given change; `archived` archives the
    contact or brings it back."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=MAX_NAME)
    emails: list[Email] | None = Field(default=None, max_length=MAX_EMAILS)
    company: str | None = Field(default=None, max_length=MAX_LINE)
    title: str | None = Field(default=None, max_length=MAX_LINE)
    phone: str | None = Field(default=None, max_length=MAX_PHONE)
    timeZone: str | None = Field(default=None, max_length=64)
    notes: str | None = Field(default=None, max_length=MAX_NOTES)
    cadence: Cadence | None = None
    archived: bool | None = None


# API names of a contact's fields -> ContactFields' names.
_FIELDS = {"timeZone": "time_zone"}


def _changes(body: ContactPatch) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in body.model_fields_set - {"archived"}:
        value = getattr(body, name)
        if name == "cadence":
            value = CadenceFields(value.every, value.unit) if value else None
        elif name == "emails":
            value = tuple(value or ())
        elif value is None and name != "timeZone":
            continue  # null leaves a required or text field as it is
        changes[_FIELDS.get(name, name)] = value
    return changes


@router.get("")
async def search(
    services: Services,
    actor: CurrentActor,
    *,
    q: Annotated[str, Query(max_length=200)] = "",
    sort: Literal["name", "created"] = "name",
    archived: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> JSONResponse:
    """The user's contacts whose name, company or an email contains `q` (archived ones with
    `archived=true`), by name or newest first."""
    found = await contacts.search_contacts(
        services, actor.user_id, q, archived=archived, order=sort, limit=limit, offset=offset
    )
    return JSONResponse({"items": [contact_view(c) for c in found]})


@router.post("", status_code=201)
async def create(services: Services, actor: MutatingActor, body: ContactCreate) -> JSONResponse:
    """Add a contact."""
    fields = ContactFields(
        name=body.name,
        emails=tuple(body.emails),
        company=body.company,
        title=body.title,
        phone=body.phone,
        time_zone=body.timeZone,
        notes=body.notes,
        cadence=CadenceFields(body.cadence.every, body.cadence.unit) if body.cadence else None,
    )
    contact = await contacts.create_contact(services, actor, fields)
    return JSONResponse(contact_view(contact), status_code=201)


@router.get("/{contact_id}")
async def get(services: Services, actor: CurrentActor, contact_id: str) -> JSONResponse:
    """One contact."""
    contact = await contacts.get_contact(services, actor.user_id, contact_id)
    return JSONResponse(contact_view(contact))


@router.patch("/{contact_id}")
async def update(
    services: Services,
    actor: MutatingActor,
    contact_id: str,
    body: ContactPatch,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """Change a contact's details, archive it or bring it back (If-Match: its etag, to be
    refused with 412 if it changed meanwhile)."""
    contact = await contacts.update_contact(
        services, actor, contact_id, _changes(body), archived=body.archived, if_match=if_match
    )
    return JSONResponse(contact_view(contact))


@router.delete("/{contact_id}")
async def archive(
    services: Services,
    actor: MutatingActor,
    contact_id: str,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """Archive a contact: out of lists and searches, its meetings and history kept; PATCH
    `archived: false` brings it back."""
    contact = await contacts.update_contact(
        services, actor, contact_id, {}, archived=True, if_match=if_match
    )
    return JSONResponse(contact_view(contact))
