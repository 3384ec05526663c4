"""Push notifications from Google: a watch channel per synced calendar, renewed before it
expires, stopped when nobody needs it.

Each channel has its own random token (only its hash is stored), checked on every
notification. Google's channels never renew themselves: a new one is made before the old is
stopped (both may deliver for a while). Where no channel can be made (no https address),
calendars are polled by the backstop sync alone.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import datetime, timedelta

from touchbase.calendar.services import CalendarServices
from touchbase.errors import CalendarError, EventNotFoundError, NotConnectedError, TransientError
from touchbase.google import GoogleCalendarClient
from touchbase.store import accounts
from touchbase.store import channels as channel_store
from touchbase.store.models import Calendar, WatchChannel

log = logging.getLogger("touchbase.channels")
# A channel is replaced this long before it expires (or a quarter of a short lifetime).
RENEW_AHEAD = timedelta(days=1)
# After Google refused a channel, how long until it is asked again.
ASK_AGAIN_AFTER = timedelta(minutes=10)
# Google's default lifetime, when its answer names none; and the bounds of a stated one.
DEFAULT_LIFETIME = timedelta(days=7)
SHORTEST_LIFETIME = timedelta(seconds=2)
LONGEST_LIFETIME = timedelta(days=31)
MILLISECOND = timedelta(milliseconds=1)


def renewal_time(now: datetime, expires_at: datetime) -> datetime:
    """When a channel living until `expires_at` is replaced."""
    return expires_at - min(RENEW_AHEAD, (expires_at - now) / 4)


async def keep_watch(services: CalendarServices, calendar_id: str) -> None:
    """Make the calendar's channels what they should be: one live channel, not due for
    renewal, while the calendar is synced, its user connected and a notification address
    known; none otherwise (stopped in Google as far as it can be)."""
    now = services.clock()
    async with services.db.session() as session:
        calendar = await accounts.calendar_by_id(session, calendar_id)
        if calendar is None:
            return
        existing = await channel_store.channels_of_calendar(session, calendar_id)
    client = await _client(services, calendar.user_id)
    wanted = calendar.sync_enabled and client is not None and services.notification_address
    stale = [c for c in existing if c.expires_at <= now]
    if not wanted:
        stale = existing
    elif not any(c.renew_at > now for c in existing):
        assert client is not None
        if await _open(services, client, calendar, now) in ("made", "gone"):
            # The new one delivers: the old ones are stopped after it. Or Google has no such
            # calendar any more: its channels are gone with it.
            stale = existing
    await stop_channels(services, client, stale)


async def _client(services: CalendarServices, user_id: str) -> GoogleCalendarClient | None:
    try:
        return await services.accounts.client(user_id, retry=services.pusher_retry)
    except NotConnectedError:
        return None


async def _open(
    services: CalendarServices, client: GoogleCalendarClient, calendar: Calendar, now: datetime
) -> str:
    """Ask Google for a new channel on the calendar's events: `made`, `refused` (asked again
    later), or `gone` (404: Google has no such calendar; also asked again later)."""
    address = services.notification_address
    assert address is not None
    channel_id, token = uuid.uuid4().hex, secrets.token_urlsafe(32)
    try:
        made = await client.watch_events(
            calendar.google_calendar_id, channel_id=channel_id, address=address, token=token
        )
    except CalendarError as error:
        log.warning("no watch channel for calendar %s: %s", calendar.id, error)
        async with services.db.session() as session:
            await channel_store.watch_again_at(session, calendar.id, now + ASK_AGAIN_AFTER)
        return "gone" if isinstance(error, EventNotFoundError) else "refused"
    expires_at = channel_expiry(now, made.expiration)
    async with services.db.session() as session:
        session.add(
            WatchChannel(
                id=channel_id,
                user_id=calendar.user_id,
                calendar_id=calendar.id,
                resource_id=made.resource_id[:255],
                token_hash=channel_store.token_digest(token),
                expires_at=expires_at,
                renew_at=renewal_time(now, expires_at),
                created_at=now,
            ),
        )
        await channel_store.watch_again_at(session, calendar.id, None)
    return "made"


def channel_expiry(now: datetime, expiration_ms: int | None) -> datetime:
    """When a channel Google made expires, as its answer says, kept within reason (the
    answer is untrusted: no channel lives for ever, or has expired before it began)."""
    if not expiration_ms:
        return now + DEFAULT_LIFETIME
    lifetime_ms = expiration_ms - now.timestamp() * 1000
    shortest, longest = SHORTEST_LIFETIME / MILLISECOND, LONGEST_LIFETIME / MILLISECOND
    return now + MILLISECOND * min(max(lifetime_ms, shortest), longest)


async def stop_channels(
    services: CalendarServices, client: GoogleCalendarClient | None, channels: list[WatchChannel]
) -> None:
    """Stop channels in Google and forget them. One Google no longer knows (or that expired)
    is only forgotten; one that could not be stopped for now is kept, to try again."""
    now = services.clock()
    forgotten = []
    for channel in channels:
        if client is not None and channel.expires_at > now:
            try:
                await client.stop_channel(channel.id, channel.resource_id)
            except EventNotFoundError:
                pass  # gone already
            except TransientError:
                continue
            except CalendarError as error:
                log.warning("channel %s could not be stopped: %s", channel.id, error)
        forgotten.append(channel.id)
    async with services.db.session() as session:
        await channel_store.forget(session, forgotten)


async def stop_watching_user(services: CalendarServices, user_id: str) -> None:
    """Stop every channel of the user's calendars (before Google is disconnected, or the
    user removed)."""
    async with services.db.session() as session:
        channels = await channel_store.channels_of_user(session, user_id)
    if channels:
        await stop_channels(services, await _client(services, user_id), channels)
