"""What the job queue asks the rows (the source of truth; a job is only a reminder of them):
which calendars have changes due for Google, which are due for a backstop sync, who owns a
calendar, when its next change is due, and whose cadences owe touchpoints."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.store.channels import has_live_channel
from touchbase.store.models import Calendar, Contact, Event, GoogleConnection, Touchpoint, User


def _waiting() -> list[ColumnElement[bool]]:
    return [Event.pending_op.is_not(None), Event.sync_status == "pending"]


def _unleased(now: datetime) -> ColumnElement[bool]:
    return or_(Event.push_lease_until.is_(None), Event.push_lease_until < now)


async def calendars_with_due_pushes(
    session: AsyncSession, *, now: datetime, limit: int = 500
) -> list[str]:
    """Calendars of users connected to Google holding a change whose time to go has come
    (and that no pusher holds)."""
    query = (
        select(Event.calendar_id)
        .join(GoogleConnection, GoogleConnection.user_id == Event.user_id)
        .where(
            *_waiting(),
            or_(Event.next_push_at.is_(None), Event.next_push_at <= now),
            _unleased(now),
        )
        .distinct()
        .limit(limit)
    )
    return list(await session.scalars(query))


async def next_push_at(
    session: AsyncSession, calendar_id: str, *, now: datetime
) -> datetime | None:
    """When the calendar's earliest waiting change can next go: its retry time, or when the
    lease of the pusher holding it runs out (None: nothing waits)."""
    mine = [Event.calendar_id == calendar_id, *_waiting()]
    now_due = select(Event.id).where(*mine, _unleased(now), Event.next_push_at.is_(None))
    free = (
        now
        if await session.scalar(now_due.limit(1)) is not None
        else await session.scalar(select(func.min(Event.next_push_at)).where(*mine, _unleased(now)))
    )
    held = await session.scalar(
        select(func.min(Event.push_lease_until)).where(*mine, Event.push_lease_until >= now)
    )
    times = [t for t in (free, held) if t is not None]
    return min(times) if times else None


async def calendars_due_for_sync(
    session: AsyncSession,
    *,
    now: datetime,
    interval: timedelta,
    live_interval: timedelta,
    limit: int = 500,
) -> list[str]:
    """Calendars whose backstop sync is due, each moved on by its interval (`live_interval`
    with a live channel; give or take 20%) as it is taken, so the next look does not take it
    again and syncs spread over time."""
    query = (
        select(Calendar.id, has_live_channel(now))
        .join(GoogleConnection, GoogleConnection.user_id == Calendar.user_id)
        .where(
            Calendar.sync_enabled.is_(True),
            or_(Calendar.next_sync_at.is_(None), Calendar.next_sync_at <= now),
        )
        .order_by(Calendar.next_sync_at)
        .limit(limit)
    )
    due = list(await session.execute(query))
    for calendar_id, live in due:
        every = live_interval if live else interval
        await sync_again_at(session, calendar_id, now + every * random.uniform(0.8, 1.2))
    return [calendar_id for calendar_id, _ in due]


async def sync_again_at(session: AsyncSession, calendar_id: str, when: datetime) -> None:
    """Set when the calendar's backstop sync is next due."""
    await session.execute(
        update(Calendar).where(Calendar.id == calendar_id).values(next_sync_at=when)
    )


async def calendar_owner(session: AsyncSession, calendar_id: str) -> str | None:
    """The user whose calendar this is (None: it is gone)."""
    return await session.scalar(select(Calendar.user_id).where(Calendar.id == calendar_id))


async def users_owing_touchpoints(
    session: AsyncSession, *, owed_before: datetime, limit: int = 500
) -> list[tuple[str, frozenset[str]]]:
    """Users connected to Google with a contact whose cadence has owed a touchpoint since
    before `owed_before`, with the scopes they granted."""
    query = (
        select(GoogleConnection.user_id, GoogleConnection.scopes)
        .where(
            GoogleConnection.user_id.in_(
                select(Contact.user_id).where(
                    Contact.cadence_owed_at.is_not(None), Contact.cadence_owed_at < owed_before
                )
            )
        )
        .limit(limit)
    )
    found = await session.execute(query)
    return [(user_id, frozenset(scopes.split())) for user_id, scopes in found]


async def users_due_for_cadence_review(
    session: AsyncSession, *, now: datetime, interval: timedelta, limit: int = 500
) -> list[tuple[str, frozenset[str]]]:
    """Users connected to Google with a touchpoint a cadence planned, whose cadences' review
    (`User.cadences_review_at`) is due, with the scopes they granted; each moved on by
    `interval` (give or take 20%) as it is taken, as the backstop sync is."""
    cadence_planned = exists().where(
        Touchpoint.user_id == User.id,
        Touchpoint.status == "planned",
        Touchpoint.origin == "cadence",
    )
    query = (
        select(User.id, GoogleConnection.scopes)
        .join(GoogleConnection, GoogleConnection.user_id == User.id)
        .where(
            or_(User.cadences_review_at.is_(None), User.cadences_review_at <= now),
            cadence_planned,
        )
        .order_by(User.cadences_review_at)
        .limit(limit)
    )
    due = list(await session.execute(query))
    for user_id, _ in due:
        await session.execute(
            update(User)
            .where(User.id == user_id)
            .values(cadences_review_at=now + interval * random.uniform(0.8, 1.2))
        )
    return [(user_id, frozenset(scopes.split())) for user_id, scopes in due]
