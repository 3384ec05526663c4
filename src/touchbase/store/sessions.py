"""Signed-in browsers. The cookie is a random token; only its SHA-256 is stored, beside the
session's CSRF token. Sessions live in the database, so any app process can check them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.store.accounts import hash_token
from touchbase.store.models import User, WebSession


@dataclass(frozen=True)
class SignedIn:
    """The user behind a session cookie, and the CSRF token their pages send back."""

    user_id: str
    email: str
    csrf_token: str


async def start_session(
    session: AsyncSession, user: User, *, now: datetime, lifetime: timedelta
) -> str:
    """A new session for `user`; returns the cookie value (shown to the browser only)."""
    cookie = secrets.token_urlsafe(32)
    await session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    session.add(
        WebSession(
            id=hash_token(cookie),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    await session.flush()
    return cookie


async def signed_in(session: AsyncSession, cookie: str, *, now: datetime) -> SignedIn | None:
    """Who a session cookie belongs to, if it is valid and not expired."""
    row = (
        await session.execute(
            select(WebSession.csrf_token, WebSession.expires_at, User.id, User.email)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.id == hash_token(cookie))
        )
    ).first()
    if row is None or row.expires_at <= now:
        return None
    return SignedIn(user_id=row.id, email=row.email, csrf_token=row.csrf_token)


async def end_session(session: AsyncSession, cookie: str) -> None:
    """Sign a browser out."""
    await session.execute(delete(WebSession).where(WebSession.id == hash_token(cookie)))
