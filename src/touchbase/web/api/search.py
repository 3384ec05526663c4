"""/api/calendar/search: the user's events holding every word of a query."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from touchbase.calendar.search import MAX_PAGE, search_events
from touchbase.web.deps import CurrentActor, Services
from touchbase.web.views import event_view

router = APIRouter(prefix="/api/calendar")


@router.get("/search")
async def search(
    services: Services,
    actor: CurrentActor,
    *,
    q: Annotated[str, Query(max_length=200, description="Words to find, each a prefix.")],
    when: Annotated[
        Literal["upcoming", "past"],
        Query(description="`upcoming` (not over yet, soonest first) or `past` (latest first)."),
    ] = "upcoming",
    maxResults: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    pageToken: Annotated[str | None, Query(max_length=20)] = None,
) -> JSONResponse:
    """Events whose title, location, description, guests or linked contact hold every word
    of `q`, across all time; a `nextPageToken` when more follow."""
    page = await search_events(
        services,
        actor.user_id,
        q,
        upcoming=when == "upcoming",
        limit=maxResults,
        page_token=pageToken,
    )
    body: dict[str, Any] = {"items": [event_view(r) for r in page.items]}
    if page.next_page_token:
        body["nextPageToken"] = page.next_page_token
    return JSONResponse(body)
