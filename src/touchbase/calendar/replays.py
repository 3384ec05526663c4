"""A request sent again with its Idempotency-Key answers what the first one made. What it
asked for is kept as a digest beside what it made, so that a replay is told apart from another
request that reuses the key (IETF Idempotency-Key draft: 422)."""

from __future__ import annotations

import hashlib

import msgspec

from touchbase.errors import IdempotencyKeyReusedError


def request_digest(request: object) -> str:
    """A digest of what a request asks for (any value msgspec encodes)."""
    return hashlib.sha256(msgspec.json.encode(request)).hexdigest()


def check_same_request(kept: str | None, digest: str | None) -> None:
    """IdempotencyKeyReusedError unless the request that used the key (its digest `kept`,
    None before digests were kept) asked for the same."""
    if kept not in (None, digest):
        raise IdempotencyKeyReusedError(details={"field": "Idempotency-Key"})
