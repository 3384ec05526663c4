"""/api/calendar/local: a calendar kept on touchbase only, and moving its events into Google."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import ConfigDict, Field

from touchbase.calendar.local import move_into_google, start_local_calendar
from touchbase.web.deps import MutatingActor, Services
from touchbase.web.schemas import RequestBody
from touchbase.web.views import calendar_view

router = APIRouter(prefix="/api/calendar/local")


class MoveBody(RequestBody):
    """POST /api/calendar/local/move."""

    model_config = ConfigDict(extra="forbid")
    calendarId: str | None = Field(
        default=None, max_length=64, description="The Google calendar (default: the primary)."
    )


@router.post("", status_code=201)
async def start(services: Services, actor: MutatingActor) -> dict[str, Any]:
    """Start (or find) the calendar kept on touchbase only: events work without Google."""
    return calendar_view(await start_local_calendar(services, actor))


@router.post("/move")
async def move(services: Services, actor: MutatingActor, body: MoveBody) -> dict[str, Any]:
    """Move every event of the local calendar into a Google calendar (they are pushed as new
    events); how many moved."""
    return {"moved": await move_into_google(services, actor, body.calendarId)}
