"""Long runs of database work that never wait, taking turns with the rest of the event loop.

SQLite's driver runs on the loop (`sqlite_driver`): a statement's `await` returns without the
loop turning. A loop over thousands of rows (an import's contacts, a calendar's pending
changes) therefore held the loop, and every other request, for its whole length: 0.8-3.5 s.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from typing import TypeVar

T = TypeVar("T")
# Items between two turns: a few ms of work each, so others wait tens of ms at most.
EVERY = 10


async def taking_turns(items: Iterable[T], every: int = EVERY) -> AsyncIterator[T]:
    """`items`, one at a time, the loop serving others after every `every` of them."""
    for number, item in enumerate(items, start=1):
        yield item
        if number % every == 0:
            await asyncio.sleep(0)
