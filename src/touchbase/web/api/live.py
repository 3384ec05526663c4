"""GET /api/calendar/changes: server-sent events telling an open page which of the user's
calendars changed (in Google, by a sync; or here, in another tab or by a job), so it reads
what it shows again. One stream per signed-in page, served by whichever process the page
reached: the change feed brings every process's changes (PostgreSQL LISTEN/NOTIFY)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from touchbase.web.deps import CurrentActor, Services
from touchbase.web.streams import Streams

router = APIRouter(prefix="/api/calendar")
# Changes arriving this close together are told as one.
DEBOUNCE_SECONDS = 0.25
# A comment this often keeps proxies from closing a quiet stream.
KEEPALIVE_SECONDS = 15.0
# A stream ends after this long; the browser reconnects (after `retry` ms).
STREAM_SECONDS = 300.0
RETRY_MS = 1000


@router.get(
    "/changes",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-sent events",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }
    },
)
async def changes(request: Request, services: Services, actor: CurrentActor) -> StreamingResponse:
    """`event: changed` with `{"calendarIds": [...]}` whenever the user's calendars change
    (changes within a quarter second are one message)."""
    # The token's check now: the stream opens no transaction, and a check failing only as
    # the answer starts would leave the stream running behind its 401.
    await services.db.settle_request_check()
    streams: Streams = request.app.state.streams
    feed = services.changes

    async def stream() -> AsyncIterator[str]:
        queue = feed.subscribe(actor.user_id)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STREAM_SECONDS
        try:
            yield f"retry: {RETRY_MS}\n: connected\n\n"
            while loop.time() < deadline and not streams.stopping.is_set():
                first = await streams.wait(queue.get(), KEEPALIVE_SECONDS)
                if first is None:
                    if not streams.stopping.is_set():
                        yield ": keepalive\n\n"
                    continue
                calendars = {first}
                await streams.pause(DEBOUNCE_SECONDS)
                while not queue.empty():
                    calendars.add(queue.get_nowait())
                yield f"event: changed\ndata: {json.dumps({'calendarIds': sorted(calendars)})}\n\n"
        finally:
            feed.unsubscribe(actor.user_id, queue)

    return streams.open(actor.user_id, stream())
