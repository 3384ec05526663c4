"""/api/contacts/export: the user's contacts as a file, CSV or vCard (the import reads both)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import Response

from touchbase.crm import contact_list
from touchbase.domain.contact_export import to_csv, to_vcard
from touchbase.domain.contact_import import ImportFormat
from touchbase.errors import InvalidContactError
from touchbase.web.deps import CurrentActor, Services
from touchbase.web.errors import invalid_input_as

router = APIRouter(prefix="/api/contacts", route_class=invalid_input_as(InvalidContactError))
_FILES = {
    "csv": (to_csv, "text/csv; charset=utf-8", "csv"),
    "vcard": (to_vcard, "text/vcard; charset=utf-8", "vcf"),
}


@router.get("/export", response_class=Response)
async def export(
    services: Services, actor: CurrentActor, format: ImportFormat = "csv", archived: bool = False
) -> Response:
    """Every one of the user's contacts (the archived ones with `archived=true`), by name, as
    a file to download: CSV (name, emails, company, title, phone, time zone, cadence, notes,
    last contacted, next touchpoint; a cell a spreadsheet would run as a formula starts with
    "'") or vCard 3.0 (the cadence as X-TOUCHBASE-CADENCE). Importing it again reads every
    detail back."""
    contacts = await contact_list.exported(services, actor.user_id, archived=archived)
    write, media_type, extension = _FILES[format]
    text = await asyncio.to_thread(write, contacts)  # thousands of rows: off the loop
    name = f"touchbase-{'archived-' if archived else ''}contacts.{extension}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(text, media_type=media_type, headers=headers)
