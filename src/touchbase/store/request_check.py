"""A check a request's first transaction runs before its work.

An API request used to spend a transaction of its own on its token before the transaction
that does its work. The web layer now, for a token it has seen before, leaves the check to
the request's first `Database.session()`: the token is then checked in the same transaction
as the work (a token revoked a moment before cannot slip between the two), for the price of
one query. Should the check fail, that transaction and every later one of the request raise
the check's error, whatever the request's code makes of it, and the web layer answers with
that error. A request that opens no transaction has its check run before its answer starts
(`web/request_checks.py`). Tasks the request starts copy its context but are not the request:
they neither run its check nor are stopped by it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

# Whether the check holds, run in the session it is given.
Check = Callable[[AsyncSession], Awaitable[bool]]


@dataclass
class RequestCheck:
    """The check of one request (its task): waiting (`run`), passed, or failed."""

    task: asyncio.Task[Any] | None = field(default_factory=asyncio.current_task)
    run: Check | None = None
    failure: Exception | None = None
    failed: bool = False

    def mine(self) -> bool:
        return self.task is asyncio.current_task()

    def unsettled(self) -> bool:
        """Whether it waits for a transaction to run in, or failed."""
        return self.run is not None or self.failed


_current: ContextVar[RequestCheck | None] = ContextVar("touchbase_request_check", default=None)


def open_request() -> tuple[RequestCheck, Token[RequestCheck | None]]:
    """A new request's (empty) check, current in its task from here on."""
    check = RequestCheck()
    return check, _current.set(check)


def close_request(token: Token[RequestCheck | None]) -> None:
    _current.reset(token)


def defer(run: Check, failure: Exception) -> bool:
    """Leave `run` to this request's first transaction (raising `failure` should it not
    hold); False outside a request opened here, where the caller must check at once."""
    check = _current.get()
    if check is None or not check.mine() or check.failed:
        return False
    check.run, check.failure = run, failure
    return True


def current() -> RequestCheck | None:
    """The current request's check, in the request's own task (None in any other)."""
    check = _current.get()
    return check if check is not None and check.mine() else None


async def run_pending(session: AsyncSession, check: RequestCheck | None = None) -> None:
    """Run a request's waiting check (the current one's, or `check` whatever task runs
    this) in `session` (the start of a transaction): raise its failure if it fails, or
    failed before."""
    check = check or current()
    if check is None:
        return
    if check.run is not None:
        run, check.run = check.run, None
        check.failed = not await run(session)
    if check.failed:
        assert check.failure is not None
        raise check.failure
