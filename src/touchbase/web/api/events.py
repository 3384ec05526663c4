"""/api/calendar/events: the seed's routes, same paths and verbs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse

from touchbase.calendar import conflicts, events, listing, refused, scoped
from touchbase.domain.validation import in_supported_range
from touchbase.errors import InvalidEventError
from touchbase.web.deps import CurrentActor, EmailingActor, MutatingActor, Services
from touchbase.web.schemas import (
    ConflictResolution,
    EventCreate,
    EventUpdate,
    changes_for,
    new_event,
)
from touchbase.web.views import FastJSONResponse, conflict_view, event_view

router = APIRouter(prefix="/api/calendar")
Json = dict[str, Any]


# Which occurrences of a series a change of one occurrence is for (ignored for other events).
ScopeParam = Annotated[
    scoped.Scope,
    Query(
        description="For an occurrence of a recurring series: `instance` (this event, the "
        "default), `following` (this and following events) or `all` (all events)."
    ),
]


# A window bound: an RFC 3339 date-time with its UTC offset (never a bare number).
Instant = Annotated[str | None, Query(max_length=64, json_schema_extra={"format": "date-time"})]


def _aware(raw: str | None, field: str) -> datetime | None:
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidEventError("Give a date and time (RFC 3339).", field=field) from None
    if value.tzinfo is None:
        raise InvalidEventError("Give a UTC offset.", field=field)
    if not in_supported_range(value):
        raise InvalidEventError("Out of the supported range of years.", field=field)
    return value


@router.get("/events")
async def list_events(
    services: Services,
    actor: CurrentActor,
    *,
    timeMin: Instant = None,
    timeMax: Instant = None,
    maxResults: Annotated[int, Query(ge=1, le=listing.MAX_PAGE)] = listing.MAX_PAGE,
    pageToken: Annotated[str | None, Query(max_length=200)] = None,
) -> JSONResponse:
    """The user's events meeting [timeMin, timeMax), from the cache, in start order; a
    `nextPageToken` when more follow (pass it as `pageToken` with the same window)."""
    time_min, time_max = _aware(timeMin, "timeMin"), _aware(timeMax, "timeMax")
    if time_min and time_max and time_min >= time_max:
        raise InvalidEventError("timeMax must be after timeMin.", field="timeMax")
    page = await listing.list_calendar_events(
        services,
        actor.user_id,
        time_min=time_min,
        time_max=time_max,
        limit=maxResults,
        page_token=pageToken,
    )
    body: dict[str, Any] = {"items": [event_view(r) for r in page.items]}
    if page.next_page_token:
        body["nextPageToken"] = page.next_page_token
    if page.incomplete:
        body["incomplete"] = True
    return FastJSONResponse(body)


@router.post("/events", status_code=201)
async def create_event(
    services: Services,
    actor: EmailingActor,
    body: EventCreate,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=200)] = None,
) -> JSONResponse:
    """Create an event (an Idempotency-Key header makes a replay return the same event)."""
    record = await events.create_calendar_event(
        services,
        actor,
        new_event(body),
        calendar_id=body.calendarId,
        is_touchpoint=body.isTouchpointEvent,
        idempotency_key=idempotency_key,
    )
    return JSONResponse(event_view(record), status_code=201)


@router.get("/events/{event_id}")
async def get_event(services: Services, actor: CurrentActor, event_id: str) -> JSONResponse:
    """One event."""
    return JSONResponse(event_view(await scoped.get_event(services, actor.user_id, event_id)))


@router.patch("/events/{event_id}")
async def update_event(
    services: Services,
    actor: EmailingActor,
    event_id: str,
    body: EventUpdate,
    *,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
    scope: ScopeParam = scoped.DEFAULT_SCOPE,
) -> JSONResponse:
    """Change an event (or occurrences of a series, by `scope`); the etag last seen comes as
    If-Match or in the body."""
    record = await scoped.update_event(
        services,
        actor,
        event_id,
        lambda current: changes_for(body, current),
        if_match=if_match or body.etag,
        scope=scope,
    )
    return JSONResponse(event_view(record))


@router.delete("/events/{event_id}")
async def delete_event(
    services: Services,
    actor: EmailingActor,
    event_id: str,
    *,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
    etag: Annotated[str | None, Query(max_length=200)] = None,
    scope: ScopeParam = scoped.DEFAULT_SCOPE,
) -> JSONResponse:
    """Delete an event (or occurrences of a series, by `scope`); the etag last seen comes as
    If-Match (or ?etag=)."""
    record = await scoped.delete_event(
        services, actor, event_id, if_match=if_match or etag, scope=scope
    )
    return JSONResponse(event_view(record))


@router.post("/events/{event_id}/conflict")
async def resolve(
    services: Services, actor: EmailingActor, event_id: str, body: ConflictResolution
) -> JSONResponse:
    """Resolve an event's conflict: keep local, keep remote, merge, recreate or discard."""
    event_id = await scoped.row_id(services, actor.user_id, event_id)
    values: dict[str, Any] = {}
    if body.values is not None:
        current = await events.get_calendar_event(services, actor.user_id, event_id)
        values = changes_for(body.values, current.event)
    record = await conflicts.resolve_conflict(
        services, actor, event_id, body.resolution, choices=body.fields, values=values
    )
    return JSONResponse(event_view(record))


@router.post("/events/{event_id}/discard")
async def discard(services: Services, actor: MutatingActor, event_id: str) -> JSONResponse:
    """Drop the change of an event Google Calendar refused for good (`syncStatus` `error`):
    the event is again as Google has it (a refused delete brings it back); nothing is sent.
    400 when no change of it was refused, or Google never had the event."""
    event_id = await scoped.row_id(services, actor.user_id, event_id)
    return JSONResponse(event_view(await refused.discard_refused(services, actor, event_id)))


@router.get("/conflicts")
async def list_conflicts(services: Services, actor: CurrentActor) -> JSONResponse:
    """The user's open conflicts."""
    found = await conflicts.list_conflicts(services, actor.user_id)
    return JSONResponse({"items": [conflict_view(c) for c in found]})
