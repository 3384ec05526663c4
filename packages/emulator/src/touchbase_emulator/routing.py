"""Routing: every method of the discovery document to its handler, or to a 501 answer."""

from __future__ import annotations

from urllib.parse import unquote

from touchbase_emulator import (
    acl,
    calendar_api,
    calendars,
    colors,
    freebusy,
    quickadd,
    settings,
    watches,
)
from touchbase_emulator.discovery import methods
from touchbase_emulator.errors import ApiError, insufficient_scope, not_found
from touchbase_emulator.wire import ApiRequest, ApiResponse, Handler, Principal, Route

HANDLERS: dict[str, Handler] = {
    **calendar_api.HANDLERS,
    **calendars.HANDLERS,
    **colors.HANDLERS,
    **acl.HANDLERS,
    **freebusy.HANDLERS,
    **quickadd.HANDLERS,
    **settings.HANDLERS,
    **watches.HANDLERS,
}
# Methods the emulator answers with 501, and why (the README repeats this list).
NOT_IMPLEMENTED = {
    "calendar.calendars.transferOwnership": "needs a Google Workspace administrator",
}


def _not_implemented(reason: str) -> Handler:
    def handler(*_: object) -> ApiResponse:
        raise ApiError(501, "notImplemented", f"Not implemented by the emulator: {reason}.")

    return handler


def _routes() -> tuple[Route, ...]:
    table = []
    for method in methods():
        handler = HANDLERS.get(method.id) or _not_implemented(
            NOT_IMPLEMENTED.get(method.id, "not yet emulated")
        )
        table.append(Route(method.verb, method.pattern, method.google_name, method.scopes, handler))
    # A literal segment wins over a parameter: "events/quickAdd" before "events/{eventId}".
    table.sort(key=lambda route: route.pattern.pattern.count("([^/]+)"))
    return tuple(table)


ROUTES = _routes()


def route(request: ApiRequest) -> tuple[Route, list[str]]:
    """The route and its decoded path arguments; 404 if no method has this path and verb."""
    for candidate in ROUTES:
        match = candidate.pattern.fullmatch(request.path)
        if match and candidate.verb == request.method:
            return candidate, [unquote(g) for g in match.groups()]
    raise not_found("Not Found")


def run(
    api: calendar_api.CalendarApi,
    found: Route,
    args: list[str],
    request: ApiRequest,
    principal: Principal,
) -> ApiResponse:
    """Run one routed call: scope check, then the method."""
    if not principal.scopes & found.scopes:
        raise insufficient_scope(found.method_id)
    return found.handler(api, request, principal, args)
