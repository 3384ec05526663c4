"""The user's calendars, sync runs and audit log, as the API reads them."""

from __future__ import annotations

import contextlib
from datetime import datetime

from touchbase.calendar.channels import stop_watching_user
from touchbase.calendar.services import CalendarServices
from touchbase.errors import CalendarError, EventNotFoundError, InvalidEventError
from touchbase.store import accounts
from touchbase.store import channels as channel_store
from touchbase.store import sync as sync_store
from touchbase.store.models import BUSY_ONLY_ROLE, Calendar, SyncRun


async def list_calendars(services: CalendarServices, user_id: str) -> list[Calendar]:
    """The user's calendars, refreshed from Google's calendar list when possible."""
    with contextlib.suppress(CalendarError):  # not connected, or no read scope
        await services.accounts.discover_calendars(user_id)
    async with services.db.read() as session:
        return await accounts.user_calendars(session, user_id)


async def live_until(services: CalendarServices, calendar_ids: list[str]) -> dict[str, datetime]:
    """Of these calendars, those Google sends push notifications for, and until when."""
    async with services.db.read() as session:
        return await channel_store.live_channels(session, calendar_ids, now=services.clock())


async def choose_calendar(
    services: CalendarServices, user_id: str, calendar_id: str, *, sync_enabled: bool
) -> Calendar:
    """Turn syncing of one of the user's calendars on or off."""
    async with services.db.session() as session:
        row = await accounts.user_calendar(session, user_id, calendar_id)
        if row is None:
            raise EventNotFoundError("No such calendar.")
        if row.is_local and sync_enabled:
            raise InvalidEventError(
                "This calendar is kept on touchbase only: move its events into a Google "
                "calendar instead.",
                field="syncEnabled",
            )
        if row.access_role == BUSY_ONLY_ROLE and sync_enabled:
            raise InvalidEventError(
                f"{row.summary} shares only when its owner is busy, not its events: there "
                "is nothing to sync.",
                field="syncEnabled",
            )
        row.sync_enabled = sync_enabled
        return row


async def disconnect_google(services: CalendarServices, user_id: str) -> None:
    """Stop the user's push-notification channels, then revoke and forget their Google
    tokens. The cache stays, and so do changes waiting for Google: they go when Google is
    connected again."""
    await stop_watching_user(services, user_id)
    await services.accounts.disconnect(user_id)


async def remove_user(services: CalendarServices, user_id: str) -> None:
    """Disconnect Google, then remove the user and everything of theirs."""
    await disconnect_google(services, user_id)
    async with services.db.session() as session:
        await accounts.delete_user(session, user_id)


async def sync_run(services: CalendarServices, user_id: str, run_id: str) -> SyncRun:
    """One of the user's sync runs."""
    async with services.db.read() as session:
        run = await sync_store.get_run(session, user_id, run_id)
    if run is None:
        raise EventNotFoundError("No such sync run.")
    return run
