"""The pages: sign in and out, the calendar, settings and activity (Jinja2, served by FastAPI).

Pages only render a shell; their scripts call the same HTTP API that scripts use, with the
session cookie and the session's CSRF token.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from touchbase.config import Mode
from touchbase.errors import CsrfError, RateLimitError
from touchbase.store.sessions import SignedIn
from touchbase.web.deps import MutationLimiter, Services
from touchbase.web.sessions import (
    LOGIN_CSRF_COOKIE,
    check_csrf,
    set_cookie,
    settings_of,
    sign_in,
    sign_out,
    signed_in,
)
from touchbase.web.templating import TEMPLATES

LOGIN_CSRF_SECONDS = 3600
router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no `//host` or scheme): no open redirect after sign-in."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/calendar"


def _login_page(
    request: Request,
    *,
    error: str | None = None,
    status: int = 200,
    email: str = "",
    next_page: str | None = None,
) -> Response:
    settings = settings_of(request)
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    context: dict[str, Any] = {
        "csrf_token": token,
        "error": error,
        "email": email,
        "next": _safe_next(next_page or request.query_params.get("next")),
        "demo_email": settings.demo_user_email if settings.mode is Mode.DEMO else None,
    }
    response = TEMPLATES.TemplateResponse(request, "login.html", context, status_code=status)
    set_cookie(response, settings, LOGIN_CSRF_COOKIE, token, LOGIN_CSRF_SECONDS)
    return response


def _check_login_csrf(request: Request, sent: str) -> None:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected:
        raise CsrfError()
    check_csrf(request, expected, sent=sent)


@router.get("/login")
async def login_form(request: Request) -> Response:
    """The sign-in form."""
    return _login_page(request)


# A client may try this many times more sign-ins per minute across emails than for one email;
# an email may be tried this many times more from everywhere than from one client.
CLIENT_SHARE = 3
ACCOUNT_SHARE = 10


@router.post("/login")
async def login(
    request: Request,
    services: Services,
    *,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=100)],
    next: Annotated[str, Form(max_length=2000)] = "/calendar",
) -> Response:
    """Check the password and start a session. Attempts are limited per client and email
    (guessing one password), per client (spraying many emails), and per email from
    everywhere (a distributed guess) with a higher ceiling, so one attacker cannot lock a
    person out from their own browser."""
    _check_login_csrf(request, csrf_token)
    limiter: MutationLimiter = request.app.state.sign_in_limiter
    client = request.client.host if request.client else "unknown"
    account = email.strip().lower()
    try:
        limiter.spend(f"client-account:{client}:{account}")
        limiter.spend(f"client:{client}", cost=1 / CLIENT_SHARE)
        limiter.spend(f"account:{account}", cost=1 / ACCOUNT_SHARE)
    except RateLimitError:
        return _login_page(
            request,
            error="Too many sign-in attempts. Wait a minute, then try again.",
            status=429,
            email=email,
            next_page=next,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    if await sign_in(response, services, settings_of(request), email.strip(), password):
        return response
    return _login_page(
        request,
        error="That email and password do not match.",
        status=401,
        email=email,
        next_page=next,
    )


@router.post("/login/demo")
async def demo_login(
    request: Request, services: Services, csrf_token: Annotated[str, Form(max_length=100)]
) -> Response:
    """`touchbase demo` only: sign in as the demo user with one click."""
    _check_login_csrf(request, csrf_token)
    settings = settings_of(request)
    response = RedirectResponse("/calendar", status_code=303)
    if settings.demo_user_email and await sign_in(
        response, services, settings, settings.demo_user_email, None
    ):
        return response
    return _login_page(request, error="One-click sign-in is only for the demo.", status=403)


@router.post("/logout")
async def logout(
    request: Request, services: Services, csrf_token: Annotated[str, Form(max_length=100)]
) -> Response:
    """End the session."""
    browser = await signed_in(request, services)
    if browser is not None:
        check_csrf(request, browser.csrf_token, sent=csrf_token)
    response = RedirectResponse("/login", status_code=303)
    await sign_out(request, response, services)
    return response


async def _page(request: Request, services: Services, template: str) -> Response:
    browser = await signed_in(request, services)
    if browser is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return _render(request, template, browser)


def _render(request: Request, template: str, browser: SignedIn) -> HTMLResponse:
    context = {"user_email": browser.email, "csrf_token": browser.csrf_token, "page": template}
    return TEMPLATES.TemplateResponse(request, template, context)


@router.get("/")
async def home() -> Response:
    """The calendar is the home page."""
    return RedirectResponse("/calendar", status_code=303)


@router.get("/calendar")
async def calendar_page(request: Request, services: Services) -> Response:
    """The calendar: month, week, day and list views, the event modals, sync."""
    return await _page(request, services, "calendar.html")


@router.get("/settings")
async def settings_page(request: Request, services: Services) -> Response:
    """Google connection, calendars to sync, last sync per calendar."""
    return await _page(request, services, "settings.html")


@router.get("/activity")
async def activity_page(request: Request, services: Services) -> Response:
    """The audit log."""
    return await _page(request, services, "activity.html")


@router.get("/contacts")
async def contacts_page(request: Request, services: Services) -> Response:
    """The contacts list: search, sort by next touchpoint or last contacted, add one."""
    return await _page(request, services, "contacts.html")


@router.get("/contacts/{contact_id}")
async def contact_page(request: Request, services: Services, contact_id: str) -> Response:
    """One contact: details, next touchpoint, cadence, timeline (its script reads the id from
    the address and the API answers 404 for anyone else's)."""
    return await _page(request, services, "contact.html")


@router.get("/due")
async def due_page(request: Request, services: Services) -> Response:
    """Touchpoints overdue, due today and this week, and those that need a new date."""
    return await _page(request, services, "due.html")
