"""The application: wires settings to the database, Google, the use cases and the jobs."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError

from touchbase.calendar.services import CalendarServices
from touchbase.config import Settings
from touchbase.jobs.process import running
from touchbase.web import errors, pages
from touchbase.web.api import (
    account,
    contact_export,
    contact_import,
    contacts,
    events,
    interactions,
    live,
    local,
    notifications,
    search,
    sync,
    touchpoints,
    user_settings,
)
from touchbase.web.deps import MutationLimiter, no_nul_characters
from touchbase.web.headers import SecurityHeaders
from touchbase.web.limits import BodyLimit
from touchbase.web.logs import redact_access_log
from touchbase.web.request_checks import KnownTokens, RequestChecks
from touchbase.web.streams import Streams
from touchbase.web.templating import TEMPLATES

STATIC = Path(__file__).parent / "static"
# How long /api/health/ready waits for the database before answering 503.
READY_TIMEOUT_SECONDS = 3.0


def freeze_start_up_objects() -> None:
    """Move every object alive now (modules, classes, the app's wiring: most of the heap) out
    of the cyclic collector's sight. They live as long as the process, yet each full
    collection would walk them all again (~0.1 s, landing in whatever request or sync runs);
    after this, one walks only what was made since."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings) -> FastAPI:
    """The FastAPI app (the schema must be migrated already)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running(
            settings, run_jobs=settings.jobs_in_process, concurrency=settings.job_concurrency
        ) as process:
            app.state.services, app.state.work = process.services, process.work
            await process.services.changes.start()
            redact_access_log()  # after the server has set its logging up
            freeze_start_up_objects()
            try:
                yield
            finally:
                app.state.streams.stop()
                await process.services.changes.stop()

    app = FastAPI(
        title="touchbase",
        lifespan=lifespan,
        docs_url=None,  # served below, with assets from this installation
        redoc_url=None,
        openapi_url="/api/openapi.json",
        responses=errors.ERROR_RESPONSES,
        dependencies=[Depends(no_nul_characters)],
    )
    app.state.limiter = MutationLimiter(settings.mutations_per_minute)
    app.state.sign_in_limiter = MutationLimiter(settings.sign_in_attempts_per_minute)
    app.state.settings = settings
    app.state.streams = Streams(settings.live_streams_per_user)
    errors.install(app)
    app.include_router(events.router)
    app.include_router(search.router)
    app.include_router(local.router)
    app.include_router(account.router)
    app.include_router(notifications.router)
    app.include_router(live.router)
    app.include_router(sync.router)
    app.include_router(user_settings.router)
    app.include_router(contact_export.router)  # before contacts' /{contact_id}
    app.include_router(contacts.router)
    app.include_router(contact_import.router)
    app.include_router(interactions.router)
    app.include_router(touchpoints.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.state.known_tokens = KnownTokens()
    app.add_middleware(errors.UnexpectedErrors)  # innermost: its answer passes every other
    app.add_middleware(RequestChecks)  # wraps every route's work
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit)  # outermost of ours: before authentication and parsing

    @app.get("/api/health")
    async def health() -> dict[str, str]:
        """Liveness: the process answers (its event loop is not stalled); no database."""
        return {"status": "ok"}

    @app.get("/api/health/ready", response_model=None)
    async def ready(request: Request) -> dict[str, str] | JSONResponse:
        """Readiness: 200 when this process's database answers within a few seconds, else
        503 (a load balancer then sends requests to another process)."""
        services: CalendarServices = request.app.state.services
        try:
            await asyncio.wait_for(services.db.ping(), timeout=READY_TIMEOUT_SECONDS)
        except (TimeoutError, SQLAlchemyError, OSError):
            unavailable = {"status": "unavailable", "database": "unreachable"}
            return JSONResponse(unavailable, status_code=503)
        return {"status": "ok", "database": "ok"}

    @app.get("/api/docs", include_in_schema=False)
    async def docs(request: Request) -> Response:
        context = {"openapi_url": "/api/openapi.json"}
        return TEMPLATES.TemplateResponse(request, "api-docs.html", context)

    return app
