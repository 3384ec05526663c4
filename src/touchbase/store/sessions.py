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
from touchbase.store.pending import set_now_or_after

SEEN_RESOLUTION = timedelta(minutes=1)


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
            last_seen_at=now,
        )
    )
    await session.flush()
    return cookie


async def signed_in(
    session: AsyncSession, cookie: str, *, now: datetime, idle: timedelta
) -> SignedIn | None:
    """Who a session cookie belongs to, if it has neither expired nor lain unused for
    `idle`; a use is noted (to the minute; in a read-only transaction, once it ends)."""
    found = (
        await session.execute(
            select(WebSession, User.email)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.id == hash_token(cookie))
        )
    ).first()
    if found is None:
        return None
    row, email = found
    seen = row.last_seen_at or row.created_at
    if row.expires_at <= now or now - seen > idle:
        return None
    if now - seen > SEEN_RESOLUTION:
        set_now_or_after(session.sync_session, row, last_seen_at=now)
    return SignedIn(user_id=row.user_id, email=email, csrf_token=row.csrf_token)


async def end_sessions_of(session: AsyncSession, user_id: str) -> None:
    """Sign every browser of a user out (after a password change)."""
    await session.execute(delete(WebSession).where(WebSession.user_id == user_id))


async def end_session(session: AsyncSession, cookie: str) -> None:
    """Sign a browser out."""
    await session.execute(delete(WebSession).where(WebSession.id == hash_token(cookie)))
