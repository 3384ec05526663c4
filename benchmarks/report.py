"""Printing benchmark figures side by side."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """(seconds, result) of one call."""
    began = time.perf_counter()
    result = fn()
    return time.perf_counter() - began, result


def median(values: list[float]) -> float:
    """The median."""
    return statistics.median(values)


def table(title: str, headers: list[str], rows: list[list[str]]) -> None:
    """Print a plain-text table."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
