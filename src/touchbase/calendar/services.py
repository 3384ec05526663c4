"""What the use cases need, passed in once: database, Google accounts, clock, policies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from touchbase.calendar.google_accounts import GoogleAccounts
from touchbase.calendar.records import Clock
from touchbase.google import RetryPolicy
from touchbase.store.changes import ChangeFeed
from touchbase.store.database import Database


@dataclass
class CalendarServices:
    """The dependencies of the calendar use cases."""

    db: Database
    accounts: GoogleAccounts
    clock: Clock
    # Retries while a person waits for an answer; after that the change is "pending".
    request_retry: RetryPolicy = field(
        default_factory=lambda: RetryPolicy(
            max_attempts=4, base_delay=0.2, max_delay=2.0, max_total=8.0
        )
    )
    # The background pusher retries by rescheduling, so each of its attempts is short.
    pusher_retry: RetryPolicy = field(
        default_factory=lambda: RetryPolicy(
            max_attempts=2, base_delay=0.2, max_delay=1.0, max_total=3.0
        )
    )
    push_lease: timedelta = timedelta(seconds=60)
    # Events per page of a sync's listing (Google's maximum; tests use small pages).
    sync_page_size: int = 2500
    max_backoff: timedelta = timedelta(minutes=5)
    # False: requests leave every push to the job queue (web processes that only enqueue).
    push_in_request: bool = True
    # Where Google sends push notifications (None: no channels; calendars are polled).
    notification_address: str | None = None
    # Which calendars changed, told to the open pages of every process.
    changes: ChangeFeed = field(default_factory=ChangeFeed)
