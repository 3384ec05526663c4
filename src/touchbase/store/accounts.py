"""Users, API tokens, Google connections, authorizations in progress, and calendars."""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.store.crypto import SecretCipher
from touchbase.store.models import (
    ACCESS_ROLES,
    BUSY_ONLY_ROLE,
    ApiToken,
    Calendar,
    GoogleConnection,
    OAuthState,
    User,
)
from touchbase.store.pending import note_changes, set_now_or_after
from touchbase.store.sqlite_driver import OFF_THE_LOOP

TOKEN_USE_RESOLUTION = timedelta(minutes=5)


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def new_ids(count: int) -> list[str]:
    """Fresh row ids: version-7 UUIDs (RFC 9562) in their text form, made without building a
    `uuid.UUID` and from one read of the clock and of the random source (a full sync makes one
    per event). Each starts with the time in milliseconds, then 74 random bits: ids made one
    after another sort together, so new rows go to the end of the primary-key index instead of
    to random pages of it."""
    millis = f"{time.time_ns() // 1_000_000:012x}"
    head = f"{millis[:8]}-{millis[8:12]}-7"
    r = os.urandom(10 * count).hex()
    return [
        f"{head}{r[i : i + 3]}-{_VARIANT[r[i + 3]]}{r[i + 4 : i + 7]}-{r[i + 8 : i + 20]}"
        for i in range(0, 20 * count, 20)
    ]


def new_id() -> str:
    """A fresh row id (see `new_ids`)."""
    return new_ids(1)[0]


def hash_token(token: str) -> str:
    """The stored form of an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


async def create_user(session: AsyncSession, email: str, *, now: datetime) -> User:
    """A new user (emails are unique, compared lower-cased)."""
    user = User(id=new_id(), email=email.strip().lower(), created_at=now)
    session.add(user)
    await session.flush()
    return user


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    """The user with this email, if any."""
    found = await session.scalars(select(User).where(User.email == email.strip().lower()))
    return found.first()


async def issue_api_token(
    session: AsyncSession,
    user: User,
    *,
    name: str,
    now: datetime,
    lifetime: timedelta | None = None,
) -> str:
    """A new API token for `user` (valid for `lifetime`, or until revoked): shown once,
    stored hashed."""
    token = "tb_" + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            id=new_id(),
            user_id=user.id,
            name=name,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=None if lifetime is None else now + lifetime,
        )
    )
    await session.flush()
    return token


async def user_tokens(session: AsyncSession, user_id: str) -> list[ApiToken]:
    """A user's API tokens (their hashes only), oldest first."""
    found = await session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at)
    )
    return list(found)


async def revoke_token(session: AsyncSession, token_id: str) -> bool:
    """Delete an API token by its id; whether there was one."""
    result = await session.execute(delete(ApiToken).where(ApiToken.id == token_id))
    return bool(getattr(result, "rowcount", 0))


async def user_for_token(session: AsyncSession, token: str, *, now: datetime) -> User | None:
    """The user an API token belongs to, if it is valid (one query: every API request asks)."""
    found = (
        await session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == hash_token(token))
        )
    ).first()
    if found is None or not _in_use(session, found[0], now):
        return None
    return found[1]


async def token_holds(session: AsyncSession, token_hash: str, user_id: str, now: datetime) -> bool:
    """Whether the API token with this hash is still valid, and still `user_id`'s."""
    row = (await session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash))).first()
    return row is not None and row.user_id == user_id and _in_use(session, row, now)


def _in_use(session: AsyncSession, row: ApiToken, now: datetime) -> bool:
    """Whether a token has not expired; if so, its use is noted, but not on every request
    (reads should not write), and in a read-only transaction once it ends."""
    if row.expires_at is not None and row.expires_at <= now:
        return False
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_RESOLUTION:
        set_now_or_after(session.sync_session, row, last_used_at=now)
    return True


@dataclass(frozen=True)
class StoredTokens:
    """A connection's tokens, decrypted."""

    access_token: str
    refresh_token: str | None
    expires_at: datetime
    scopes: frozenset[str]
    google_email: str | None


async def save_connection(
    session: AsyncSession,
    cipher: SecretCipher,
    *,
    user_id: str,
    tokens: StoredTokens,
    now: datetime,
) -> None:
    """Store (or replace) a user's Google tokens, encrypted."""
    row = (
        await session.scalars(select(GoogleConnection).where(GoogleConnection.user_id == user_id))
    ).first()
    if row is None:
        row = GoogleConnection(id=new_id(), user_id=user_id, connected_at=now)
        session.add(row)
    row.access_token = cipher.encrypt(tokens.access_token)
    if tokens.refresh_token:
        row.refresh_token = cipher.encrypt(tokens.refresh_token)
    row.expires_at = tokens.expires_at
    row.scopes = " ".join(sorted(tokens.scopes))
    row.google_email = tokens.google_email or row.google_email
    row.updated_at = now
    await session.flush()


async def load_connection(
    session: AsyncSession, cipher: SecretCipher, user_id: str
) -> StoredTokens | None:
    """A user's Google tokens, decrypted; None when not connected."""
    row = (
        await session.scalars(select(GoogleConnection).where(GoogleConnection.user_id == user_id))
    ).first()
    if row is None:
        return None
    return StoredTokens(
        access_token=cipher.decrypt(row.access_token),
        refresh_token=cipher.decrypt(row.refresh_token) if row.refresh_token else None,
        expires_at=row.expires_at,
        scopes=frozenset(row.scopes.split()),
        google_email=row.google_email,
    )


async def delete_connection(session: AsyncSession, user_id: str) -> None:
    """Forget a user's Google tokens."""
    await session.execute(delete(GoogleConnection).where(GoogleConnection.user_id == user_id))


async def delete_user(session: AsyncSession, user_id: str) -> None:
    """Remove a user and everything of theirs (every table's rows go with the user's)."""
    await session.execute(delete(User).where(User.id == user_id))


async def save_oauth_state(
    session: AsyncSession,
    cipher: SecretCipher,
    *,
    state: str,
    user_id: str,
    code_verifier: str,
    browser_binding: str,
    now: datetime,
) -> None:
    """Remember an authorization in progress, and the browser it belongs to."""
    session.add(
        OAuthState(
            state=state,
            user_id=user_id,
            code_verifier=cipher.encrypt(code_verifier),
            browser_binding=browser_binding,
            created_at=now,
        )
    )
    await session.flush()


@dataclass(frozen=True)
class PendingAuthorization:
    """An authorization in progress, as `save_oauth_state` kept it."""

    user_id: str
    code_verifier: str
    browser_binding: str | None
    created_at: datetime


async def take_oauth_state(
    session: AsyncSession, cipher: SecretCipher, state: str
) -> PendingAuthorization | None:
    """A pending authorization, used up once (whoever presents its state)."""
    row = await session.get(OAuthState, state)
    if row is None:
        return None
    await session.execute(delete(OAuthState).where(OAuthState.state == state))
    return PendingAuthorization(
        row.user_id, cipher.decrypt(row.code_verifier), row.browser_binding, row.created_at
    )


async def upsert_calendar(
    session: AsyncSession,
    *,
    user_id: str,
    google_calendar_id: str,
    summary: str,
    time_zone: str,
    is_primary: bool,
    access_role: str | None = None,
    owned_by_other: bool | None = None,
    colors: tuple[str, str] | None = None,
) -> Calendar:
    """Add or refresh one of a user's calendars (`access_role`: the user's role on it, if
    Google said; a role Google may add later is kept as not known; `owned_by_other`: whether
    another person is its data owner, when just asked, else what was known is kept; `colors`:
    its background and text colours, when Google gave them, else those known are kept)."""
    row = (
        await session.scalars(
            select(Calendar).where(
                Calendar.user_id == user_id, Calendar.google_calendar_id == google_calendar_id
            )
        )
    ).first()
    if row is None:
        row = Calendar(
            id=new_id(),
            user_id=user_id,
            google_calendar_id=google_calendar_id,
            sync_enabled=is_primary,
        )
        session.add(row)
    row.summary, row.time_zone, row.is_primary = summary, time_zone, is_primary
    row.access_role = access_role if access_role in ACCESS_ROLES else None
    if owned_by_other is not None:
        row.owned_by_other = owned_by_other
    if colors is not None:
        row.color, row.text_color = colors
    if row.access_role == BUSY_ONLY_ROLE:  # no events to read: nothing to sync
        row.sync_enabled = False
    await session.flush()
    return row


async def forget_calendars(session: AsyncSession, user_id: str, calendar_ids: list[str]) -> None:
    """Remove these calendars of the user's with their events (gone from Google for them);
    never the primary one nor the one kept on touchbase."""
    gone = [
        row
        for row in await user_calendars(session, user_id)
        if row.id in calendar_ids and row.can_leave
    ]
    if not gone:
        return
    # Its events go by the database's cascade: a long statement, off the loop.
    ids = [row.id for row in gone]
    await session.execute(
        delete(Calendar).where(Calendar.id.in_(ids)), execution_options=OFF_THE_LOOP
    )
    for row in gone:
        session.expunge(row)
    note_changes(session.sync_session, [(user_id, row_id) for row_id in ids])  # open pages


async def primary_calendar(session: AsyncSession, user_id: str) -> Calendar | None:
    """The user's primary calendar, if connected."""
    found = await session.scalars(
        select(Calendar).where(Calendar.user_id == user_id, Calendar.is_primary.is_(True))
    )
    return found.first()


LOCAL_CALENDAR_ID = "touchbase:local"  # its google_calendar_id: no Google calendar has it


async def local_calendar(session: AsyncSession, user_id: str) -> Calendar | None:
    """The user's calendar kept on touchbase only, if they started one."""
    found = await session.scalars(
        select(Calendar).where(Calendar.user_id == user_id, Calendar.is_local.is_(True))
    )
    return found.first()


async def start_local_calendar(session: AsyncSession, user_id: str, time_zone: str) -> Calendar:
    """The user's local calendar, made if there is none."""
    found = await local_calendar(session, user_id)
    if found is not None:
        return found
    row = Calendar(
        id=new_id(),
        user_id=user_id,
        google_calendar_id=LOCAL_CALENDAR_ID,
        summary="My calendar (on touchbase)",
        time_zone=time_zone,
        is_primary=False,
        is_local=True,
        sync_enabled=False,
    )
    session.add(row)
    await session.flush()
    return row


async def user_addresses(session: AsyncSession, user_id: str) -> list[str]:
    """The user's own addresses in Google (lower case): their primary calendar's id, which
    is their account's address, and the address their connection was granted for."""
    primary = select(Calendar.google_calendar_id).where(
        Calendar.user_id == user_id, Calendar.is_primary.is_(True)
    )
    granted = select(GoogleConnection.google_email).where(GoogleConnection.user_id == user_id)
    found = await session.scalars(primary.union_all(granted))
    return sorted({str(a).strip().lower() for a in found if a})


async def user_calendars(session: AsyncSession, user_id: str) -> list[Calendar]:
    """All of the user's calendars, primary first."""
    found = await session.scalars(
        select(Calendar)
        .where(Calendar.user_id == user_id)
        .order_by(Calendar.is_primary.desc(), Calendar.summary)
    )
    return list(found)


# session.info key: the calendars a transaction read, by id (kept for its length).
CALENDARS_READ = "touchbase.calendars"


def calendar_read(session: AsyncSession, row: Calendar) -> None:
    """Keep a calendar row read with another for the rest of the transaction."""
    read: dict[str, Calendar] = session.info.setdefault(CALENDARS_READ, {})
    read.setdefault(row.id, row)


async def calendar_by_id(session: AsyncSession, calendar_id: str) -> Calendar | None:
    """A calendar row, read once per transaction however many of its events it writes (the
    session's identity map alone lets a row no one holds go, and reads it again)."""
    read: dict[str, Calendar] = session.info.setdefault(CALENDARS_READ, {})
    row = read.get(calendar_id)
    if row is None:
        row = await session.get(Calendar, calendar_id)
        if row is not None:
            read[calendar_id] = row
    return row


async def user_calendar(session: AsyncSession, user_id: str, calendar_id: str) -> Calendar | None:
    """One of the user's calendars by our id (another user's is None)."""
    row = await calendar_by_id(session, calendar_id)
    return row if row is not None and row.user_id == user_id else None


async def secret_key_fits(session: AsyncSession, cipher: SecretCipher) -> bool:
    """Whether `cipher` decrypts what is stored (one Google connection is enough to tell)."""
    row = (await session.scalars(select(GoogleConnection).limit(1))).first()
    if row is None:
        return True
    try:
        cipher.decrypt(row.access_token)
    except ValueError:
        return False
    return True
