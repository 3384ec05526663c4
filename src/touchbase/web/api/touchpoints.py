"""/api/touchpoints: planned contacts with people, each with its calendar event; the Due view."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, Response
from pydantic import ConfigDict, Field

from touchbase.crm import touchpoint_changes, touchpoint_lists, touchpoint_requests, touchpoints
from touchbase.crm.touchpoint_changes import TouchpointChange
from touchbase.crm.touchpoints import TouchpointPlan
from touchbase.domain.touchpoints import DEFAULT_MINUTES, MAX_MESSAGE, MAX_MINUTES, MIN_MINUTES
from touchbase.domain.validation import is_valid_time_zone
from touchbase.errors import InvalidTouchpointError
from touchbase.web.crm_views import due_view, touchpoint_view
from touchbase.web.deps import CurrentActor, MutatingActor, Services
from touchbase.web.errors import invalid_input_as
from touchbase.web.schemas import IsoDate, IsoInstant, RequestBody

router = APIRouter(prefix="/api/touchpoints", route_class=invalid_input_as(InvalidTouchpointError))
MAX_BATCH = 1_000
Status = Literal["planned", "done", "skipped", "missed"]


class TouchpointCreate(RequestBody):
    """POST /api/touchpoints: a day (its event goes to the first free slot of the working
    hours) or a time."""

    model_config = ConfigDict(extra="forbid")
    contactId: str = Field(max_length=64)
    dueDate: IsoDate | None = None
    dueAt: IsoInstant | None = None
    durationMinutes: int = Field(default=DEFAULT_MINUTES, ge=MIN_MINUTES, le=MAX_MINUTES)
    message: str = Field(default="", max_length=MAX_MESSAGE)

    def plan(self) -> TouchpointPlan:
        return TouchpointPlan(
            self.contactId, self.dueDate, self.dueAt, self.durationMinutes, self.message
        )


class TouchpointBatch(RequestBody):
    """POST /api/touchpoints/batch: many at once, all or none."""

    model_config = ConfigDict(extra="forbid")
    items: list[TouchpointCreate] = Field(min_length=1, max_length=MAX_BATCH)


class TouchpointPatch(RequestBody):
    """PATCH /api/touchpoints/{id}: mark it done, skipped or missed, reschedule it (its event
    moves), or change its message or length."""

    model_config = ConfigDict(extra="forbid")
    status: Status | None = None
    dueDate: IsoDate | None = None
    dueAt: IsoInstant | None = None
    durationMinutes: int | None = Field(default=None, ge=MIN_MINUTES, le=MAX_MINUTES)
    message: str | None = Field(default=None, max_length=MAX_MESSAGE)
    deleteEvent: bool = Field(
        default=False,
        description="Delete the touchpoint's event too, in the same change (the calendar's "
        "delete dialog: the event goes, the touchpoint is marked done, skipped or missed).",
    )


@router.get("")
async def search(
    services: Services,
    actor: CurrentActor,
    contactId: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[list[Status] | None, Query()] = None,
) -> JSONResponse:
    """The user's touchpoints (of one contact; in some states), by date."""
    found = await touchpoint_lists.list_touchpoints(
        services, actor.user_id, contact_id=contactId, statuses=list(status or [])
    )
    now = services.clock()
    return JSONResponse({"items": [touchpoint_view(s, now) for s in found]})


@router.get("/due")
async def due(
    services: Services,
    actor: CurrentActor,
    zone: Annotated[str | None, Query(max_length=64)] = None,
) -> JSONResponse:
    """The Due view: overdue, today, this week, and those that need a new date. Days are
    those of `zone` (an IANA time zone: the one the page shows), else of the user's time
    zone setting, else of their primary calendar."""
    if zone is not None and not is_valid_time_zone(zone):
        raise InvalidTouchpointError(f"Unknown time zone {zone!r}.", field="zone")
    found = await touchpoint_lists.due_touchpoints(services, actor.user_id, zone)
    return JSONResponse(due_view(found, services.clock()))


@router.post("", status_code=201)
async def plan(
    services: Services,
    actor: MutatingActor,
    body: TouchpointCreate,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=200)] = None,
) -> JSONResponse:
    """Plan a touchpoint: its calendar event is made with it, exactly once (a replay with the
    same Idempotency-Key answers the same touchpoint)."""
    made = await touchpoint_requests.plan_touchpoint(
        services, actor, body.plan(), idempotency_key=idempotency_key
    )
    return JSONResponse(touchpoint_view(made, services.clock()), status_code=201)


@router.post("/batch", status_code=201)
async def plan_many(
    services: Services,
    actor: MutatingActor,
    body: TouchpointBatch,
    # Each touchpoint keeps it with its place in the batch ("#999"): 200 characters in all.
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=195)] = None,
) -> JSONResponse:
    """Plan many touchpoints at once (all or none); their events go to Google in batches (a
    replay with the same Idempotency-Key answers the same touchpoints, and makes no more)."""
    made, requests = await touchpoint_requests.plan_touchpoints(
        services, actor, [item.plan() for item in body.items], idempotency_key=idempotency_key
    )
    now = services.clock()
    return JSONResponse(
        {"items": [touchpoint_view(s, now) for s in made], "googleRequests": requests},
        status_code=201,
    )


@router.get("/{touchpoint_id}")
async def get(services: Services, actor: CurrentActor, touchpoint_id: str) -> JSONResponse:
    """One touchpoint."""
    found = await touchpoints.get_touchpoint(services, actor.user_id, touchpoint_id)
    return JSONResponse(touchpoint_view(found, services.clock()))


@router.patch("/{touchpoint_id}")
async def update(
    services: Services,
    actor: MutatingActor,
    touchpoint_id: str,
    body: TouchpointPatch,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """Change a touchpoint (If-Match: its etag, refused with 412 if it changed meanwhile)."""
    wanted = TouchpointChange(
        status=body.status,
        day=body.dueDate,
        at=body.dueAt,
        message=body.message,
        minutes=body.durationMinutes,
        delete_event=body.deleteEvent,
    )
    found = await touchpoint_changes.update_touchpoint(
        services, actor, touchpoint_id, wanted, if_match=if_match
    )
    return JSONResponse(touchpoint_view(found, services.clock()))


@router.delete("/{touchpoint_id}", status_code=204)
async def delete(services: Services, actor: MutatingActor, touchpoint_id: str) -> Response:
    """Delete a touchpoint; a planned one's event is deleted with it."""
    await touchpoint_changes.delete_touchpoint(services, actor, touchpoint_id)
    return Response(status_code=204)
