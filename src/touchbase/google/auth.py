"""OAuth for Google Calendar: the authorization URL (code flow with PKCE), code exchange,
refresh and revoke; and the credentials a client is given."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode

import httpx

from touchbase.errors import AuthorizationExpiredError, GoogleUnavailableError

SCOPE_PREFIX = "https://www.googleapis.com/auth/"
SCOPE_EVENTS = SCOPE_PREFIX + "calendar.events"
SCOPE_CALENDAR = SCOPE_PREFIX + "calendar"
SCOPE_CALENDAR_READONLY = SCOPE_PREFIX + "calendar.readonly"
WRITE_SCOPES = frozenset({SCOPE_CALENDAR, SCOPE_EVENTS})
REFRESH_MARGIN = 60.0


@dataclass(frozen=True)
class GoogleEndpoints:
    """Where Google (or the emulator) answers."""

    api: str = "https://www.googleapis.com"
    authorize: str = "https://accounts.google.com/o/oauth2/v2/auth"
    token: str = "https://oauth2.googleapis.com/token"
    revoke: str = "https://oauth2.googleapis.com/revoke"
    userinfo: str = "https://openidconnect.googleapis.com/v1/userinfo"

    @classmethod
    def at(cls, base_url: str) -> GoogleEndpoints:
        """Every endpoint on one host, as the emulator serves them."""
        base = base_url.rstrip("/")
        return cls(
            api=base,
            authorize=base + "/o/oauth2/v2/auth",
            token=base + "/token",
            revoke=base + "/revoke",
            userinfo=base + "/v1/userinfo",
        )


@dataclass(frozen=True)
class TokenSet:
    """What the token endpoint granted."""

    access_token: str
    expires_at: float
    scopes: frozenset[str]
    refresh_token: str | None = None

    @property
    def can_write(self) -> bool:
        """Whether the grant allows changing events."""
        return bool(self.scopes & WRITE_SCOPES)


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the person, and the PKCE verifier to keep until the callback."""

    url: str
    state: str
    code_verifier: str


class Credentials(Protocol):
    """Gives a client its access token; `refresh` gets a new one after a 401."""

    async def access_token(self) -> str:
        """A usable access token."""
        ...

    async def refresh(self) -> str:
        """A new access token; AuthorizationExpiredError if none can be had."""
        ...


class StaticToken:
    """A fixed access token that cannot be refreshed (scripts, tests)."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def access_token(self) -> str:
        """The token."""
        return self._token

    async def refresh(self) -> str:
        """A static token cannot be refreshed."""
        raise AuthorizationExpiredError()


class OAuthClient:
    """The OAuth 2.0 client of one registered application."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        endpoints: GoogleEndpoints,
        http: httpx.AsyncClient,
    ) -> None:
        self.client_id = client_id
        self._secret = client_secret
        self.endpoints = endpoints
        self._http = http

    def authorization_request(
        self, *, redirect_uri: str, scopes: list[str], login_hint: str | None = None
    ) -> AuthorizationRequest:
        """The consent URL (offline access, PKCE S256) with fresh state and verifier."""
        verifier = secrets.token_urlsafe(64)
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .decode()
            .rstrip("=")
        )
        state = secrets.token_urlsafe(24)
        params = {
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": " ".join(scopes),
            "state": state,
            "access_type": "offline",
            "prompt": "consent",
            "include_granted_scopes": "true",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        if login_hint:
            params["login_hint"] = login_hint
        return AuthorizationRequest(
            f"{self.endpoints.authorize}?{urlencode(params)}", state, verifier
        )

    async def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str) -> TokenSet:
        """Trade an authorization code for tokens."""
        return await self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            }
        )

    async def refresh(self, refresh_token: str) -> TokenSet:
        """A new access token from a refresh token."""
        tokens = await self._token_request(
            {"grant_type": "refresh_token", "refresh_token": refresh_token}
        )
        if tokens.refresh_token is None:
            tokens = TokenSet(tokens.access_token, tokens.expires_at, tokens.scopes, refresh_token)
        return tokens

    async def revoke(self, token: str) -> None:
        """Revoke a refresh or access token."""
        try:
            await self._http.post(self.endpoints.revoke, data={"token": token})
        except httpx.TransportError as exc:
            raise GoogleUnavailableError(details={"network": type(exc).__name__}) from exc

    async def _token_request(self, form: dict[str, str]) -> TokenSet:
        form = {**form, "client_id": self.client_id, "client_secret": self._secret}
        try:
            response = await self._http.post(self.endpoints.token, data=form)
        except httpx.TransportError as exc:
            raise GoogleUnavailableError(details={"network": type(exc).__name__}) from exc
        if response.status_code >= 500:
            raise GoogleUnavailableError(details={"googleStatus": response.status_code})
        body = response.json()
        if response.status_code != 200 or "access_token" not in body:
            # The reason is safe to keep; the request held secrets and is not logged.
            raise AuthorizationExpiredError(details={"oauthError": body.get("error")})
        return TokenSet(
            access_token=body["access_token"],
            expires_at=time.time() + float(body.get("expires_in", 3600)),
            scopes=frozenset(body.get("scope", "").split()),
            refresh_token=body.get("refresh_token"),
        )


class OAuthCredentials:
    """An account's tokens: refreshed shortly before expiry, or after a 401.

    `on_refresh` receives each new token set (to store it, encrypted, by the caller).
    """

    def __init__(
        self,
        *,
        oauth: OAuthClient,
        tokens: TokenSet,
        on_refresh: Callable[[TokenSet], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._oauth = oauth
        self.tokens = tokens
        self._on_refresh = on_refresh
        self._clock = clock
        self._lock = asyncio.Lock()

    async def access_token(self) -> str:
        """The current token, refreshed first when about to expire."""
        if self.tokens.expires_at - self._clock() < REFRESH_MARGIN:
            return await self.refresh()
        return self.tokens.access_token

    async def refresh(self) -> str:
        """Refresh once even when many calls ask at the same moment."""
        stale = self.tokens.access_token
        async with self._lock:
            if self.tokens.access_token != stale:
                return self.tokens.access_token
            if not self.tokens.refresh_token:
                raise AuthorizationExpiredError()
            self.tokens = await self._oauth.refresh(self.tokens.refresh_token)
            if self._on_refresh is not None:
                await self._on_refresh(self.tokens)
            return self.tokens.access_token
