"""/api/contacts/{id}/interactions: what happened with a contact, logged by hand."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse, Response
from pydantic import ConfigDict, Field

from touchbase.crm import interactions
from touchbase.domain.contacts import MAX_NOTES
from touchbase.errors import InvalidInteractionError
from touchbase.web.crm_views import interaction_view
from touchbase.web.deps import MutatingActor, Services
from touchbase.web.errors import invalid_input_as
from touchbase.web.schemas import IsoInstant, RequestBody

router = APIRouter(prefix="/api/contacts", route_class=invalid_input_as(InvalidInteractionError))


class InteractionCreate(RequestBody):
    """POST /api/contacts/{id}/interactions: what happened, after a meeting or on its own."""

    model_config = ConfigDict(extra="forbid")
    outcome: Literal["held", "no_show", "rescheduled", "note"]
    notes: str = Field(default="", max_length=MAX_NOTES)
    eventId: str | None = Field(default=None, max_length=200)
    occurredAt: IsoInstant | None = None


@router.post("/{contact_id}/interactions", status_code=201)
async def log(
    services: Services,
    actor: MutatingActor,
    contact_id: str,
    body: InteractionCreate,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=200)] = None,
) -> JSONResponse:
    """Log notes and an outcome against the contact (`eventId`: the meeting they are about;
    a replay with the same Idempotency-Key answers what was logged, and logs nothing more)."""
    logged = interactions.Logged(
        contact_id, body.outcome, body.notes, body.eventId, body.occurredAt
    )
    made = await interactions.log_interaction(
        services, actor, logged, idempotency_key=idempotency_key
    )
    return JSONResponse(interaction_view(made), status_code=201)


@router.delete("/{contact_id}/interactions/{interaction_id}", status_code=204)
async def unlog(
    services: Services, actor: MutatingActor, contact_id: str, interaction_id: str
) -> Response:
    """Remove an interaction logged by mistake."""
    await interactions.delete_interaction(services, actor, contact_id, interaction_id)
    return Response(status_code=204)
