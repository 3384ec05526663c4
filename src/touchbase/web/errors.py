"""One place turns every error into the API's JSON:
`{"error": {"code", "message", "action", "details"}}`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Message, Receive, Scope, Send

from touchbase.errors import (
    DatabaseUnavailableError,
    InvalidEventError,
    InvalidFieldError,
    TouchbaseError,
)
from touchbase.store.database import unavailable
from touchbase.web.asgi import HttpMiddleware
from touchbase.web.templating import TEMPLATES
from touchbase.web.views import jsonable

log = logging.getLogger("touchbase.web")


def error_response(error: TouchbaseError) -> JSONResponse:
    """The JSON answer for an error."""
    headers = {}
    if error.retry_after is not None:
        headers["Retry-After"] = str(max(1, round(error.retry_after)))
    return JSONResponse(
        {"error": jsonable(error.to_dict())}, status_code=error.http_status, headers=headers
    )


# When a client may try again after touchbase's database did not answer.
DATABASE_RETRY_AFTER_SECONDS = 1.0

# The code of each HTTP error the framework raises (unknown routes, wrong methods, limits).
HTTP_CODES = {
    400: "INVALID_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "REQUEST_TOO_LARGE",
}


class ErrorBody(BaseModel):
    """What went wrong, and what to do about it."""

    code: str
    message: str
    action: str | None = None
    details: dict[str, Any] = {}


class ErrorEnvelope(BaseModel):
    """Every error the API answers: `{"error": {"code", "message", "action", "details"}}`."""

    error: ErrorBody


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorEnvelope, "description": description}


# The errors any operation may answer, documented once for every route (the OpenAPI document
# says what the API really does; Schemathesis checks it in CI).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("A request touchbase cannot act on (a body that is not JSON, a bad state)"),
    401: _error("No valid API token or session"),
    403: _error("A missing CSRF token, or Google access that does not allow this"),
    404: _error("No such object of yours"),
    409: _error("The object changed since the version you sent (If-Match), or a conflict"),
    413: _error("A body over 1 MiB"),
    422: _error("Invalid input: `details.field` names the field"),
    429: _error(
        "Too many changes, Google calls or open event streams: `Retry-After` says how long to wait"
    ),
    503: _error("touchbase's database did not answer: try again after `Retry-After`"),
}


def http_error_response(
    status: int, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The JSON answer for an HTTP-level error, in the same envelope as every other."""
    body = {"code": HTTP_CODES.get(status, "HTTP_ERROR"), "message": message, "action": None}
    return JSONResponse(
        {"error": {**body, "details": {}}}, status_code=status, headers=dict(headers or {})
    )


def _allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """Every method some route serves at the request's path (Starlette names only the first
    route that matched the path; several routes share one path here)."""
    methods: set[str] = set()
    for route in app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match is not Match.NONE and isinstance(getattr(route, "methods", None), set):
            methods |= route.methods  # type: ignore[attr-defined]
    methods.discard("HEAD")
    return sorted(methods)


def _wants_page(request: Request) -> bool:
    """A browser navigating to a page (not a script calling the API)."""
    path = request.url.path
    return not path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def error_page(request: Request, error: TouchbaseError) -> Response:
    """The error as a page a person can read."""
    context = {"message": error.message, "action": error.action}
    return TEMPLATES.TemplateResponse(request, "error.html", context, status_code=error.http_status)


def error_answer(request: Request, error: TouchbaseError) -> Response:
    """An error as the page a browser asked for, or as the API's JSON."""
    return error_page(request, error) if _wants_page(request) else error_response(error)


def _missing_page(request: Request) -> Response:
    """A page that does not exist, as a page (a script asking the API gets JSON)."""
    context = {
        "message": "This page does not exist.",
        "action": "The address may be mistyped, or the page was moved.",
    }
    return TEMPLATES.TemplateResponse(request, "error.html", context, status_code=404)


def _field(location: tuple[int | str, ...]) -> str:
    """The request field an error is about: `title`, `attendees[1]`, `values.title`.

    Pydantic adds the names of union members to locations; those are not fields.
    """
    parts = [p for p in location if p not in ("body", "query", "header", "path")]
    if not parts:
        return "body"
    name = str(parts[0])
    if len(parts) > 1 and isinstance(parts[1], int):
        return f"{name}[{parts[1]}]"
    if name in _OBJECTS and len(parts) > 1:
        return f"{name}.{parts[1]}"
    return name


# Request fields that are objects of their own: an error names the member too.
_OBJECTS = ("values", "cadence")


def invalid_input_as(error: type[InvalidFieldError]) -> type[APIRoute]:
    """A route class (a router's `route_class`) whose requests' invalid input, a body, query,
    path or header the schema refuses, is answered as `error`: the error of what the route is
    about, the same as its own checks raise (a contact's as CRM_INVALID_CONTACT). Routes of
    any other class answer as an event's."""
    return cast(type[APIRoute], type(f"{error.__name__}Route", (APIRoute,), {"invalid": error}))


def _invalid_input(request: Request, error: RequestValidationError) -> InvalidFieldError:
    problems = [
        {"field": _field(tuple(e["loc"])), "message": str(e["msg"]).removeprefix("Value error, ")}
        for e in error.errors()
    ]
    first = problems[0] if problems else {"field": "body", "message": "invalid"}
    invalid: type[InvalidFieldError] = getattr(
        request.scope.get("route"), "invalid", InvalidEventError
    )
    return invalid(
        f"{first['field']}: {first['message']}",
        field=first["field"],
        details={"problems": problems},
    )


def install(app: FastAPI) -> None:
    """Register the handlers."""

    @app.exception_handler(TouchbaseError)
    async def touchbase_error(request: Request, error: TouchbaseError) -> Response:
        return error_answer(request, error)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        message = error.detail if isinstance(error.detail, str) else "The request failed."
        if _wants_page(request) and error.status_code == 404:
            return _missing_page(request)
        headers = dict(error.headers or {})
        if error.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(app, request))
        return http_error_response(error.status_code, message, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, error: RequestValidationError) -> JSONResponse:
        return error_response(_invalid_input(request, error))

    @app.exception_handler(SQLAlchemyError)
    async def database_error(request: Request, error: SQLAlchemyError) -> Response:
        if not unavailable(error):
            return unexpected_error(request)
        log.warning(
            "the database did not answer %s %s: %r", request.method, request.url.path, error
        )
        failure = DatabaseUnavailableError(retry_after=DATABASE_RETRY_AFTER_SECONDS)
        return error_answer(request, failure)

    @app.exception_handler(Exception)  # the last resort: raised outside `UnexpectedErrors`
    async def unexpected(request: Request, error: Exception) -> Response:
        return unexpected_error(request)


def unexpected_error(request: Request) -> Response:
    """The answer to an error no handler expected (logged with its traceback)."""
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    failure = TouchbaseError()
    return error_answer(request, failure)


class UnexpectedErrors(HttpMiddleware):
    """Answer an error no handler expected here, as a request's normal end. Left to Starlette,
    its outermost middleware answers and then raises it on to the server, which closes the
    connection under the client (whose next request on it is reset), and the answer misses
    the headers the middlewares outside this one add."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            if started:  # half an answer went out: only closing the connection ends it
                raise
            await unexpected_error(Request(scope))(scope, receive, send)
