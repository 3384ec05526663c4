"""Each user's budget of Google calls as a row (PostgreSQL), so every process spends from the
same bucket: one statement takes a call or says how long to wait. Each statement is atomic
by itself (its row locked while it runs), so none needs a transaction around it."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

_ENSURE = text(
    "INSERT INTO google_quotas (user_id, tokens, refilled_at) "
    "VALUES (:user_id, :capacity, now()) ON CONFLICT (user_id) DO NOTHING"
)
# Refill by the time passed, then take one call if there is one and no pause holds.
_TAKE = text(
    """
    WITH bucket AS (
        SELECT user_id, paused_until,
               LEAST(:capacity, tokens + EXTRACT(EPOCH FROM now() - refilled_at) * :rate)
                   AS available
        FROM google_quotas WHERE user_id = :user_id FOR UPDATE
    ), verdict AS (
        SELECT user_id, available,
               available >= 1 AND (paused_until IS NULL OR paused_until <= now()) AS granted,
               GREATEST((1 - available) / :rate,
                        COALESCE(EXTRACT(EPOCH FROM paused_until - now()), 0), 0) AS wait
        FROM bucket
    )
    UPDATE google_quotas AS q
    SET tokens = CASE WHEN v.granted THEN v.available - 1 ELSE v.available END,
        refilled_at = now()
    FROM verdict AS v WHERE q.user_id = v.user_id
    RETURNING v.granted, v.wait
    """
)
_PAUSE = text(
    "UPDATE google_quotas SET paused_until = GREATEST(COALESCE(paused_until, now()), "
    "now() + make_interval(secs => :seconds)) WHERE user_id = :user_id"
)


async def take_call(connection: AsyncConnection, user_id: str, *, per_minute: int) -> float:
    """Take one call from the user's bucket: 0 when granted, else the seconds to wait."""
    values = {"user_id": user_id, "capacity": float(per_minute), "rate": per_minute / 60}
    row = (await connection.execute(_TAKE, values)).first()
    if row is None:
        await connection.execute(_ENSURE, values)
        row = (await connection.execute(_TAKE, values)).first()
    assert row is not None
    granted, wait = row
    return 0.0 if granted else max(float(wait), 0.001)


async def pause(connection: AsyncConnection, user_id: str, seconds: float) -> None:
    """No call for this user for `seconds` (Google said to slow down)."""
    await connection.execute(_PAUSE, {"user_id": user_id, "seconds": seconds})
