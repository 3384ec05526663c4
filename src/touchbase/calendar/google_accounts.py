"""A user's Google connection: connecting through OAuth, and a client for each user whose
refreshed tokens are stored back, encrypted."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.orm import InstrumentedAttribute

from touchbase.calendar.quota import GoogleQuota, SharedQuota
from touchbase.domain.validation import is_valid_time_zone
from touchbase.errors import (
    CalendarError,
    EventNotFoundError,
    InvalidRequestError,
    NotConnectedError,
    PermissionDeniedError,
)
from touchbase.google import (
    CalendarListEntry,
    GoogleCalendarClient,
    GoogleEndpoints,
    OAuthClient,
    OAuthCredentials,
    RetryPolicy,
    TokenSet,
)
from touchbase.google.auth import SCOPE_CALENDAR, SCOPE_CALENDAR_READONLY, SCOPE_EVENTS
from touchbase.google.transport import Quota
from touchbase.store import accounts
from touchbase.store import events as event_store
from touchbase.store.crypto import SecretCipher
from touchbase.store.database import Database
from touchbase.store.models import Calendar, a_persons_calendar

log = logging.getLogger("touchbase.google_accounts")


def _length_of(column: InstrumentedAttribute[str]) -> int:
    length = column.property.columns[0].type.length
    assert isinstance(length, int)
    return length


# What a calendar's row holds: an id that does not fit is not kept, a longer name is cut.
MAX_CALENDAR_ID = _length_of(Calendar.google_calendar_id)
MAX_CALENDAR_NAME = _length_of(Calendar.summary)
MAX_ZONE = _length_of(Calendar.time_zone)
# Calendars asked whose they are (calendars.get) in one reading of the calendar list.
OWNER_ASKS_AT_ONCE = 20
# Write access to events, and read access to the calendar list (to choose calendars).
REQUESTED_SCOPES = [SCOPE_EVENTS, SCOPE_CALENDAR_READONLY]
STATE_LIFETIME = timedelta(minutes=15)
# Decrypted tokens are kept this long in memory (another process may have refreshed them).
TOKEN_CACHE_SECONDS = 30.0


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


class GoogleAccounts:
    """Connections to Google, one per user."""

    def __init__(
        self,
        *,
        db: Database,
        cipher: SecretCipher,
        endpoints: GoogleEndpoints,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        http: httpx.AsyncClient,
        clock: Callable[[], datetime],
        calls_per_minute: int = 500,
    ) -> None:
        self.db = db
        self.cipher = cipher
        self.endpoints = endpoints
        self.redirect_uri = redirect_uri
        self.http = http
        self.clock = clock
        self.oauth = OAuthClient(
            client_id=client_id, client_secret=client_secret, endpoints=endpoints, http=http
        )
        self._cache: dict[str, tuple[float, accounts.StoredTokens]] = {}
        self._calls_per_minute = calls_per_minute
        self._quotas: dict[str, Quota] = {}
        self._winding_down = False

    def wind_down(self) -> None:
        """The process is stopping: calls waiting to be tried again, or for their turn in the
        user's quota, give up at once, each with the failure it last met (Google
        unavailable, if none yet; what it carried stays queued, to be retried later),
        rather than holding the process for the rest of their wait."""
        self._winding_down = True

    def _stopping(self) -> bool:
        return self._winding_down

    async def authorization_url(
        self, user_id: str, *, browser_nonce: str, login_hint: str | None = None
    ) -> str:
        """Where to send the person to grant touchbase access to their calendar; only the
        browser holding `browser_nonce` (a cookie) may complete it."""
        request = self.oauth.authorization_request(
            redirect_uri=self.redirect_uri, scopes=REQUESTED_SCOPES, login_hint=login_hint
        )
        async with self.db.session() as session:
            await accounts.save_oauth_state(
                session,
                self.cipher,
                state=request.state,
                user_id=user_id,
                code_verifier=request.code_verifier,
                browser_binding=_digest(browser_nonce),
                now=self.clock(),
            )
        return request.url

    async def complete(
        self, *, state: str, code: str, browser_nonce: str | None, signed_in: str | None
    ) -> tuple[str, frozenset[str]]:
        """Finish an authorization: store the tokens and the user's calendars; the user now
        connected and the scopes granted. It must come from the browser that started it (its
        nonce cookie), and from the same user if one is signed in there: a consent link sent
        to someone else connects nobody."""
        async with self.db.session() as session:
            pending = await accounts.take_oauth_state(session, self.cipher, state)
        if pending is None or self.clock() - pending.created_at > STATE_LIFETIME:
            raise InvalidRequestError(
                "This authorization link has expired; connect again.",
                details={"reason": "expired"},
            )
        if (
            browser_nonce is None
            or pending.browser_binding is None
            or not hmac.compare_digest(pending.browser_binding, _digest(browser_nonce))
            or signed_in not in (None, pending.user_id)
        ):
            raise InvalidRequestError(
                "This authorization was started in another browser or by another user.",
                action="Connect Google Calendar from your own Settings page.",
                details={"reason": "other_browser"},
            )
        user_id, verifier = pending.user_id, pending.code_verifier
        tokens = await self.oauth.exchange_code(
            code, redirect_uri=self.redirect_uri, code_verifier=verifier
        )
        await self._store(user_id, tokens)
        async with self.db.session() as session:
            requeued = await event_store.requeue_failed(session, user_id, now=self.clock())
        if requeued:
            log.info("user %s reconnected: %d refused changes go out again", user_id, requeued)
        try:
            await self.discover_calendars(user_id)
        except CalendarError:  # a grant without read access: writes will say so
            log.warning("could not list the calendars of user %s", user_id)
        return user_id, tokens.scopes

    async def disconnect(self, user_id: str) -> None:
        """Revoke the user's grant at Google (as far as Google answers) and forget their
        tokens."""
        stored = await self._tokens(user_id)
        if stored is not None:
            with contextlib.suppress(CalendarError):
                await self.oauth.revoke(stored.refresh_token or stored.access_token)
        async with self.db.session() as session:
            await accounts.delete_connection(session, user_id)
        self._cache.pop(user_id, None)

    async def _store(self, user_id: str, tokens: TokenSet) -> None:
        stored = accounts.StoredTokens(
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_at=datetime.fromtimestamp(tokens.expires_at, tz=UTC),
            scopes=tokens.scopes,
            google_email=None,
        )
        async with self.db.session() as session:
            await accounts.save_connection(
                session, self.cipher, user_id=user_id, tokens=stored, now=self.clock()
            )
        self._cache.pop(user_id, None)

    async def _tokens(self, user_id: str) -> accounts.StoredTokens | None:
        cached = self._cache.get(user_id)
        now = time.monotonic()
        if cached is not None and now - cached[0] < TOKEN_CACHE_SECONDS:
            return cached[1]
        async with self.db.read() as session:
            stored = await accounts.load_connection(session, self.cipher, user_id)
        if stored is not None:
            self._cache[user_id] = (now, stored)
        return stored

    async def scopes(self, user_id: str) -> frozenset[str] | None:
        """The scopes the user granted, or None when not connected."""
        stored = await self._tokens(user_id)
        return stored.scopes if stored else None

    async def require_write_access(self, user_id: str) -> None:
        """Refuse early when Google would refuse a write (a user with a calendar kept on
        touchbase only writes without Google)."""
        scopes = await self.scopes(user_id)
        if scopes is None:
            async with self.db.read() as session:
                if await accounts.local_calendar(session, user_id) is not None:
                    return
            raise NotConnectedError(details={"reconnect": "/api/google/connect"})
        if not scopes & {SCOPE_CALENDAR, SCOPE_EVENTS}:
            raise PermissionDeniedError(
                "touchbase may only read this Google Calendar.",
                details={"grantedScopes": sorted(scopes), "reconnect": "/api/google/connect"},
            )

    async def client(
        self, user_id: str, *, retry: RetryPolicy | None = None
    ) -> GoogleCalendarClient:
        """A client for the user's account."""
        stored = await self._tokens(user_id)
        if stored is None:
            raise NotConnectedError(details={"reconnect": "/api/google/connect"})
        tokens = TokenSet(
            access_token=stored.access_token,
            expires_at=stored.expires_at.timestamp(),
            scopes=stored.scopes,
            refresh_token=stored.refresh_token,
        )

        async def save(new: TokenSet) -> None:
            await self._store(user_id, new)

        credentials = OAuthCredentials(
            oauth=self.oauth, tokens=tokens, on_refresh=save, clock=lambda: self.clock().timestamp()
        )
        quota = self._quotas.get(user_id)
        if quota is None:
            quota = self._quotas[user_id] = self._new_quota(user_id)
        return GoogleCalendarClient(
            credentials,
            endpoints=self.endpoints,
            http=self.http,
            retry=retry,
            quota=quota,
            stopping=self._stopping,
        )

    def _new_quota(self, user_id: str) -> Quota:
        """One budget per user: in the database when several processes may share it."""
        if self.db.engine.dialect.name == "postgresql":
            return SharedQuota(self.db, user_id, self._calls_per_minute, stopping=self._stopping)
        return GoogleQuota(self._calls_per_minute, stopping=self._stopping)

    async def discover_calendars(self, user_id: str) -> None:
        """Store the user's calendars (the primary one at least); forget those gone."""
        client = await self.client(user_id)
        scopes = await self.scopes(user_id) or frozenset()
        if scopes & {SCOPE_CALENDAR, SCOPE_CALENDAR_READONLY}:
            await self._store_listed(client, user_id)
        else:
            await self._store_primary(client, user_id)

    async def _store_listed(self, client: GoogleCalendarClient, user_id: str) -> None:
        """Every calendar of the user's calendar list, and those gone (`_gone`) forgotten
        with their events (Google is asked first, outside the transaction)."""
        listed = await client.list_calendars()
        async with self.db.read() as session:
            known = await accounts.user_calendars(session, user_id)
        gone = await _gone(client, known, {entry.id for entry in listed})
        owned_by_others = await _owned_by_others(client, known, listed)
        async with self.db.session() as session:
            if gone:
                await accounts.forget_calendars(session, user_id, gone)
                log.info("user %s: %d calendars gone, forgotten", user_id, len(gone))
            for entry in listed:
                if len(entry.id) > MAX_CALENDAR_ID:
                    log.warning("a calendar of user %s has an id too long to keep", user_id)
                    continue
                await accounts.upsert_calendar(
                    session,
                    user_id=user_id,
                    google_calendar_id=entry.id,
                    summary=(entry.summary or entry.id)[:MAX_CALENDAR_NAME],
                    time_zone=stated_zone(entry.time_zone),
                    is_primary=entry.primary,
                    access_role=entry.access_role,
                    owned_by_other=owned_by_others.get(entry.id),
                    colors=entry.colors(),
                )

    async def _store_primary(self, client: GoogleCalendarClient, user_id: str) -> None:
        """The primary calendar alone, as its events' listing names it (a grant that may
        not read the calendar list)."""
        async with self.db.session() as session:
            async for page in client.list_events("primary", page_size=1):
                calendar_id = page.summary or "primary"
                if len(calendar_id) > MAX_CALENDAR_ID:
                    calendar_id = "primary"  # Google's name for it, whatever its address
                await accounts.upsert_calendar(
                    session,
                    user_id=user_id,
                    google_calendar_id=calendar_id,
                    summary=calendar_id,
                    time_zone=stated_zone(page.time_zone),
                    is_primary=True,
                )
                break

    async def lost(self, calendar: Calendar) -> bool:
        """Whether a calendar Google refused to list the events of (gone, or shared for less
        than that now) has left the user's calendar list too, and so is forgotten here: the
        list is read again (`discover_calendars`, which also refreshes the user's role on
        it). Never the primary calendar."""
        if not calendar.can_leave:
            return False
        await self.discover_calendars(calendar.user_id)
        async with self.db.read() as session:
            return await accounts.user_calendar(session, calendar.user_id, calendar.id) is None


async def _gone(client: GoogleCalendarClient, known: list[Calendar], listed: set[str]) -> list[str]:
    """The ids of the user's `known` calendars (not the primary one, nor the one kept here) that
    left their calendar list and whose events Google no longer shows them either (404):
    unshared, deleted, or no longer theirs. A list that merely leaves one out (hidden,
    removed from the list by the user while still shared, or a list Google answered
    short) is not enough to lose a calendar's cache and the choice to sync it."""
    gone = []
    for calendar in known:
        if not calendar.can_leave or calendar.google_calendar_id in listed:
            continue
        try:
            async for _page in client.list_events(calendar.google_calendar_id, page_size=1):
                break
        except EventNotFoundError:
            gone.append(calendar.id)
        except CalendarError:
            continue  # refused or failing otherwise: still there, as far as is known
    return gone


async def _owned_by_others(
    client: GoogleCalendarClient, known: list[Calendar], listed: list[CalendarListEntry]
) -> dict[str, bool]:
    """Of the listed secondary calendars the user has the owner role on, and not yet
    told apart: whether another person is the data owner (one the user was given to
    manage). Google says so per calendar only (calendars.get), so each is asked once, at
    most `OWNER_ASKS_AT_ONCE` a time and side by side (the first listing of a user with
    many waits for one answer, not for each in turn); one Google does not answer is
    asked next time."""
    me = next((entry.id.lower() for entry in listed if entry.primary), None)
    if me is None:
        return {}
    asked = {c.google_calendar_id: c.owned_by_other for c in known}
    unknown = [
        entry.id
        for entry in listed
        if entry.access_role == "owner"
        and not entry.primary
        and not a_persons_calendar(entry.id)
        and asked.get(entry.id) is None
    ]

    async def ask(calendar_id: str) -> tuple[str, bool | None]:
        try:
            calendar = await client.get_calendar(calendar_id)
        except CalendarError:
            return calendar_id, None
        owner = (calendar.data_owner or "").strip().lower()
        return calendar_id, bool(owner) and owner != me

    answers = await asyncio.gather(*(ask(c) for c in unknown[:OWNER_ASKS_AT_ONCE]))
    return {calendar_id: other for calendar_id, other in answers if other is not None}


def stated_zone(name: str | None) -> str:
    """A calendar's time zone as Google states it, if it is one (untrusted: UTC otherwise)."""
    return name if name and len(name) <= MAX_ZONE and is_valid_time_zone(name) else "UTC"
