"""The tables of a user's calendars: each calendar (and whose it is), its watch channels,
and the sync runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from touchbase.store.models.base import ID, Base
from touchbase.store.types import UtcDateTime

# A user's roles on a calendar (Google's calendarList `accessRole`): those of a calendar
# shared with them, the two of them that only read, and every role kept.
BUSY_ONLY_ROLE = "freeBusyReader"  # sees when the calendar is busy, not its events
READ_ONLY_ROLES = (BUSY_ONLY_ROLE, "reader")
SHARED_ROLES = (*READ_ONLY_ROLES, "writerWithoutPrivateAccess", "writer")
ACCESS_ROLES = (*SHARED_ROLES, "owner")


class Calendar(Base):
    """One of a user's Google calendars."""

    __tablename__ = "calendars"
    __table_args__ = (UniqueConstraint("user_id", "google_calendar_id"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    google_calendar_id: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(String(255))
    time_zone: Mapped[str] = mapped_column(String(64))
    is_primary: Mapped[bool] = mapped_column(default=False)
    # Kept on touchbase only (no Google calendar behind it): never synced nor pushed.
    is_local: Mapped[bool] = mapped_column(default=False, server_default=false())
    sync_enabled: Mapped[bool] = mapped_column(default=True)
    sync_token: Mapped[str | None] = mapped_column(Text, nullable=True)
    # One sync per calendar at a time, across processes.
    sync_lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_synced_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_sync_run_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # When the backstop sync is next due (spread with jitter), and the job holding the lease.
    next_sync_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True, index=True)
    sync_lease_holder: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # After Google refused it a watch channel: when to ask again.
    next_watch_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # The user's role on it, as Google's calendar list last said (one of `ACCESS_ROLES`;
    # NULL: not known yet, taken as the user's own).
    access_role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Of a secondary calendar the user has the owner role on: whether another person is its
    # data owner (Google's calendars.get `dataOwner`; one the user manages for them). NULL:
    # not asked (not such a calendar, or Google did not answer).
    owned_by_other: Mapped[bool | None] = mapped_column(nullable=True)
    # Events Google sent that touchbase could not read (and so does not show), until one is
    # read, deleted in Google, or a full sync no longer lists it: each {"googleEventId",
    # "title", "error"}; NULL: none.
    unread_events: Mapped[list[dict[str, str]] | None] = mapped_column(JSON, nullable=True)
    # Its colours in the user's Google calendar list ("#rrggbb"; NULL: not known), which
    # the pages show its events in.
    color: Mapped[str | None] = mapped_column(String(7), nullable=True)
    text_color: Mapped[str | None] = mapped_column(String(7), nullable=True)

    @property
    def writable(self) -> bool:
        """Whether the user may change its events (not shared with them to view only)."""
        return self.access_role not in READ_ONLY_ROLES

    @property
    def can_leave(self) -> bool:
        """Whether it may leave the user (unshared, deleted): any but their primary calendar
        and the one kept on touchbase."""
        return not (self.is_primary or self.is_local)

    @property
    def shared(self) -> bool:
        """Whether it is someone else's calendar shared with the user: its meetings are the
        user's only where the user is a guest. Google says `owner` to the people a calendar
        is shared with to manage as well as to its maker; a calendar named by a person's
        address (not a secondary calendar's `...@group.calendar.google.com`) that is not the
        user's primary is that person's own, and so is a secondary calendar whose data owner
        Google says is someone else."""
        if not self.can_leave:
            return False
        if self.access_role in SHARED_ROLES:
            return True
        if self.access_role != "owner":
            return False
        return a_persons_calendar(self.google_calendar_id) or self.owned_by_other is True


def a_persons_calendar(google_id: str) -> bool:
    """Whether a calendar id is a person's address (their primary calendar), not one of
    Google's own (secondary, resource, holiday and imported calendars end so)."""
    return "@" in google_id and not google_id.lower().endswith("calendar.google.com")


class WatchChannel(Base):
    """A Google push-notification channel on one calendar's events. While one is renewed
    there are two: the new one is made before the old one is stopped."""

    __tablename__ = "watch_channels"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    calendar_id: Mapped[str] = mapped_column(
        ForeignKey("calendars.id", ondelete="CASCADE"), index=True
    )
    resource_id: Mapped[str] = mapped_column(String(255))
    # SHA-256 (hex) of the channel's own random token: Google sends the token back with each
    # notification; the database never holds it.
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # When a new channel replaces it (a day ahead, or sooner for a short-lived one).
    renew_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    # The highest X-Goog-Message-Number taken: a replayed (older) message changes nothing.
    last_message: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SyncRun(Base):
    """One run of two-way sync for a user: what it did, and how it ended."""

    __tablename__ = "sync_runs"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    trigger: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # running | succeeded | failed
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    calendars: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    google_calls: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # While it runs: each calendar's phase and counts so far.
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
