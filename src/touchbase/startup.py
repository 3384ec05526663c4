"""What the commands check before they run: the settings, the database, the secret key.

Each mistake ends the command with one line that names the setting and the fix, never a
traceback (a mistyped URL or a database that is down is not a bug in touchbase)."""

from __future__ import annotations

import asyncio
import contextlib
import resource
from urllib.parse import urlsplit

from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from touchbase.config import ConfigurationError, Settings
from touchbase.store import accounts
from touchbase.store.crypto import SecretCipher
from touchbase.store.database import Database, migrate

# Where the hard limit is "unlimited", as many as Linux lets a process open by default.
MOST_OPEN_FILES = 1_048_576


def open_files_as_allowed() -> None:
    """Raise this process's limit on open files to the most it is allowed. Each open page
    holds a connection (its live stream): at the usual soft limit of 1,024 (systemd's, many
    containers'), a thousand pages would leave the server unable to accept any other
    connection, open its database or call Google. The event loop uses epoll, which has no
    limit of its own on descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = MOST_OPEN_FILES if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):  # above what the kernel allows
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def _where(url: str) -> str:
    """The database URL without its password."""
    parts = urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return parts.geturl()


def prepare_database(settings: Settings) -> None:
    """Apply migrations; ConfigurationError when the database cannot be reached or opened."""
    try:
        migrate(settings.database_url)
    except (OperationalError, DBAPIError, ArgumentError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise ConfigurationError(
            f"TOUCHBASE_DATABASE_URL={_where(settings.database_url)}: cannot open the "
            f"database ({reason}). Check the address, that the server runs and accepts "
            "this user, or that the folder of the SQLite file exists and is writable."
        ) from None


async def _key_fits(settings: Settings) -> bool:
    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            return await accounts.secret_key_fits(session, SecretCipher(settings.secret_key))
    finally:
        await database.dispose()


def check_secret_key(settings: Settings) -> None:
    """ConfigurationError when the secret key does not decrypt the stored Google tokens."""
    if not asyncio.run(_key_fits(settings)):
        raise ConfigurationError(
            "TOUCHBASE_SECRET_KEY does not decrypt the Google tokens stored in the database: "
            "it was changed. Set the key they were stored with again (or, to start over, "
            "delete the rows of google_connections and have each user reconnect Google)."
        )
