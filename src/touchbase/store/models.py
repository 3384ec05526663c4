"""The tables. The schema itself is made by the Alembic migrations in `migrations/`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    false,
    inspect,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from touchbase.store.codec import CONTENT_KEYS
from touchbase.store.types import UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
ID = String(36)
MAX_EMAIL = 254
# A user's roles on a calendar (Google's calendarList `accessRole`): those of a calendar
# shared with them, the two of them that only read, and every role kept.
BUSY_ONLY_ROLE = "freeBusyReader"  # sees when the calendar is busy, not its events
READ_ONLY_ROLES = (BUSY_ONLY_ROLE, "reader")
SHARED_ROLES = (*READ_ONLY_ROLES, "writerWithoutPrivateAccess", "writer")
ACCESS_ROLES = (*SHARED_ROLES, "owner")


class Base(DeclarativeBase):
    """Base of every table."""

    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """A person using touchbase."""

    __tablename__ = "users"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # An Argon2 hash; None: the user cannot sign in to the pages (API tokens only).
    password_hash: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # When touchpoints given only a day are placed ({"start": "09:00", "end": "17:00",
    # "days": [0..4]}, Monday = 0); None: the default (domain/touchpoints.WorkingHours).
    working_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # Whether the pages email guests about the person's changes: "ask" each time, always
    # "send", or "never" (the API itself never emails unless a request asks).
    guest_emails: Mapped[str] = mapped_column(String(8), default="ask", server_default="ask")
    # The IANA zone the pages show times in; None: the browser's own.
    time_zone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # When the cadence job next moves the touchpoints cadences planned after the meetings held
    # since (None: at the next tick).
    cadences_review_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class ApiToken(Base):
    """A bearer token for scripts; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # None: never expires (tokens made before expiry existed).
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class WebSession(Base):
    """A signed-in browser: only the SHA-256 of its cookie is stored, with its CSRF token."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    # When the browser last used it (to the minute): an idle session ends.
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class GoogleConnection(Base):
    """A user's Google authorization; tokens encrypted at rest."""

    __tablename__ = "google_connections"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    google_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str | None] = mapped_column(Text, nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    scopes: Mapped[str] = mapped_column(Text)
    connected_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OAuthState(Base):
    """An authorization in progress: its state and PKCE verifier (encrypted)."""

    __tablename__ = "oauth_states"
    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_verifier: Mapped[str] = mapped_column(Text)
    # A digest of the nonce in the cookie of the browser that started the flow: the callback
    # must come from that browser (RFC 6749 §10.12, RFC 9700 §4.7).
    browser_binding: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


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


class GoogleQuota(Base):
    """A user's budget of Google calls (a token bucket), shared by every process."""

    __tablename__ = "google_quotas"
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    tokens: Mapped[float] = mapped_column(Float)
    refilled_at: Mapped[datetime] = mapped_column(UtcDateTime())
    paused_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


def _partial_index(name: str, *columns: str, where: str = "", unique: bool = False) -> Index:
    """An index of the rows where `where` holds (by default: where the last column is set),
    on SQLite and PostgreSQL alike."""
    condition = text(where or f"{columns[-1]} IS NOT NULL")
    return Index(name, *columns, unique=unique, sqlite_where=condition, postgresql_where=condition)


class Contact(Base):
    """A CRM contact: a person the user keeps in touch with. `emails` in the user's order (the
    first is the one invitations go to); `ContactEmail` indexes them. `version` is the API's
    etag, as for events."""

    __tablename__ = "contacts"
    __table_args__ = (
        _partial_index("ix_contacts_cadence_owed", "user_id", "cadence_owed_at"),
        _partial_index(
            "uq_contacts_user_idempotency_key", "user_id", "idempotency_key", unique=True
        ),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    company: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    time_zone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    # Keep in touch every `cadence_every` days, weeks or months (`cadence_unit`); or not.
    cadence_every: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cadence_unit: Mapped[str | None] = mapped_column(String(8), nullable=True)
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # Since when the cadence owes a touchpoint no one has planned yet (an import's contacts,
    # a cadence set while Google could not take events): the cadence job plans it.
    cadence_owed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # The Idempotency-Key of the request that added it, and a digest of that request.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    idempotency_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ContactEmail(Base):
    """Which of a user's contacts an email address is (one each): what links a meeting's
    guests to their contacts."""

    __tablename__ = "contact_emails"
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    contact_id: Mapped[str] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )


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
        _partial_index("uq_events_user_idempotency_key", "user_id", "idempotency_key", unique=True),
        Index("ix_events_user_window", "user_id", "start_at", "end_at"),
        _partial_index("ix_events_contact_id", "contact_id"),
        _partial_index("ix_events_series_instances", "calendar_id", "recurring_event_id"),
        _partial_index(
            "ix_events_series_slots",
            "calendar_id",
            "recurring_event_id",
            "original_start_at",
            where="recurring_event_id IS NOT NULL",
        ),
        # Changes waiting for Google: the pusher's queue (by retry time) and a sync's push.
        _partial_index("ix_events_push_queue", "next_push_at", where="pending_op IS NOT NULL"),
        _partial_index("ix_events_calendar_pending", "calendar_id", where="pending_op IS NOT NULL"),
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
    if any(old.get(key) != value.get(key) for key in CONTENT_KEYS):
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


class Interaction(Base):
    """What happened when the user met or talked to a contact: notes and an outcome, logged
    after a meeting (`event_id`: the event or occurrence it is about) or on its own."""

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_contact_when", "contact_id", "occurred_at"),
        _partial_index(
            "uq_interactions_user_idempotency_key", "user_id", "idempotency_key", unique=True
        ),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    event_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    outcome: Mapped[str] = mapped_column(String(16))  # held | no_show | rescheduled | note
    notes: Mapped[str] = mapped_column(Text)
    # The Idempotency-Key of the request that logged it, and a digest of that request.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    idempotency_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Touchpoint(Base):
    """A planned contact with a person. Once it has its event (`event_id`), the event is the
    truth of when it is: moved in Google, the touchpoint moves with it; deleted, the
    touchpoint needs a new date (crm/touchpoints.py reads both together)."""

    __tablename__ = "touchpoints"
    __table_args__ = (
        Index("ix_touchpoints_user_status", "user_id", "status", "due_date"),
        _partial_index(
            "uq_touchpoints_user_idempotency_key", "user_id", "idempotency_key", unique=True
        ),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    contact_id: Mapped[str] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    due_date: Mapped[date] = mapped_column(Date())
    # The time asked for; None: any time that day (the event goes to the first free slot).
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # planned | done | skipped | missed
    origin: Mapped[str] = mapped_column(String(16))  # manual | cadence
    event_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # A digest of the request that used `idempotency_key`: a replay must send the same body.
    idempotency_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AuditEntry(Base):
    """Append-only: who changed which event, when, how, and from where."""

    __tablename__ = "audit_log"
    __table_args__ = (_partial_index("ix_audit_log_contact_id", "contact_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    contact_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
