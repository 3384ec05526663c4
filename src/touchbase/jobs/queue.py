"""The job queue's interface, shared by its two backends (`in_process`, `procrastinate`).

A job is a reminder, never the only record of work: the rows (changes waiting for Google, a
calendar's next sync) are the truth, and the tick re-defers what no job covers, so a lost
job can only delay work. Two guarantees the backends both keep: one job of a calendar runs
at a time (its `lock`), and at most one job per `queueing_lock` waits (a second is merged
into the waiting one, which then runs at the earlier of their two times).
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

JobKind = Literal["push", "sync", "run", "watch", "cadence"]
# Retries in our code (upstream retry with a queueing lock can wedge a job: issue 1446).
MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(seconds=2)
MAX_DELAY = timedelta(minutes=5)
# A job running when its process stops has this long to finish before it is handed back.
GRACEFUL_SECONDS = 10.0


@dataclass(frozen=True)
class Job:
    """Push a calendar's due changes, sync it, or make its push-notification channels right
    (`subject`: the calendar); carry out a sync run a person asked for ("Sync now";
    `subject`: the run); or keep a user's cadences (`cadence`; `subject`: the user): plan the
    touchpoints they owe, and move later those meetings held made early. `attempt` counts the
    retries so far."""

    kind: JobKind
    subject: str
    attempt: int = 0
    trigger: str = "schedule"

    @property
    def lock(self) -> str:
        """No two jobs of one calendar run at once (a run's calendars are held by their
        sync leases, as they come), nor two of a user's cadences."""
        if self.kind in ("run", "cadence"):
            return f"{self.kind}:{self.subject}"
        return f"calendar:{self.subject}"

    @property
    def queueing_lock(self) -> str:
        """At most one job of each kind waits for a calendar (or a run, or a user)."""
        return f"{self.kind}:{self.subject}"

    @property
    def priority(self) -> int:
        """A person waits on a push or a run; then channels and cadences; a backstop sync
        is background."""
        return {"sync": 0, "watch": 5, "cadence": 5}.get(self.kind, 10)

    def arguments(self) -> dict[str, Any]:
        """The job as JSON."""
        return {
            "kind": self.kind,
            "subject": self.subject,
            "attempt": self.attempt,
            "trigger": self.trigger,
        }


def retry_delay(attempt: int) -> timedelta:
    """Capped exponential backoff with full jitter before retry number `attempt` (from 1)."""
    ceiling: timedelta = min(MAX_DELAY, BASE_DELAY * 2 ** (attempt - 1))
    return ceiling * random.uniform(0.5, 1.0)


# What runs a job (`holder` names this run of it), and what the periodic tick does.
Perform = Callable[[Job, str], Awaitable[None]]
Tick = Callable[[], Awaitable[None]]


class JobQueue(ABC):
    """Defer jobs, run them (`work`), and count them."""

    @abstractmethod
    async def defer(
        self, job: Job, *, at: datetime | None = None, session: AsyncSession | None = None
    ) -> bool:
        """Queue `job` to run at `at` (None: now). With `session`, in its transaction: the job
        exists only if that commits, and a job already waiting never undoes the caller's
        writes. False when a job with the same queueing lock was waiting already."""

    @abstractmethod
    async def work(self, concurrency: int) -> None:
        """Run jobs (at most `concurrency` at once) and the tick until cancelled; then let
        running jobs finish within the graceful timeout, and hand back what is left."""

    @abstractmethod
    async def counts(self) -> dict[str, int]:
        """Jobs by state: todo, doing, succeeded, failed, ..."""

    async def open(self) -> None:  # noqa: B027 (most backends have nothing to open)
        """Connect (before deferring)."""

    async def close(self) -> None:  # noqa: B027
        """Disconnect."""
