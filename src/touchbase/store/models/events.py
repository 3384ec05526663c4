"""The tables of events: the cache of each event with its local and sync state (its guests
indexed and its base kept at every write), conflicts, and the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column

from touchbase.store.codec import VERSION_KEYS
from touchbase.store.models.base import ID, MAX_EMAIL, Base, partial_index
from touchbase.store.types import UtcDateTime


class Event(Base):
    """The cache of one Google event, with its local state and sync state.

    `local` is what the user sees; `base` is the last version known to be in Google (the base
    of three-way merges), with its `etag`. `pending_op` says what still has to reach Google.

    Most rows are synced, with nothing changed here: their base equals `local`, and the `base`
    column is then NULL instead of a second copy (a sync of thousands of events writes half
    the bytes). A row never in Google has no etag, and so no base. Changing `local` keeps the
    base it had (see `_keep_base`).
    """

    __tablename__ = "events"
    # Columns that are NULL on most rows (every event that came from Google) are indexed only
    # where set: a sync's bulk insert then skips those indexes, and they stay small.
    __table_args__ = (
        UniqueConstraint("calendar_id", "google_event_id"),
        partial_index("uq_events_user_idempotency_key", "user_id", "idempotency_key", unique=True),
        Index("ix_events_user_window", "user_id", "start_at", "end_at"),
        partial_index("ix_events_contact_id", "contact_id"),
        partial_index("ix_events_series_instances", "calendar_id", "recurring_event_id"),
        partial_index(
            "ix_events_series_slots",
            "calendar_id",
            "recurring_event_id",
            "original_start_at",
            where="recurring_event_id IS NOT NULL",
        ),
        # Changes waiting for Google: the pusher's queue (by retry time) and a sync's push.
        partial_index("ix_events_push_queue", "next_push_at", where="pending_op IS NOT NULL"),
        partial_index("ix_events_calendar_pending", "calendar_id", where="pending_op IS NOT NULL"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    calendar_id: Mapped[str] = mapped_column(ForeignKey("calendars.id", ondelete="CASCADE"))
    google_event_id: Mapped[str] = mapped_column(String(1024))
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # A digest of the request that used `idempotency_key`: a replay must send the same body.
    idempotency_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    local: Mapped[dict[str, Any]] = mapped_column(JSON)
    # touchbase's own version of the event (the API's etag): one more with every change of
    # what a person sees, made here or brought from Google.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    stored_base: Mapped[dict[str, Any] | None] = mapped_column("base", JSON, nullable=True)
    etag: Mapped[str | None] = mapped_column(String(200), nullable=True)
    start_at: Mapped[datetime] = mapped_column(UtcDateTime())
    end_at: Mapped[datetime] = mapped_column(UtcDateTime())
    contact_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # For one instance of a series (an exception): the series' Google event id.
    recurring_event_id: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    # And the instant it was scheduled for (midnight UTC of an all-day occurrence's date).
    original_start_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    is_touchpoint: Mapped[bool] = mapped_column(default=False)
    sync_status: Mapped[str] = mapped_column(String(16))
    pending_op: Mapped[str | None] = mapped_column(String(16), nullable=True)
    deleted: Mapped[bool] = mapped_column(default=False)
    send_updates: Mapped[str] = mapped_column(String(16), default="none")
    push_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_push_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    push_lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    @property
    def base(self) -> dict[str, Any] | None:
        """The last version known to be in Google (None: never there)."""
        if self.stored_base is not None:
            return self.stored_base
        return self.local if self.etag is not None else None

    @base.setter
    def base(self, value: dict[str, Any] | None) -> None:
        # `row.local = row.base = x`: the same object as `local` is not stored twice.
        self.stored_base = None if value is not None and value is self.local else value

    def new_version(self) -> None:
        """Mark a change a person can see: the API's etag moves on."""
        self.version = (self.version or 1) + 1


@event.listens_for(Event.local, "set", active_history=True)
def _keep_base(target: Event, value: Any, old: Any, _initiator: Any) -> Any:
    """Before `local` changes, a base that was `local` itself gets a copy of its own; a
    change a person can see makes a new version (no write path can forget either)."""
    if not isinstance(old, dict):
        return value
    if target.stored_base is None and target.etag is not None:
        target.stored_base = old
    if any(old.get(key) != value.get(key) for key in VERSION_KEYS):
        target.new_version()
    return value


def guest_emails(guests: Iterable[tuple[object, object, object]]) -> list[str]:
    """The emails `event_guests` holds of an event's guests, given as (email, response
    status, whether the guest is the user) triples: lower case, each once, not those who
    declined (they were not met), and none when the user declined (no one was met)."""
    listed = list(guests)
    if any(is_self and status == "declined" for _, status, is_self in listed):
        return []
    found = {
        str(email or "").strip().lower() for email, status, _ in listed if status != "declined"
    }
    return sorted(e for e in found if e and len(e) <= MAX_EMAIL)


def _guests_in(local: dict[str, Any]) -> list[str]:
    attendees = local.get("attendees") or ()
    return guest_emails(
        (a.get("email"), a.get("responseStatus"), a.get("isSelf"))
        for a in attendees
        if isinstance(a, dict)
    )


def _index_guests(connection: Any, row: Event, *, replace: bool) -> None:
    guests: Table = EventGuest.__table__  # type: ignore[assignment]
    if replace:
        connection.execute(guests.delete().where(guests.c.event_id == row.id))
    emails = _guests_in(row.local)
    if emails:
        connection.execute(
            guests.insert(),
            [{"event_id": row.id, "email": e, "user_id": row.user_id} for e in emails],
        )


@event.listens_for(Event, "after_insert")
def _guests_of_new_event(_mapper: Any, connection: Any, target: Event) -> None:
    """A new event's guests are indexed in its flush (bulk inserts do it themselves)."""
    _index_guests(connection, target, replace=False)


@event.listens_for(Event, "after_update")
def _guests_of_changed_event(_mapper: Any, connection: Any, target: Event) -> None:
    """A changed event's guests are indexed again in its flush, if they changed."""
    history = inspect(target).attrs.local.history
    if not history.has_changes():
        return
    before = history.deleted[0] if history.deleted else None
    if isinstance(before, dict) and _guests_in(before) == _guests_in(target.local):
        return
    _index_guests(connection, target, replace=True)


class Conflict(Base):
    """An edit made both here and in Google, kept for the user to resolve."""

    __tablename__ = "conflicts"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    fields: Mapped[list[str]] = mapped_column(JSON)
    base: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    local: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    remote: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    remote_etag: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    resolution: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class EventGuest(Base):
    """One guest email of a cached event, unless that guest declined (kept at every write of
    its `local`): what puts a meeting on the timelines of the contacts with that email."""

    __tablename__ = "event_guests"
    __table_args__ = (Index("ix_event_guests_user_email", "user_id", "email"),)
    event_id: Mapped[str] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))


class AuditEntry(Base):
    """Append-only: who changed which event, when, how, and from where."""

    __tablename__ = "audit_log"
    __table_args__ = (partial_index("ix_audit_log_contact_id", "contact_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    contact_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
