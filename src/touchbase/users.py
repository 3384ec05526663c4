"""Creating users from the command line (and the demo)."""

from __future__ import annotations

from datetime import UTC, datetime

from touchbase.store import accounts
from touchbase.store.database import Database


async def add_user(database_url: str, email: str, *, token_name: str = "cli") -> str:
    """Create the user if new, and return a fresh API token for them."""
    database = Database(database_url)
    try:
        async with database.session() as session:
            now = datetime.now(UTC)
            user = await accounts.user_by_email(session, email)
            if user is None:
                user = await accounts.create_user(session, email, now=now)
            return await accounts.issue_api_token(session, user, name=token_name, now=now)
    finally:
        await database.dispose()
