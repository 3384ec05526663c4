"""/api/contacts/import: contacts from a CSV or vCard file, previewed or imported."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field

from touchbase.crm import contact_import
from touchbase.domain.contact_import import MAX_IMPORT_CHARS, ImportFormat
from touchbase.errors import InvalidImportError
from touchbase.web.crm_views import import_view
from touchbase.web.deps import MutatingActor, Services
from touchbase.web.errors import invalid_input_as
from touchbase.web.schemas import RequestBody
from touchbase.web.views import FastJSONResponse

router = APIRouter(prefix="/api/contacts", route_class=invalid_input_as(InvalidImportError))


class ContactImport(RequestBody):
    """POST /api/contacts/import: a file's text and its format."""

    model_config = ConfigDict(extra="forbid")
    format: ImportFormat
    content: str = Field(max_length=MAX_IMPORT_CHARS)
    dryRun: bool = False


@router.post("/import")
async def import_file(
    services: Services, actor: MutatingActor, body: ContactImport
) -> JSONResponse:
    """Import contacts from a CSV (a header row naming the columns: name or first/last name,
    email, company, title, phone, time zone, notes, cadence) or vCard file. `dryRun: true`
    previews: each record is `new`, `exists` (skipped: one of its emails is a contact's, or
    it has none and a contact has its name) or `invalid` (its problems named). Otherwise
    every new contact is added in one transaction, or, if any record is invalid, none (422
    listing them in `details.rows`); the cadences' first touchpoints are planned before the
    answer."""
    if body.dryRun:
        preview = await contact_import.preview_import(
            services, actor.user_id, body.format, body.content
        )
        return FastJSONResponse(import_view(preview))
    done = await contact_import.import_contacts(services, actor, body.format, body.content)
    return FastJSONResponse(import_view(done), status_code=201)
