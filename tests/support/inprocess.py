"""The calendar use cases in-process, over a real database and the real emulator (no web
app, no background jobs): for tests that must control exactly when things happen."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.support.app import test_settings
from touchbase.calendar.actors import Actor
from touchbase.calendar.services import CalendarServices
from touchbase.jobs.process import build_services
from touchbase.store import accounts
from touchbase.store.database import Database
from touchbase.users import add_user


@asynccontextmanager
async def calendar_services(
    database_url: str, emulator_url: str, **overrides: Any
) -> AsyncIterator[CalendarServices]:
    """Use-case services on this database, talking to this emulator."""
    settings = test_settings(database_url, emulator_url, 9, **overrides)
    database = Database(database_url)
    async with httpx.AsyncClient(timeout=30) as http:
        try:
            yield build_services(settings, http=http, database=database)
        finally:
            await database.dispose()


async def connected_user(services: CalendarServices, email: str) -> Actor:
    """A user connected to the emulator through the real OAuth flow."""
    await add_user(services.db.url, email)
    async with services.db.session() as session:
        user = await accounts.user_by_email(session, email)
        assert user is not None
    nonce = secrets.token_urlsafe(16)
    url = await services.accounts.authorization_url(user.id, browser_nonce=nonce, login_hint=email)
    async with httpx.AsyncClient() as http:
        answer = await http.get(url)
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    await services.accounts.complete(
        state=query["state"][0], code=query["code"][0], browser_nonce=nonce, signed_in=user.id
    )
    return Actor(user.id, user.email)
