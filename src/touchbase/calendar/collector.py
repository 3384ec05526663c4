"""Pausing CPython's cyclic garbage collector while thousands of objects are made at once."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


class _Pause:
    depth = 0  # how many pauses are open (syncs of several calendars interleave)
    resume = False  # whether the collector ran before the first of them


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Creating thousands of objects at once makes CPython's cyclic collector rescan them again
    and again (a third of a full sync's time); nothing here makes cycles, so pause it. Pauses
    nest and may span awaits (a page's transaction, never a wait on Google): the collector
    resumes when the last one ends."""
    if _Pause.depth == 0:
        _Pause.resume = gc.isenabled()
        gc.disable()
    _Pause.depth += 1
    try:
        yield
    finally:
        _Pause.depth -= 1
        if _Pause.depth == 0 and _Pause.resume:
            gc.enable()
