"""Long runs of database work that never wait, taking turns with the rest of the event loop.

SQLite's driver runs on the loop (`sqlite_driver`): a statement's `await` returns without the
loop turning. A loop over thousands of rows (an import's contacts, a calendar's pending
changes) therefore held the loop, and every other request, for its whole length: 0.8-3.5 s.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from typing import TypeVar

from touchbase.store.sqlite_driver import LONGEST_RETRY_SECONDS, waiting_writers

T = TypeVar("T")
# Items between two turns: a few ms of work each, so others wait tens of ms at most.
EVERY = 10
LOOK_EVERY_SECONDS = 0.001  # how often `writers_first` looks whether writers still wait


async def taking_turns(items: Iterable[T], every: int = EVERY) -> AsyncIterator[T]:
    """`items`, one at a time, the loop serving others after every `every` of them."""
    for number, item in enumerate(items, start=1):
        yield item
        if number % every == 0:
            await asyncio.sleep(0)


async def writers_first() -> None:
    """Between two transactions of a long run of writes: the other writers of this process
    that wait for SQLite's write lock take it first (each retries after a sleep of up to
    LONGEST_RETRY_SECONDS, and the run's next transaction would take the lock before they
    wake, again and again: a write beside an import waited over a second). Nothing waits
    on PostgreSQL, nor when no one waits."""
    for _ in range(round(2 * LONGEST_RETRY_SECONDS / LOOK_EVERY_SECONDS)):
        if not waiting_writers():
            return
        await asyncio.sleep(LOOK_EVERY_SECONDS)
