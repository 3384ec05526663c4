"""Browser sessions: the session cookie, and CSRF protection of every state-changing request.

Pages send the session's CSRF token back in the `X-CSRF-Token` header (scripts) or a `csrf_token`
form field (forms); the sign-in form, which has no session yet, uses a double-submit cookie.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta

from fastapi import Request, Response

from touchbase.calendar.services import CalendarServices
from touchbase.config import Mode, Settings
from touchbase.errors import CsrfError
from touchbase.store import accounts, sessions
from touchbase.store.models import User
from touchbase.store.sessions import SignedIn
from touchbase.users import password_matches

SESSION_COOKIE = "tb_session"
LOGIN_CSRF_COOKIE = "tb_login_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def settings_of(request: Request) -> Settings:
    """The app's settings."""
    found: Settings = request.app.state.settings
    return found


async def signed_in(request: Request, services: CalendarServices) -> SignedIn | None:
    """The session behind the request's cookie, if any."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    async with services.db.read() as session:  # waits for no writer (say, a sync's page)
        return await sessions.signed_in(
            session,
            cookie,
            now=services.clock(),
            idle=timedelta(hours=settings_of(request).session_idle_hours),
        )


def check_csrf(request: Request, expected: str, *, sent: str | None = None) -> None:
    """Refuse a state-changing request whose CSRF token is missing or wrong."""
    if request.method in SAFE_METHODS:
        return
    token = sent if sent is not None else request.headers.get(CSRF_HEADER, "")
    if not token or not secrets.compare_digest(token.encode(), expected.encode()):
        raise CsrfError()


def set_cookie(response: Response, settings: Settings, name: str, value: str, age: float) -> None:
    """A secure, HTTP-only, SameSite=Lax cookie for the whole site."""
    response.set_cookie(
        name,
        value,
        max_age=int(age),
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )


async def sign_in(
    response: Response,
    services: CalendarServices,
    settings: Settings,
    email: str,
    password: str | None,
) -> bool:
    """Start a session if the password is right (None: the demo's one-click sign-in). The
    password is hashed in a worker thread, outside any transaction: Argon2's work holds
    neither the event loop nor a database lock."""
    lifetime = timedelta(days=settings.session_days)
    async with services.db.session() as session:
        user = await accounts.user_by_email(session, email)
    if password is None:
        allowed = user is not None and settings.mode is Mode.DEMO
        allowed = allowed and email == settings.demo_user_email
    else:
        stored = user.password_hash if user else None
        allowed = await asyncio.to_thread(password_matches, user, password)
    if user is None or not allowed:
        return False
    async with services.db.session() as session:
        fresh = await session.get(User, user.id)
        if fresh is None:
            return False
        if password is not None and user.password_hash != stored:  # rehashed: keep it
            fresh.password_hash = user.password_hash
        cookie = await sessions.start_session(
            session, fresh, now=services.clock(), lifetime=lifetime
        )
    set_cookie(response, settings, SESSION_COOKIE, cookie, lifetime.total_seconds())
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return True


async def sign_out(request: Request, response: Response, services: CalendarServices) -> None:
    """End the request's session and drop its cookie."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        async with services.db.session() as session:
            await sessions.end_session(session, cookie)
    response.delete_cookie(SESSION_COOKIE, path="/")
