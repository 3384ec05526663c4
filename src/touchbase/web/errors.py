"""One place turns every error into the API's JSON:
`{"error": {"code", "message", "action", "details"}}`."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from touchbase.errors import InvalidEventError, TouchbaseError
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


# The code of each HTTP error the framework raises (unknown routes, wrong methods, limits).
HTTP_CODES = {
    400: "INVALID_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "REQUEST_TOO_LARGE",
}


def http_error_response(
    status: int, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The JSON answer for an HTTP-level error, in the same envelope as every other."""
    body = {"code": HTTP_CODES.get(status, "HTTP_ERROR"), "message": message, "action": None}
    return JSONResponse(
        {"error": {**body, "details": {}}}, status_code=status, headers=dict(headers or {})
    )


def _wants_page(request: Request) -> bool:
    """A browser navigating to a page (not a script calling the API)."""
    path = request.url.path
    return not path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def error_page(request: Request, error: TouchbaseError) -> Response:
    """The error as a page a person can read."""
    context = {"message": error.message, "action": error.action}
    return TEMPLATES.TemplateResponse(request, "error.html", context, status_code=error.http_status)


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
    if name == "values" and len(parts) > 1:
        return f"values.{parts[1]}"
    return name


def install(app: FastAPI) -> None:
    """Register the handlers."""

    @app.exception_handler(TouchbaseError)
    async def touchbase_error(request: Request, error: TouchbaseError) -> Response:
        return error_page(request, error) if _wants_page(request) else error_response(error)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        message = error.detail if isinstance(error.detail, str) else "The request failed."
        return http_error_response(error.status_code, message, error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [{"field": _field(tuple(e["loc"])), "message": e["msg"]} for e in error.errors()]
        first = problems[0] if problems else {"field": "body", "message": "invalid"}
        return error_response(
            InvalidEventError(
                f"{first['field']}: {first['message']}",
                field=first["field"],
                details={"problems": problems},
            )
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        failure = TouchbaseError()
        return error_page(request, failure) if _wants_page(request) else error_response(failure)
