"""Waits that end early when the process begins stopping: a call waiting to try Google again,
or for its turn in the quota, gives up (what it carried stays queued) rather than holding the
process for the rest of the wait."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]
Stopping = Callable[[], bool]
# How often a wait looks whether the process began stopping.
STOP_CHECK_SECONDS = 0.25


async def pause(seconds: float, *, stopping: Stopping | None, sleep: Sleep) -> bool:
    """Wait `seconds`; False (cut short) when `stopping` says so first, looked at every
    `STOP_CHECK_SECONDS`."""
    if stopping is None:
        await sleep(seconds)
        return True
    deadline = time.monotonic() + seconds
    while not stopping():
        left = deadline - time.monotonic()
        if left <= 0:
            return True
        await sleep(min(left, STOP_CHECK_SECONDS))
    return False
