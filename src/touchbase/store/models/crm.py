"""The CRM's tables: contacts and their emails, interactions logged, and touchpoints."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from touchbase.store.models.base import ID, Base, partial_index
from touchbase.store.types import UtcDateTime


class Contact(Base):
    """A CRM contact: a person the user keeps in touch with. `emails` in the user's order (the
    first is the one invitations go to); `ContactEmail` indexes them. `version` is the API's
    etag, as for events."""

    __tablename__ = "contacts"
    __table_args__ = (
        partial_index("ix_contacts_cadence_owed", "user_id", "cadence_owed_at"),
        partial_index(
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


class Interaction(Base):
    """What happened when the user met or talked to a contact: notes and an outcome, logged
    after a meeting (`event_id`: the event or occurrence it is about) or on its own."""

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_contact_when", "contact_id", "occurred_at"),
        partial_index(
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
        partial_index(
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
