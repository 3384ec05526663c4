"""Which users' calendars changed, told to every process that shows pages: in process on
SQLite (one process does everything), through PostgreSQL's LISTEN/NOTIFY otherwise, so a
change a worker synced from Google reaches a page served by any web process.

Only "this calendar of this user changed" travels; a page then reads what it shows through
the API, as the user.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterable
from typing import Any

import psycopg
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

log = logging.getLogger("touchbase.changes")
CHANNEL = "touchbase_changes"
# PostgreSQL refuses a notification payload of 8000 bytes or more.
MAX_PAYLOAD_BYTES = 7999
RECONNECT_SECONDS = 1.0

Change = tuple[str, str]  # (user id, calendar id)


class ChangeFeed:
    """Fan changes out to this process's subscribers (one queue per open page)."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[str]]] = {}

    def subscribe(self, user_id: str) -> asyncio.Queue[str]:
        """A queue of the user's changed calendar ids (until `unsubscribe`)."""
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=1000)
        self._subscribers.setdefault(user_id, set()).add(queue)
        return queue

    def unsubscribe(self, user_id: str, queue: asyncio.Queue[str]) -> None:
        """Stop delivering to `queue`."""
        queues = self._subscribers.get(user_id, set())
        queues.discard(queue)
        if not queues:
            self._subscribers.pop(user_id, None)

    def deliver(self, changes: Iterable[Change]) -> None:
        """Hand changes to the subscribers of their users (a full queue drops: its page is
        told of a change already, and reads everything again)."""
        for user_id, calendar_id in changes:
            for queue in self._subscribers.get(user_id, ()):
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait(calendar_id)

    async def publish(self, session: AsyncSession, changes: set[Change]) -> None:
        """Tell every process of `changes`, once `session`'s transaction commits (and never,
        if it rolls back)."""

        def committed(_session: Session) -> None:
            self.deliver(changes)

        event.listen(session.sync_session, "after_commit", committed, once=True)

    async def start(self) -> None:
        """Begin receiving other processes' changes (nothing to receive in process)."""

    async def stop(self) -> None:
        """Stop receiving."""


class PostgresChangeFeed(ChangeFeed):
    """The same, across processes: NOTIFY in the changing transaction (delivered when it
    commits, to every process LISTENing, this one included)."""

    def __init__(self, libpq_url: str) -> None:
        super().__init__()
        self.libpq_url = libpq_url
        self._listener: asyncio.Task[None] | None = None

    async def publish(self, session: AsyncSession, changes: set[Change]) -> None:
        for payload in payloads(changes):
            await session.execute(
                text("SELECT pg_notify(:channel, :payload)"),
                {"channel": CHANNEL, "payload": payload},
            )

    async def start(self) -> None:
        if self._listener is None:
            self._listener = asyncio.get_running_loop().create_task(self._listen_forever())

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None

    async def _listen_forever(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.libpq_url, autocommit=True
                ) as connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    async for notice in connection.notifies():
                        self.deliver(_changes_in(notice.payload))
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database went away: listen again
                log.warning("change feed lost its connection (%s); listening again", error)
            await asyncio.sleep(RECONNECT_SECONDS)


def payloads(changes: set[Change]) -> list[str]:
    """The changes as JSON arrays of [user id, calendar id] pairs, each short enough for one
    notification (as many pairs in each as fit)."""
    messages: list[list[str]] = [[]]
    size = 2  # the brackets
    for change in sorted(changes):
        pair = json.dumps(change)
        cost = len(pair.encode()) + 2  # with its ", "
        if messages[-1] and size + cost > MAX_PAYLOAD_BYTES:
            messages.append([])
            size = 2
        messages[-1].append(pair)
        size += cost
    return ["[" + ", ".join(pairs) + "]" for pairs in messages if pairs]


def _changes_in(payload: str) -> list[Change]:
    try:
        raw: Any = json.loads(payload)
    except ValueError:
        return []
    if not isinstance(raw, list):
        return []
    return [
        (str(item[0]), str(item[1])) for item in raw if isinstance(item, list) and len(item) == 2
    ]
