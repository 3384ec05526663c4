"""The emulator as an ASGI application, and how to serve it."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from touchbase_emulator import control, discovery, oauth
from touchbase_emulator.core import Emulator
from touchbase_emulator.state import load_state
from touchbase_emulator.wire import ApiRequest

FLUSH_SECONDS = 1.0


class DroppedConnection(Response):
    """Starts a response and closes the connection halfway, as a network failure would."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"kind": "calend', "more_body": True})
        # Returning without finishing the body makes the server close the connection.


def _api_endpoint(emulator: Emulator):  # type: ignore[no-untyped-def]
    async def endpoint(request: Request) -> Response:
        api_request = ApiRequest(
            method=request.method,
            path=request.url.path,
            query=list(request.query_params.multi_items()),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=await request.body(),
        )
        answer = await emulator.call(api_request)
        if answer is None:
            return DroppedConnection()
        if answer.raw is not None:
            content = answer.raw
        elif answer.body is not None:
            content = json.dumps(answer.body).encode()
        else:
            content = b""
        return Response(
            content,
            status_code=answer.status,
            headers=answer.headers,
            media_type=answer.content_type if content else None,
        )

    return endpoint


async def discovery_document(request: Request) -> Response:
    """The Calendar v3 discovery document, its URLs pointing at this emulator. Served where
    Google serves it: /discovery/v1/apis/calendar/v3/rest and /$discovery/rest?version=v3."""
    if (
        request.path_params.get("api", "calendar") != "calendar"
        or (request.path_params.get("version") or request.query_params.get("version", "v3")) != "v3"
    ):
        return JSONResponse(
            {"error": {"code": 404, "message": "Only calendar v3 is served here."}},
            status_code=404,
        )
    return JSONResponse(discovery.served(str(request.base_url)))


def create_app(emulator: Emulator | None = None) -> Starlette:
    """The Starlette app serving Google's paths, OAuth, and the control API."""
    emulator = emulator or Emulator()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        emulator.notifier.start()
        flusher = asyncio.get_running_loop().create_task(_flush_forever(emulator))
        try:
            yield
        finally:
            flusher.cancel()
            await emulator.notifier.stop()
            emulator.save()

    endpoint = _api_endpoint(emulator)
    verbs = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    app = Starlette(
        routes=[
            *control.routes(emulator),
            *oauth.routes(emulator),
            Route("/calendar/v3/{path:path}", endpoint, methods=verbs),
            Route("/batch/calendar/v3", endpoint, methods=["POST"]),
            Route("/discovery/v1/apis/{api}/{version}/rest", discovery_document),
            Route("/$discovery/rest", discovery_document),
        ],
        lifespan=lifespan,
    )
    app.state.emulator = emulator
    return app


async def _flush_forever(emulator: Emulator) -> None:
    while True:
        await asyncio.sleep(FLUSH_SECONDS)
        if emulator.dirty and emulator.state_file is not None:
            emulator.save()


def serve(
    host: str,
    port: int,
    *,
    state_file: Path | None = None,
    latency_ms: int = 0,
    token_lifetime: int = 3600,
) -> None:
    """Run the emulator until interrupted."""
    state = load_state(state_file) if state_file else None
    emulator = Emulator(state, state_file=state_file)
    emulator.config.latency_ms = latency_ms
    emulator.config.token_lifetime = token_lifetime
    uvicorn.run(create_app(emulator), host=host, port=port, log_level="warning", access_log=False)
