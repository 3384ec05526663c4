"""A person's requests to plan touchpoints, one or many at once, each exactly once: a replay
with the request's Idempotency-Key answers what it planned, also when it comes while the first
is still under way (its insert meets the key's unique index: the first to commit is the
answer), and the key sent with another request is IdempotencyKeyReusedError. A batch's
touchpoints carry the key with their place in it (`key#n`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.actors import Actor
from touchbase.calendar.batch_push import push_pending
from touchbase.calendar.replays import check_same_request, request_digest
from touchbase.calendar.request_push import push_now
from touchbase.calendar.services import CalendarServices
from touchbase.crm.touchpoints import (
    TouchpointPlan,
    TouchpointState,
    get_touchpoint,
    plan_context,
    plan_one,
    states,
)
from touchbase.errors import InvalidTouchpointError
from touchbase.store import touchpoints as touchpoint_store


async def _earlier(
    session: AsyncSession, user_id: str, keys: list[str], digest: str | None
) -> list[TouchpointState] | None:
    """What a request with these keys planned (those still there), in their order; None if
    nothing yet. The digest covers every item: a request for fewer or other items is not
    the same."""
    found = await touchpoint_store.by_idempotency_keys(session, user_id, keys)
    if not found:
        return None
    for touchpoint, _, _ in found:
        check_same_request(touchpoint.idempotency_fingerprint, digest)
    return await states(session, user_id, found)


async def _plan(
    services: CalendarServices,
    actor: Actor,
    plans: Sequence[TouchpointPlan],
    keys: list[str] | None,
    *,
    batch: bool,
) -> tuple[list[TouchpointState], str | None]:
    """The touchpoints planned (with their events staged), or planned before with `keys`;
    and the calendar whose changes are to push (None for a replay). In a `batch`, a bad
    plan's field is named by its place (`items[n].dueDate`)."""
    digest = request_digest(list(plans)) if keys else None  # only a keyed request keeps one
    try:
        async with services.db.session() as session:
            if keys and (earlier := await _earlier(session, actor.user_id, keys, digest)):
                return earlier, None
            context = await plan_context(session, actor, services.clock())
            made = []
            for n, plan in enumerate(plans):
                key = keys[n] if keys else None
                try:
                    touchpoint, _ = await plan_one(context, plan, origin="manual", key=key)
                except InvalidTouchpointError as problem:
                    if not batch:
                        raise
                    field = f"items[{n}].{problem.field}" if problem.field else f"items[{n}]"
                    raise InvalidTouchpointError(problem.message, field=field) from None
                touchpoint.idempotency_fingerprint = digest
                made.append(touchpoint.id)
            calendar_id = context.calendar.id
    except IntegrityError:
        if not keys:
            raise
        async with services.db.read() as session:
            earlier = await _earlier(session, actor.user_id, keys, digest)
        assert earlier is not None
        return earlier, None
    async with services.db.read() as session:
        found = await touchpoint_store.touchpoints(session, actor.user_id, ids=made)
        order = {touchpoint_id: n for n, touchpoint_id in enumerate(made)}
        listed = await states(session, actor.user_id, found)
    return sorted(listed, key=lambda s: order[s.touchpoint.id]), calendar_id


async def plan_touchpoint(
    services: CalendarServices,
    actor: Actor,
    plan: TouchpointPlan,
    *,
    idempotency_key: str | None = None,
) -> TouchpointState:
    """Plan one touchpoint and make its event (the seed's createTouchpointEvent), pushed at
    once."""
    await services.accounts.require_write_access(actor.user_id)
    keys = [idempotency_key] if idempotency_key else None
    [made], calendar_id = await _plan(services, actor, [plan], keys, batch=False)
    if calendar_id is None or made.touchpoint.event_id is None:
        return made
    await push_now(services, actor.user_id, made.touchpoint.event_id)
    return await get_touchpoint(services, actor.user_id, made.touchpoint.id)


async def plan_touchpoints(
    services: CalendarServices,
    actor: Actor,
    plans: Sequence[TouchpointPlan],
    *,
    idempotency_key: str | None = None,
) -> tuple[list[TouchpointState], int]:
    """Plan many touchpoints at once, all or none (a bad one named `items[n].field`); their
    events go to Google in batches. Returns them and the Google requests made (none for a
    replay)."""
    await services.accounts.require_write_access(actor.user_id)
    keys = [f"{idempotency_key}#{n}" for n in range(len(plans))] if idempotency_key else None
    made, calendar_id = await _plan(services, actor, plans, keys, batch=True)
    if calendar_id is None:
        return made, 0
    return made, await push_pending(services, actor.user_id, calendar_id)
