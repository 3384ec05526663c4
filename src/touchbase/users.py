"""Users: creating them from the command line (and the demo), and their passwords."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from touchbase.store import accounts, sessions
from touchbase.store.database import Database
from touchbase.store.models import User

MIN_PASSWORD = 8
_hasher = PasswordHasher()


def set_password(user: User, password: str) -> None:
    """Store an Argon2 hash of a new password (at least MIN_PASSWORD characters)."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"A password needs at least {MIN_PASSWORD} characters.")
    user.password_hash = _hasher.hash(password)


def password_matches(user: User | None, password: str) -> bool:
    """Whether `password` is the user's (always False for no user, or one without a password)."""
    if user is None or user.password_hash is None:
        _hasher.hash(password)  # the same work either way: no timing hint that the user exists
        return False
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


async def add_user(
    database_url: str,
    email: str,
    *,
    token_name: str = "cli",
    password: str | None = None,
    token_lifetime: timedelta | None = None,
) -> str:
    """Create the user if new (setting the password if given: every browser signed in with
    the old one is signed out); return a fresh API token valid for `token_lifetime`."""
    database = Database(database_url)
    try:
        async with database.session() as session:
            now = datetime.now(UTC)
            user = await accounts.user_by_email(session, email)
            if user is None:
                user = await accounts.create_user(session, email, now=now)
            if password is not None:
                set_password(user, password)
                await sessions.end_sessions_of(session, user.id)
            return await accounts.issue_api_token(
                session, user, name=token_name, now=now, lifetime=token_lifetime
            )
    finally:
        await database.dispose()


async def list_tokens(database_url: str, email: str) -> str:
    """A table of a user's API tokens: id, name, created, last used, expires."""
    database = Database(database_url)
    try:
        async with database.session() as session:
            user = await accounts.user_by_email(session, email)
            if user is None:
                raise SystemExit(f"No user {email}.")
            tokens = await accounts.user_tokens(session, user.id)
    finally:
        await database.dispose()

    def day(moment: datetime | None, empty: str) -> str:
        return moment.strftime("%Y-%m-%d %H:%M") if moment else empty

    lines = [f"{'id':36}  {'name':12}  {'created':16}  {'last used':16}  expires"]
    lines += [
        f"{t.id:36}  {t.name[:12]:12}  {day(t.created_at, '')}  "
        f"{day(t.last_used_at, 'never'):16}  {day(t.expires_at, 'never')}"
        for t in tokens
    ]
    return "\n".join(lines)


async def revoke_token(database_url: str, token_id: str) -> bool:
    """Revoke an API token by its id; whether there was one."""
    database = Database(database_url)
    try:
        async with database.session() as session:
            return await accounts.revoke_token(session, token_id)
    finally:
        await database.dispose()
