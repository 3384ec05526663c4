"""The event streams a process has open (the pages' live changes, a sync's progress): at
most so many of one user's at once, and all of them ended the moment the server starts to
stop.

Each stream holds a connection for minutes (a sync's progress also reads the database ten
times a second), so without a limit one token's holder could open every connection the
process may have and stall it for everyone else. And uvicorn waits for open requests before
it tells the app it stops: a stream that waited for that would hold every stop for the whole
grace period, then be cut off mid-answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from touchbase.errors import TooManyStreamsError

T = TypeVar("T")
# A client refused for having too many open waits this long before it tries again.
RETRY_AFTER_SECONDS = 30.0


class Streams:
    """This process's open event streams, counted by user."""

    def __init__(self, per_user: int) -> None:
        self.per_user = per_user
        self.stopping = asyncio.Event()
        self._open: Counter[str] = Counter()

    def open(self, user_id: str, body: AsyncIterator[str]) -> StreamingResponse:
        """The answer streaming `body` as server-sent events, counted as one of the user's
        open streams until it ends (TOO_MANY_STREAMS, 429, if the user has too many)."""
        if self._open[user_id] >= self.per_user:
            raise TooManyStreamsError(
                f"This account has {self.per_user} live connections open already.",
                retry_after=RETRY_AFTER_SECONDS,
            )
        self._open[user_id] += 1
        return _CountedStream(body, release=lambda: self._release(user_id))

    def _release(self, user_id: str) -> None:
        self._open[user_id] -= 1
        if self._open[user_id] <= 0:
            del self._open[user_id]

    def stop(self) -> None:
        """The server starts to stop: every stream ends at its next wait."""
        self.stopping.set()

    async def pause(self, seconds: float) -> None:
        """Sleep `seconds`, or until the server starts to stop."""
        with contextlib.suppress(TimeoutError):  # not `wait_for`: see `InProcessQueue.work`
            async with asyncio.timeout(seconds):
                await self.stopping.wait()

    async def wait(self, waiting: Awaitable[T], seconds: float) -> T | None:
        """What `waiting` gives within `seconds`; None if the time runs out or the server
        starts to stop first (`waiting` is then cancelled)."""
        task = asyncio.ensure_future(waiting)
        stop = asyncio.ensure_future(self.stopping.wait())
        try:
            await asyncio.wait({task, stop}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            if not task.done():
                task.cancel()
        return task.result() if task.done() and not task.cancelled() else None


class _CountedStream(StreamingResponse):
    """A stream of server-sent events that lets its count go once it has been answered (or
    was never answered: the backstop when the response object goes)."""

    def __init__(self, body: AsyncIterator[str], *, release: Callable[[], None]) -> None:
        super().__init__(
            body,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
        self._release = weakref.finalize(self, release)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._release()
