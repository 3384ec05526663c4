"""/api/calendar/sync and /api/calendar/calendars: run two-way sync, follow its progress,
and choose which calendars to sync."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import ConfigDict

from touchbase.calendar import calendars as calendars_uc
from touchbase.calendar.services import CalendarServices
from touchbase.web.deps import CurrentActor, MutatingActor, Services
from touchbase.web.schemas import RequestBody
from touchbase.web.streams import Streams
from touchbase.web.views import calendar_view, run_view, updates_view

router = APIRouter(prefix="/api/calendar")
STREAM_POLL_SECONDS = 0.1
STREAM_LIMIT_SECONDS = 600


class CalendarChoice(RequestBody):
    """PATCH /api/calendar/calendars/{id}."""

    model_config = ConfigDict(extra="forbid")
    syncEnabled: bool


async def _run(services: CalendarServices, user_id: str, run_id: str) -> dict[str, Any]:
    return run_view(await calendars_uc.sync_run(services, user_id, run_id))


@router.post("/sync", status_code=202)
async def start(request: Request, actor: MutatingActor) -> JSONResponse:
    """Start a sync of the user's chosen calendars (a job, run by whichever process runs
    jobs); answers the run id at once."""
    run_id = await request.app.state.work.request_run(actor.user_id)
    return JSONResponse({"runId": run_id, "status": "running"}, status_code=202)


@router.get("/sync/{run_id}")
async def status(services: Services, actor: CurrentActor, run_id: str) -> JSONResponse:
    """A run's progress, then its result."""
    return JSONResponse(await _run(services, actor.user_id, run_id))


@router.get("/sync/{run_id}/events")
async def stream(
    request: Request, services: Services, actor: CurrentActor, run_id: str
) -> StreamingResponse:
    """Server-sent events: `progress` whenever the run moves, then `done` with the result."""
    await _run(services, actor.user_id, run_id)  # 404 before the stream starts
    streams: Streams = request.app.state.streams

    async def events() -> AsyncIterator[str]:
        last = None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STREAM_LIMIT_SECONDS
        while loop.time() < deadline and not streams.stopping.is_set():
            view = await _run(services, actor.user_id, run_id)
            snapshot = json.dumps(view, sort_keys=True)
            if view["status"] != "running":
                yield f"event: done\ndata: {snapshot}\n\n"
                return
            if snapshot != last:
                yield f"event: progress\ndata: {snapshot}\n\n"
                last = snapshot
            await streams.pause(STREAM_POLL_SECONDS)

    return streams.open(actor.user_id, events())


@router.get("/calendars")
async def calendars(request: Request, services: Services, actor: CurrentActor) -> JSONResponse:
    """The user's calendars (refreshed from Google's calendar list when possible), each with
    how it learns of changes in Google."""
    rows = await calendars_uc.list_calendars(services, actor.user_id)
    live = await calendars_uc.live_until(services, [c.id for c in rows])
    watching = services.notification_address is not None
    every = request.app.state.settings.sync_interval_seconds
    items = [
        calendar_view(c, updates_view(c, live.get(c.id), watching=watching, polled_every=every))
        for c in rows
    ]
    return JSONResponse({"items": items})


@router.patch("/calendars/{calendar_id}")
async def choose(
    request: Request,
    services: Services,
    actor: MutatingActor,
    calendar_id: str,
    body: CalendarChoice,
) -> JSONResponse:
    """Turn syncing of one calendar on or off (its push-notification channel with it)."""
    row = await calendars_uc.choose_calendar(
        services, actor.user_id, calendar_id, sync_enabled=body.syncEnabled
    )
    await request.app.state.work.watch([row.id])
    return JSONResponse(calendar_view(row))
