"""What the calendar use cases hand back: an event with its sync state, and conflicts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from touchbase.domain import CalendarEvent
from touchbase.errors import ConflictError
from touchbase.store.codec import CONTENT_KEYS, event_from_json, event_from_text, event_to_json
from touchbase.store.models import Conflict, Event

Clock = Callable[[], datetime]

# Domain field names as the API and the audit log spell them.
API_FIELD = {
    "title": "title",
    "description": "description",
    "location": "location",
    "start": "startTime",
    "end": "endTime",
    "attendees": "attendees",
    "recurrence": "recurrence",
    "status": "status",
    "contact_id": "contactId",
    "touchpoint_id": "touchpointId",
    "conference": "conference",
}
DOMAIN_FIELD = {v: k for k, v in API_FIELD.items()}

RESOLUTIONS = {
    "fields": ("keep_local", "keep_remote", "merge"),
    "deleted_remotely": ("recreate", "discard"),
    "deleted_locally": ("keep_local", "keep_remote"),
}


@dataclass(frozen=True)
class ConflictInfo:
    """An edit made on both sides (the seed's ConflictInfo)."""

    id: str
    event_id: str
    kind: str  # fields | deleted_remotely | deleted_locally
    fields: tuple[str, ...]  # API names
    base: CalendarEvent | None
    local: CalendarEvent | None
    remote: CalendarEvent | None
    created_at: datetime

    @property
    def organizer_only(self) -> bool:
        """Whether Google's version is one only its organizer may change, and the version
        here changes its details: keeping it whole is no choice (Google would not take it)."""
        return (
            self.remote is not None
            and self.local is not None
            and self.remote.organizer_only
            and self.remote.details() != self.local.details()
        )

    @property
    def resolutions(self) -> tuple[str, ...]:
        """What the user may choose."""
        if self.organizer_only or (self.remote is not None and self.remote.kept_by_google):
            return tuple(r for r in RESOLUTIONS[self.kind] if r != "keep_local")
        return RESOLUTIONS[self.kind]

    @classmethod
    def of(cls, row: Conflict) -> ConflictInfo:
        """From its row."""

        def load(raw: dict[str, Any] | None) -> CalendarEvent | None:
            return event_from_json(raw) if raw else None

        return cls(
            id=row.id,
            event_id=row.event_id,
            kind=row.kind,
            fields=tuple(row.fields),
            base=load(row.base),
            local=load(row.local),
            remote=load(row.remote),
            created_at=row.created_at,
        )


def api_etag(version: int) -> str:
    """The API's etag of a version of an event (a quoted string, as in HTTP)."""
    return f'"v{version}"'


class EventRecord(msgspec.Struct, frozen=True):
    """An event as the CRM shows it: the local version and where it stands with Google.

    A msgspec struct, not a dataclass: a listing builds and copies a thousand of them, and
    msgspec does both in C."""

    id: str
    calendar_id: str
    google_event_id: str
    etag: str | None  # Google's: internal to sync
    version: int  # touchbase's own: the API's etag
    event: CalendarEvent
    sync_status: str  # synced | pending | conflict | error
    pending_op: str | None
    deleted: bool
    is_touchpoint: bool
    last_error: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    conflict: ConflictInfo | None = None
    # For one instance of a recurring series: the series' record id, and its rule.
    series_id: str | None = None
    series_recurrence: tuple[str, ...] = ()

    def replace(self, **changes: Any) -> EventRecord:
        """A copy with some fields changed."""
        return msgspec.structs.replace(self, **changes)

    @property
    def api_etag(self) -> str:
        """The etag a client sends back as If-Match: touchbase's version of the event."""
        return api_etag(self.version)

    @classmethod
    def of(cls, row: Event, conflict: Conflict | None = None) -> EventRecord:
        """From its row."""
        return cls(
            id=row.id,
            calendar_id=row.calendar_id,
            google_event_id=row.google_event_id,
            etag=row.etag,
            version=row.version,
            event=event_from_json(row.local),
            sync_status=row.sync_status,
            pending_op=row.pending_op,
            deleted=row.deleted,
            is_touchpoint=row.is_touchpoint,
            last_error=row.last_error,
            created_at=row.created_at,
            updated_at=row.updated_at,
            conflict=ConflictInfo.of(conflict) if conflict else None,
        )

    def as_occurrence(
        self, occurrence_id: str, series_id: str, rule: tuple[str, ...]
    ) -> EventRecord:
        """This record under an occurrence's id, with its series' id and rule."""
        return self.replace(id=occurrence_id, series_id=series_id, series_recurrence=rule)


def listed_record(row: Sequence[Any], conflict: Conflict | None = None) -> EventRecord:
    """A record from a listing's row (`store.events.LISTED`: a record's fields in order, the
    event's JSON as text in the event's place), read by position: a listing reads a thousand
    rows, and reading a row's columns by name costs more than making the record."""
    values: list[Any] = list(row)
    values[5] = event_from_text(values[5])  # the JSON in the event's place
    values.append(ConflictInfo.of(conflict) if conflict else None)
    return EventRecord(*values)


# Keys of a stored event (store/codec.py) as the API and the audit log name them.
STORED_TO_API = {
    key: {"start": "startTime", "end": "endTime"}.get(key, key) for key in CONTENT_KEYS
}


def audit_changes(before: CalendarEvent | None, after: CalendarEvent | None) -> dict[str, Any]:
    """{field: {before, after}} for the fields that differ (API names, JSON values)."""
    raw_before = event_to_json(before) if before else {}
    raw_after = event_to_json(after) if after else {}
    changes = {}
    for key, name in STORED_TO_API.items():
        old, new = raw_before.get(key), raw_after.get(key)
        if old != new and not (_empty(old) and _empty(new)):
            changes[name] = {"before": old, "after": new}
    return changes


def _empty(value: Any) -> bool:
    """No value at all: None, "" and [] say the same (no recurrence, no location)."""
    return value in (None, "", [], {})


def audit_created(raw: dict[str, Any]) -> dict[str, Any]:
    """The audit changes of an event first stored as `raw` (its non-empty fields)."""
    return {
        STORED_TO_API[key]: {"before": None, "after": value}
        for key, value in raw.items()
        if key in STORED_TO_API and value not in (None, "", [])
    }


def conflict_error(record: EventRecord) -> ConflictError:
    """The 409 a client gets when its change met another one."""
    conflict = record.conflict
    assert conflict is not None
    return ConflictError(
        "This event was changed in Google Calendar too; choose what to keep."
        if conflict.kind == "fields"
        else "This event was deleted in Google Calendar."
        if conflict.kind == "deleted_remotely"
        else "This event was changed in Google Calendar; delete it anyway?",
        details={"conflict": conflict, "eventId": record.id},
    )
