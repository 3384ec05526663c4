"""/api/google (connecting Google Calendar) and /api/audit."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from touchbase.errors import InvalidRequestError, TouchbaseError
from touchbase.google.auth import WRITE_SCOPES
from touchbase.store import events as event_store
from touchbase.web.deps import CurrentActor, Services
from touchbase.web.views import audit_view

router = APIRouter(prefix="/api")
Json = dict[str, Any]


@router.post("/google/connect")
async def connect(
    services: Services,
    actor: CurrentActor,
    loginHint: Annotated[str | None, Query(max_length=254)] = None,
) -> Json:
    """The URL where the user grants touchbase access to Google Calendar (`loginHint`: the
    Google account to suggest)."""
    url = await services.accounts.authorization_url(actor.user_id, login_hint=loginHint)
    return {"authorizationUrl": url}


@router.get("/google/callback", response_model=None)
async def callback(
    request: Request,
    services: Services,
    state: Annotated[str, Query(max_length=200)],
    code: Annotated[str | None, Query(max_length=2000)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> Json | RedirectResponse:
    """Where Google sends the user back (with a code, or an error such as `access_denied`):
    store the tokens and the calendars.

    A browser goes on to the settings page, which says how it went; a script gets JSON.
    """
    browser = "text/html" in request.headers.get("accept", "")
    try:
        if error is not None or code is None:
            raise InvalidRequestError(
                "Google Calendar access was not granted."
                if error == "access_denied"
                else f"Google did not authorize touchbase ({error or 'no code'}).",
                action="Connect Google Calendar again and allow access.",
                details={"field": "code"},
            )
        scopes = await services.accounts.complete(state=state, code=code)
    except TouchbaseError as failure:
        if not browser:
            raise
        return RedirectResponse(
            "/settings?" + urlencode({"google": "failed", "message": failure.message}),
            status_code=303,
        )
    if browser:
        return RedirectResponse("/settings?google=connected", status_code=303)
    return {"connected": True, "scopes": sorted(scopes), "canWrite": bool(scopes & WRITE_SCOPES)}


@router.get("/google/connection")
async def connection(services: Services, actor: CurrentActor) -> Json:
    """Whether Google is connected, with which scopes."""
    scopes = await services.accounts.scopes(actor.user_id)
    return {
        "connected": scopes is not None,
        "scopes": sorted(scopes or ()),
        "canWrite": bool((scopes or frozenset()) & WRITE_SCOPES),
    }


@router.get("/audit")
async def audit(
    services: Services,
    actor: CurrentActor,
    eventId: Annotated[str | None, Query(max_length=64)] = None,
) -> Json:
    """The audit log, newest first, optionally for one event."""
    async with services.db.session() as session:
        entries = await event_store.audit_entries(session, actor.user_id, event_id=eventId)
        return {"items": [audit_view(e) for e in entries]}
