"""Touchpoints and their events, read together; every query scoped to one user."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.store.models import Contact, Event, Touchpoint

# A touchpoint, its live event (None: it has none, or it was deleted), its contact's name.
WithEvent = tuple[Touchpoint, Event | None, str]


def _with_events(user_id: str) -> Select[Touchpoint, Event, str]:
    live = and_(Event.id == Touchpoint.event_id, Event.deleted.is_(False))
    return (
        select(Touchpoint, Event, Contact.name)
        .join(Contact, Contact.id == Touchpoint.contact_id)
        .outerjoin(Event, live)
        .where(Touchpoint.user_id == user_id)
    )


async def touchpoints(
    session: AsyncSession,
    user_id: str,
    *,
    ids: Sequence[str] | None = None,
    contact_ids: Sequence[str] | None = None,
    statuses: Sequence[str] = (),
    limit: int = 10_000,
) -> list[WithEvent]:
    """The user's touchpoints (of these contacts, in these states) with their events, by
    the date they were planned for."""
    query = _with_events(user_id)
    if ids is not None:
        query = query.where(Touchpoint.id.in_(ids))
    if contact_ids is not None:
        query = query.where(Touchpoint.contact_id.in_(contact_ids))
    if statuses:
        query = query.where(Touchpoint.status.in_(statuses))
    found = await session.execute(query.order_by(Touchpoint.due_date, Touchpoint.id).limit(limit))
    return [(tp, event, str(name)) for tp, event, name in found.all()]


async def get_touchpoint(
    session: AsyncSession, user_id: str, touchpoint_id: str, *, for_update: bool = False
) -> Touchpoint | None:
    """One of the user's touchpoints."""
    query = select(Touchpoint).where(Touchpoint.user_id == user_id, Touchpoint.id == touchpoint_id)
    found = await session.scalars(query.with_for_update() if for_update else query)
    return found.first()


async def by_idempotency_keys(
    session: AsyncSession, user_id: str, keys: Sequence[str]
) -> list[WithEvent]:
    """The touchpoints planned earlier with these idempotency keys, in the keys' order."""
    found = await session.scalars(
        select(Touchpoint.id).where(
            Touchpoint.user_id == user_id, Touchpoint.idempotency_key.in_(list(keys))
        )
    )
    ids = list(found)
    if not ids:
        return []
    listed = await touchpoints(session, user_id, ids=ids)
    place = {key: n for n, key in enumerate(keys)}
    return sorted(listed, key=lambda row: place[row[0].idempotency_key or ""])


async def planned_of(session: AsyncSession, user_id: str, contact_id: str) -> list[Touchpoint]:
    """A contact's planned touchpoints, locked for update."""
    found = await session.scalars(
        select(Touchpoint)
        .where(
            Touchpoint.user_id == user_id,
            Touchpoint.contact_id == contact_id,
            Touchpoint.status == "planned",
        )
        .with_for_update()
    )
    return list(found)


async def cadence_plans(session: AsyncSession, user_id: str) -> dict[str, date]:
    """{contact id: due day} of the touchpoints cadences planned, for the user's contacts that
    have one and no other planned (a touchpoint planned by hand stands in for the
    cadence's). Columns only: a user may have tens of thousands."""
    found = await session.execute(
        select(Touchpoint.contact_id, Touchpoint.due_date, Touchpoint.origin).where(
            Touchpoint.user_id == user_id, Touchpoint.status == "planned"
        )
    )
    planned: dict[str, list[tuple[date, str]]] = {}
    for contact_id, due, origin in found:
        planned.setdefault(contact_id, []).append((due, origin))
    return {
        contact_id: only[0]
        for contact_id, [only, *others] in planned.items()
        if not others and only[1] == "cadence"
    }


async def move_to_event(
    session: AsyncSession, user_id: str, touchpoint_id: str, event_id: str
) -> None:
    """The touchpoint's event is now another row (a series split in Google: the later half)."""
    found = await get_touchpoint(session, user_id, touchpoint_id, for_update=True)
    if found is not None:
        found.event_id = event_id
