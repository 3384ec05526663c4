"""The tables of people and their access: users, API tokens, browser sessions, Google
connections, a sign-in in progress, and the shared Google quota."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from touchbase.store.models.base import ID, Base
from touchbase.store.types import UtcDateTime


class User(Base):
    """A person using touchbase."""

    __tablename__ = "users"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # An Argon2 hash; None: the user cannot sign in to the pages (API tokens only).
    password_hash: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # When touchpoints given only a day are placed ({"start": "09:00", "end": "17:00",
    # "days": [0..4]}, Monday = 0); None: the default (domain/touchpoints.WorkingHours).
    working_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # Whether the pages email guests about the person's changes: "ask" each time, always
    # "send", or "never" (the API itself never emails unless a request asks).
    guest_emails: Mapped[str] = mapped_column(String(8), default="ask", server_default="ask")
    # The IANA zone the pages show times in; None: the browser's own.
    time_zone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # When the cadence job next moves the touchpoints cadences planned after the meetings held
    # since (None: at the next tick).
    cadences_review_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class ApiToken(Base):
    """A bearer token for scripts; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # None: never expires (tokens made before expiry existed).
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class WebSession(Base):
    """A signed-in browser: only the SHA-256 of its cookie is stored, with its CSRF token."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    # When the browser last used it (to the minute): an idle session ends.
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class GoogleConnection(Base):
    """A user's Google authorization; tokens encrypted at rest."""

    __tablename__ = "google_connections"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    google_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str | None] = mapped_column(Text, nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    scopes: Mapped[str] = mapped_column(Text)
    connected_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OAuthState(Base):
    """An authorization in progress: its state and PKCE verifier (encrypted)."""

    __tablename__ = "oauth_states"
    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_verifier: Mapped[str] = mapped_column(Text)
    # A digest of the nonce in the cookie of the browser that started the flow: the callback
    # must come from that browser (RFC 6749 §10.12, RFC 9700 §4.7).
    browser_binding: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class GoogleQuota(Base):
    """A user's budget of Google calls (a token bucket), shared by every process."""

    __tablename__ = "google_quotas"
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    tokens: Mapped[float] = mapped_column(Float)
    refilled_at: Mapped[datetime] = mapped_column(UtcDateTime())
    paused_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
