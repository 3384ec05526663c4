"""The least a Python web server can add to a Google call: a relay on the stack touchbase
runs on (uvicorn, Starlette, an httpx async client) that passes each events call on to the
emulator and its answer back, with no database and no checks. `api-latency` measures it
beside touchbase, so its overhead says how much of touchbase's is the stack's own floor.

Run as `python -m benchmarks.relay EMULATOR_URL PORT TOKEN`."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def relay_app(emulator_url: str, token: str) -> Starlette:
    """Pass /events calls on to the emulator's primary calendar, as the given user."""
    google = httpx.AsyncClient(
        base_url=emulator_url + "/calendar/v3/calendars/primary",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )

    async def relay(request: Request) -> Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() == "if-match"}
        answer = await google.request(
            request.method, request.url.path, content=await request.body(), headers=headers
        )
        kept = {"content-type": answer.headers.get("content-type", "application/json")}
        return Response(answer.content, status_code=answer.status_code, headers=kept)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await google.aclose()

    async def health(_request: Request) -> Response:
        return Response("ok")

    methods = ["POST", "PATCH", "DELETE"]
    routes = [
        Route("/health", health),
        Route("/events", relay, methods=methods),
        Route("/events/{id}", relay, methods=methods),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


if __name__ == "__main__":
    emulator, port, user_token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    uvicorn.run(relay_app(emulator, user_token), host="127.0.0.1", port=port, log_level="warning")
