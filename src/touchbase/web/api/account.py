"""/api/google (connecting Google Calendar) and /api/audit."""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from touchbase.calendar.activity import Who, activity
from touchbase.calendar.calendars import disconnect_google
from touchbase.calendar.google_accounts import STATE_LIFETIME
from touchbase.errors import InvalidRequestError, TouchbaseError
from touchbase.google.auth import WRITE_SCOPES
from touchbase.web.deps import CurrentActor, MutatingActor, Services
from touchbase.web.sessions import set_cookie, settings_of, signed_in
from touchbase.web.views import audit_view

router = APIRouter(prefix="/api")
Json = dict[str, Any]


FLOW_COOKIE = "tb_google_flow"
# Fixed words for each way a connection can fail (never text from the request).
FAILURES = ("access_denied", "expired", "other_browser", "refused")


@router.post("/google/connect")
async def connect(
    request: Request,
    response: Response,
    services: Services,
    actor: CurrentActor,
    loginHint: Annotated[str | None, Query(max_length=254)] = None,
) -> Json:
    """The URL where the user grants touchbase access to Google Calendar (`loginHint`: the
    Google account to suggest). Only this browser (or script) can finish it: it gets a nonce
    cookie that the callback checks."""
    if not settings_of(request).google_enabled:
        raise InvalidRequestError(
            "Google Calendar is turned off on this server (TOUCHBASE_GOOGLE_ENABLED=false)."
        )
    nonce = secrets.token_urlsafe(32)
    url = await services.accounts.authorization_url(
        actor.user_id, browser_nonce=nonce, login_hint=loginHint
    )
    set_cookie(response, settings_of(request), FLOW_COOKIE, nonce, STATE_LIFETIME.total_seconds())
    return {"authorizationUrl": url}


@router.get("/google/callback", response_model=None, include_in_schema=False)
async def callback(
    request: Request,
    services: Services,
    state: Annotated[str, Query(max_length=200)],
    code: Annotated[str | None, Query(max_length=2000)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Where Google sends the user back (with a code, or an error such as `access_denied`):
    store the tokens and the calendars, and have the touchpoints the user's cadences owe
    planned.

    A browser goes on to the settings page, which says how it went; a script gets JSON.
    """
    browser = "text/html" in request.headers.get("accept", "")
    try:
        if error is not None or code is None:
            denied = error == "access_denied"
            raise InvalidRequestError(
                "Google Calendar access was not granted."
                if denied
                else "Google did not authorize touchbase.",
                action="Connect Google Calendar again and allow access.",
                details={"field": "code", "reason": "access_denied" if denied else "refused"},
            )
        person = await signed_in(request, services)
        user_id, scopes = await services.accounts.complete(
            state=state,
            code=code,
            browser_nonce=request.cookies.get(FLOW_COOKIE),
            signed_in=person.user_id if person else None,
        )
    except TouchbaseError as failure:
        if not browser:
            raise
        reason = failure.details.get("reason")
        where = "/settings?" + urlencode(
            {"google": "failed", "reason": reason if reason in FAILURES else "refused"}
        )
        return _flow_over(RedirectResponse(where, status_code=303))
    if scopes & WRITE_SCOPES:  # cadences set before Google could take their events
        await request.app.state.work.plan_cadences(user_id)
    if browser:
        return _flow_over(RedirectResponse("/settings?google=connected", status_code=303))
    body = {"connected": True, "scopes": sorted(scopes), "canWrite": bool(scopes & WRITE_SCOPES)}
    return _flow_over(JSONResponse(body))


def _flow_over(response: Response) -> Response:
    response.delete_cookie(FLOW_COOKIE, path="/")
    return response


@router.get("/google/connection")
async def connection(services: Services, actor: CurrentActor) -> Json:
    """Whether Google is connected, with which scopes."""
    scopes = await services.accounts.scopes(actor.user_id)
    return {
        "connected": scopes is not None,
        "scopes": sorted(scopes or ()),
        "canWrite": bool((scopes or frozenset()) & WRITE_SCOPES),
    }


@router.delete("/google/connection")
async def disconnect(services: Services, actor: MutatingActor) -> Json:
    """Disconnect Google Calendar: its push notifications stop, the grant is revoked and the
    tokens forgotten. Cached events stay, and changes waiting for Google go once it is
    connected again."""
    await disconnect_google(services, actor.user_id)
    return {"connected": False, "scopes": [], "canWrite": False}


@router.get("/audit")
async def audit(
    services: Services,
    actor: CurrentActor,
    *,
    eventId: Annotated[str | None, Query(max_length=64)] = None,
    contactId: Annotated[str | None, Query(max_length=64)] = None,
    who: Annotated[
        Who | None,
        Query(description="`you` (the pages or the API), `google` (a sync), `touchbase`."),
    ] = None,
) -> Json:
    """The activity log, newest first, optionally for one event, one contact or one kind of
    author, with each event's current title and each contact's name."""
    found = await activity(services, actor.user_id, event_id=eventId, contact_id=contactId, who=who)
    return {
        "items": [audit_view(e) for e in found.entries],
        "eventTitles": found.event_titles,
        "contactNames": found.contact_names,
        "eventContacts": found.event_contacts,
    }
