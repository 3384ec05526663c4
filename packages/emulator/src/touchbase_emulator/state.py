"""The emulator's in-memory state: users, calendars, events, OAuth grants and channels.

Events are kept as Google's wire JSON (plain dicts), beside the bookkeeping that Google keeps
out of sight: a modification sequence number (the basis of sync tokens) and the creation order
(the basis of stable pagination). The whole state can be written to and read from a JSON file.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

Json = dict[str, Any]


@dataclass
class StoredEvent:
    """One event (or recurring exception) of a calendar, as Google would return it."""

    data: Json
    seq: int
    order: int


@dataclass
class Calendar:
    """A calendar and its events, owned by one user."""

    id: str
    owner: str
    summary: str
    time_zone: str
    description: str = ""
    location: str = ""
    resource_id: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    events: dict[str, StoredEvent] = field(default_factory=dict)
    etag_seq: int = 0
    # Sharing: acl rules by id ("user:bob@example.com"), beside the owner's implicit rule.
    acl: dict[str, Json] = field(default_factory=dict)

    def by_ical_uid(self, ical_uid: str) -> StoredEvent | None:
        """The event (not an exception) with this iCalUID, if any."""
        for stored in self.events.values():
            if stored.data.get("iCalUID") == ical_uid and "recurringEventId" not in stored.data:
                return stored
        return None


@dataclass
class User:
    """An account: its email is also the id of its primary calendar."""

    email: str
    calendar_ids: list[str] = field(default_factory=list)  # the calendar list, in order
    # What this user set on their calendar list entries (colour, hidden, summaryOverride...).
    list_entries: dict[str, Json] = field(default_factory=dict)


@dataclass
class Grant:
    """An access or refresh token, or an authorization code, and what it allows."""

    email: str
    scopes: list[str]
    client_id: str = ""
    expires_at: float | None = None  # wall-clock seconds; None = never
    redirect_uri: str = ""
    code_challenge: str = ""
    code_challenge_method: str = ""
    offline: bool = False


@dataclass
class Channel:
    """A push-notification channel watching a calendar's events or acl, or a user's calendar
    list or settings (then `calendar_id` is the user's primary calendar: their email)."""

    id: str
    resource_id: str
    calendar_id: str
    address: str
    token: str | None
    expiration_ms: int
    owner: str
    message_number: int = 0
    resource: str = "events"  # events | acl | calendarList | settings


@dataclass
class EmulatorState:
    """Everything the emulator knows. Mutated only by the event loop's thread."""

    users: dict[str, User] = field(default_factory=dict)
    calendars: dict[str, Calendar] = field(default_factory=dict)
    access_tokens: dict[str, Grant] = field(default_factory=dict)
    refresh_tokens: dict[str, Grant] = field(default_factory=dict)
    auth_codes: dict[str, Grant] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    seq: int = 0
    order: int = 0
    # Bumped to invalidate every sync token handed out before.
    token_epoch: int = 0

    def next_seq(self) -> int:
        """A new modification sequence number (monotonic across the emulator)."""
        self.seq += 1
        return self.seq

    def next_order(self) -> int:
        """A new creation-order number."""
        self.order += 1
        return self.order

    def ensure_user(self, email: str, *, time_zone: str = "UTC") -> User:
        """The user `email`, created with its primary calendar if new."""
        user = self.users.get(email)
        if user is None:
            user = User(email=email)
            self.users[email] = user
            self.calendars[email] = Calendar(
                id=email, owner=email, summary=email, time_zone=time_zone
            )
            user.calendar_ids.append(email)
        return user

    def to_json(self) -> Json:
        """The state as plain JSON."""
        return {
            "users": {k: asdict(v) for k, v in self.users.items()},
            "calendars": {k: asdict(v) for k, v in self.calendars.items()},
            "access_tokens": {k: asdict(v) for k, v in self.access_tokens.items()},
            "refresh_tokens": {k: asdict(v) for k, v in self.refresh_tokens.items()},
            "channels": {k: asdict(v) for k, v in self.channels.items()},
            "seq": self.seq,
            "order": self.order,
            "token_epoch": self.token_epoch,
        }

    @classmethod
    def from_json(cls, raw: Json) -> EmulatorState:
        """The state written by `to_json`."""
        state = cls(seq=raw["seq"], order=raw["order"], token_epoch=raw["token_epoch"])
        state.users = {k: User(**v) for k, v in raw["users"].items()}
        for key, cal in raw["calendars"].items():
            events = {eid: StoredEvent(**ev) for eid, ev in cal.pop("events").items()}
            state.calendars[key] = Calendar(**cal, events=events)
        state.access_tokens = {k: Grant(**v) for k, v in raw["access_tokens"].items()}
        state.refresh_tokens = {k: Grant(**v) for k, v in raw["refresh_tokens"].items()}
        state.channels = {k: Channel(**v) for k, v in raw["channels"].items()}
        return state


def save_state(state: EmulatorState, path: Path) -> None:
    """Write the state atomically (temp file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(state.to_json()), encoding="utf-8")
    os.replace(tmp, path)


def load_state(path: Path) -> EmulatorState:
    """The state saved at `path`, or an empty state when there is no file."""
    if not path.exists():
        return EmulatorState()
    return EmulatorState.from_json(json.loads(path.read_text(encoding="utf-8")))
