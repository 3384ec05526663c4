"""/api/contacts: the people the user keeps in touch with (full CRUD; archive, not delete).
Their import and their interactions have modules of their own."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field, TypeAdapter, field_validator

from touchbase.crm import cadence, contact_list, contact_touchpoints
from touchbase.crm import timeline as contact_timeline
from touchbase.crm.contact_list import ListOrder
from touchbase.domain.contacts import (
    MAX_EMAILS,
    MAX_LINE,
    MAX_NAME,
    MAX_NOTES,
    MAX_PHONE,
    CadenceUnit,
    ContactFields,
)
from touchbase.domain.contacts import Cadence as CadenceFields
from touchbase.domain.validation import MAX_EMAIL
from touchbase.errors import InvalidContactError
from touchbase.web.crm_views import summary_view, timeline_view
from touchbase.web.deps import CurrentActor, MutatingActor, Services
from touchbase.web.errors import invalid_input_as
from touchbase.web.schemas import IsoDate, IsoInstant, RequestBody
from touchbase.web.views import FastJSONResponse, contact_view

router = APIRouter(prefix="/api/contacts", route_class=invalid_input_as(InvalidContactError))
MAX_PAGE = 200
Email = Annotated[str, Field(max_length=MAX_EMAIL)]


class Cadence(RequestBody):
    """Keep in touch every `every` days, weeks or months."""

    model_config = ConfigDict(extra="forbid")
    every: int = Field(ge=1, le=3650)
    unit: CadenceUnit


class ContactCreate(RequestBody):
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


class ContactPatch(RequestBody):
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
    nextTouchpointDate: datetime | date | None = Field(
        default=None,
        description="The day (YYYY-MM-DD: its first free slot) or time (with its offset) of "
        "the contact's next touchpoint: the planned one moves there, or one is planned, with "
        "its event; null deletes the planned one and its event.",
    )

    @field_validator("nextTouchpointDate", mode="before")
    @classmethod
    def _day_or_time(cls, value: object) -> object:
        """A bare date is a day (not midnight); a time must say its offset."""
        if value is None:
            return None
        if isinstance(value, str) and len(value) == len("YYYY-MM-DD"):
            return TypeAdapter(IsoDate).validate_python(value)
        return TypeAdapter(IsoInstant).validate_python(value)


# API names of a contact's fields -> ContactFields' names.
_FIELDS = {"timeZone": "time_zone"}


def _changes(body: ContactPatch) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in body.model_fields_set - {"archived", "nextTouchpointDate"}:
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
    sort: ListOrder = "name",
    archived: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> JSONResponse:
    """The user's contacts whose name, company or an email contains `q` (archived ones with
    `archived=true`), by name, newest first, next touchpoint soonest first, or longest out of
    touch first; each with `lastContacted` and `nextTouchpoint`."""
    found = await contact_list.list_contacts(
        services, actor.user_id, q, archived=archived, order=sort, limit=limit, offset=offset
    )
    now = services.clock()
    return JSONResponse({"items": [summary_view(c, now) for c in found]})


@router.post("", status_code=201)
async def create(
    services: Services,
    actor: MutatingActor,
    body: ContactCreate,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=200)] = None,
) -> JSONResponse:
    """Add a contact (with a cadence, its first touchpoint is planned; a replay with the same
    Idempotency-Key answers the contact added, and adds nothing more)."""
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
    contact = await cadence.add_contact(services, actor, fields, idempotency_key=idempotency_key)
    found = await contact_list.get_summary(services, actor.user_id, contact.id)
    return JSONResponse(summary_view(found, services.clock()), status_code=201)


@router.get("/{contact_id}")
async def get(services: Services, actor: CurrentActor, contact_id: str) -> JSONResponse:
    """One contact, with `lastContacted` and `nextTouchpoint`."""
    found = await contact_list.get_summary(services, actor.user_id, contact_id)
    return JSONResponse(summary_view(found, services.clock()))


@router.patch("/{contact_id}")
async def update(
    services: Services,
    actor: MutatingActor,
    contact_id: str,
    body: ContactPatch,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """Change a contact's details, archive it or bring it back, set its next touchpoint
    (If-Match: its etag, to be refused with 412 if it changed meanwhile)."""
    if "nextTouchpointDate" in body.model_fields_set:
        await contact_touchpoints.set_next_touchpoint(
            services,
            actor,
            contact_id,
            _changes(body),
            archived=body.archived,
            if_match=if_match,
            next_touchpoint=body.nextTouchpointDate,
        )
    else:
        await cadence.change_contact(
            services, actor, contact_id, _changes(body), archived=body.archived, if_match=if_match
        )
    found = await contact_list.get_summary(services, actor.user_id, contact_id)
    return JSONResponse(summary_view(found, services.clock()))


@router.delete("/{contact_id}")
async def archive(
    services: Services,
    actor: MutatingActor,
    contact_id: str,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """Archive a contact: out of lists and searches, its meetings and history kept; PATCH
    `archived: false` brings it back."""
    contact = await cadence.change_contact(
        services, actor, contact_id, {}, archived=True, if_match=if_match
    )
    return JSONResponse(contact_view(contact))


@router.get("/{contact_id}/timeline")
async def timeline(services: Services, actor: CurrentActor, contact_id: str) -> JSONResponse:
    """Meetings with this contact (found by their emails among the guests, or linked), to
    come and past, with what was logged, and when the user was last in touch."""
    found = await contact_timeline.get_timeline(services, actor.user_id, contact_id)
    return FastJSONResponse(timeline_view(found))
