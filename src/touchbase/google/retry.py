"""When to retry a Google call, and how long to wait: truncated exponential backoff with full
jitter, at least `Retry-After`, bounded in attempts and in total time."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds of the retries of one call."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_total: float = 60.0
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def delay(self, attempt: int, *, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        backoff = self.rng.uniform(ceiling / 2, ceiling)
        return max(backoff, retry_after or 0.0)

    def should_retry(self, attempt: int, *, elapsed: float, delay: float) -> bool:
        """Whether another attempt fits in the bounds."""
        return attempt < self.max_attempts and elapsed + delay <= self.max_total


NO_RETRY = RetryPolicy(max_attempts=1)
