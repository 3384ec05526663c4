"""A request sent again with its Idempotency-Key answers what the first one made. What it
asked for is kept as a digest beside what it made, so that a replay is told apart from another
request that reuses the key (IETF Idempotency-Key draft: 422)."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.errors import IdempotencyKeyReusedError
from touchbase.store.database import Database


class Made(Protocol):
    """A row a request made, with the digest of that request (None before digests were
    kept)."""

    @property
    def idempotency_fingerprint(self) -> str | None: ...


M = TypeVar("M", bound=Made)


def request_digest(request: object) -> str:
    """A digest of what a request asks for (any value msgspec encodes)."""
    return hashlib.sha256(msgspec.json.encode(request)).hexdigest()


def check_same_request(kept: str | None, digest: str | None) -> None:
    """IdempotencyKeyReusedError unless the request that used the key (its digest `kept`,
    None before digests were kept) asked for the same."""
    if kept not in (None, digest):
        raise IdempotencyKeyReusedError(details={"field": "Idempotency-Key"})


async def made_before(
    db: Database, find: Callable[[AsyncSession], Awaitable[M | None]], digest: str | None
) -> M | None:
    """What a request with the key `find` looks for made (None: nothing yet), if it asked
    for the same as this one (`digest`); else IdempotencyKeyReusedError."""
    async with db.read() as session:
        earlier = await find(session)
    if earlier is not None:
        check_same_request(earlier.idempotency_fingerprint, digest)
    return earlier
