"""Google push-notification channels as rows: made, looked up by a notification, renewed,
stopped. A channel's token is kept only as its SHA-256."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.store.models import Calendar, GoogleConnection, WatchChannel


def token_digest(token: str) -> str:
    """What is stored of a channel's token."""
    return hashlib.sha256(token.encode()).hexdigest()


async def take_notification(
    session: AsyncSession, channel_id: str, token: str, message: int | None
) -> WatchChannel | None:
    """The channel a notification names, if its token is the channel's (compared in
    constant time) and the message is newer than any taken before (a replay is not); the
    message number is recorded."""
    channel = await session.get(WatchChannel, channel_id, with_for_update=True)
    if channel is None or not hmac.compare_digest(channel.token_hash, token_digest(token)):
        return None
    if message is not None:
        if channel.last_message is not None and message <= channel.last_message:
            return None
        channel.last_message = message
    return channel


async def channels_of_calendar(session: AsyncSession, calendar_id: str) -> list[WatchChannel]:
    """A calendar's channels, newest first."""
    found = await session.scalars(
        select(WatchChannel)
        .where(WatchChannel.calendar_id == calendar_id)
        .order_by(WatchChannel.expires_at.desc())
    )
    return list(found)


async def channels_of_user(session: AsyncSession, user_id: str) -> list[WatchChannel]:
    """Every channel of the user's calendars."""
    found = await session.scalars(select(WatchChannel).where(WatchChannel.user_id == user_id))
    return list(found)


async def forget(session: AsyncSession, channel_ids: list[str]) -> None:
    """Drop channels (stopped, gone from Google, or expired)."""
    if channel_ids:
        await session.execute(delete(WatchChannel).where(WatchChannel.id.in_(channel_ids)))


def has_live_channel(now: datetime) -> ColumnElement[bool]:
    """The calendar (of the enclosing query) has a live channel."""
    return (
        select(WatchChannel.id)
        .where(WatchChannel.calendar_id == Calendar.id, WatchChannel.expires_at > now)
        .exists()
    )


async def live_channels(
    session: AsyncSession, calendar_ids: list[str], *, now: datetime
) -> dict[str, datetime]:
    """Of these calendars, the ones with a live channel, and when it expires (the latest)."""
    if not calendar_ids:
        return {}
    found = await session.execute(
        select(WatchChannel.calendar_id, WatchChannel.expires_at).where(
            WatchChannel.calendar_id.in_(calendar_ids), WatchChannel.expires_at > now
        )
    )
    live: dict[str, datetime] = {}
    for calendar_id, expires_at in found:
        live[calendar_id] = max(expires_at, live.get(calendar_id, expires_at))
    return live


async def calendars_to_watch(
    session: AsyncSession, *, now: datetime, watching: bool, limit: int = 500
) -> list[str]:
    """Calendars whose channels are not as they should be: when `watching`, a synced
    calendar of a connected user with no channel that is not due for renewal yet (and no
    failed attempt to wait out); and a calendar no longer synced (or whose user
    disconnected) that still has a channel."""
    renewed = select(WatchChannel.id).where(
        WatchChannel.calendar_id == Calendar.id, WatchChannel.renew_at > now
    )
    connected = select(GoogleConnection.user_id).where(GoogleConnection.user_id == Calendar.user_id)
    unwatched = select(Calendar.id).where(
        Calendar.sync_enabled.is_(True),
        connected.exists(),
        ~renewed.exists(),
        or_(Calendar.next_watch_at.is_(None), Calendar.next_watch_at <= now),
    )
    unwanted = (
        select(WatchChannel.calendar_id)
        .join(Calendar, Calendar.id == WatchChannel.calendar_id)
        .where(or_(Calendar.sync_enabled.is_(False), ~connected.exists()))
    )
    found = list(await session.scalars(unwatched.limit(limit))) if watching else []
    found += [c for c in await session.scalars(unwanted.distinct().limit(limit)) if c not in found]
    return found


async def watch_again_at(session: AsyncSession, calendar_id: str, when: datetime | None) -> None:
    """When to try again to make the calendar a channel (Google refused one; None: at once,
    when it needs one)."""
    await session.execute(
        update(Calendar).where(Calendar.id == calendar_id).values(next_watch_at=when)
    )
    if when is not None:  # and its channels wait as long before they are replaced
        await session.execute(
            update(WatchChannel)
            .where(WatchChannel.calendar_id == calendar_id, WatchChannel.renew_at < when)
            .values(renew_at=when)
        )
