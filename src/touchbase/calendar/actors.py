"""Who makes a change: the person (or sync, or touchbase itself) a change is recorded for, whom
Google emails about it, and the audit entry that says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.domain import CalendarEvent
from touchbase.store import events as event_store
from touchbase.store.models import Event


@dataclass(frozen=True)
class Actor:
    """Who makes a change, from where (`api`, `ui`, `sync`, `system`), and whether Google
    should email the event's guests about it (`send_updates`: none, externalOnly or all: a
    person's request says so; nothing else ever emails)."""

    user_id: str
    email: str
    source: str = "api"
    send_updates: str = "none"


# Google's sendUpdates values, from emailing no one to emailing every guest.
EMAIL_GUESTS = ("none", "externalOnly", "all")


def send_updates(row: Event, actor: Actor, *versions: CalendarEvent | None) -> str:
    """Whom Google emails when the row's pending change is pushed: what the person asked for
    a change of an event that has (or had) guests, never for anything automatic. A change
    still waiting for Google keeps the emails an earlier one asked for: one write carries
    both, and the guests must not miss the invitation the first promised."""
    asked = "none"
    if actor.source in ("api", "ui") and any(v is not None and v.attendees for v in versions):
        asked = actor.send_updates
    waiting = (row.send_updates if row.pending_op is not None else None) or "none"
    return max(asked, waiting, key=EMAIL_GUESTS.index)


def audit(
    session: AsyncSession,
    actor: Actor,
    event_id: str | None,
    *,
    action: str,
    now: datetime,
    changes: dict[str, Any],
    contact_id: str | None = None,
) -> None:
    """The audit entry of a change a person made (to an event, or a contact)."""
    event_store.record_audit(
        session,
        user_id=actor.user_id,
        event_id=event_id,
        contact_id=contact_id,
        action=action,
        source=actor.source,
        actor=actor.email,
        at=now,
        changes=changes,
    )
