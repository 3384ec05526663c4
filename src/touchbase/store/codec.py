"""How a domain event is kept in a JSON column: the struct's own JSON form (camelCase keys,
every field present, times as RFC 3339), written and read by msgspec."""

from __future__ import annotations

from typing import Any

import msgspec

from touchbase.domain import CalendarEvent
from touchbase.domain.merge import MERGE_FIELDS

# The stored keys of what a person sees and edits (the fields a merge compares; the rest is
# the provider's bookkeeping).
_STORED_NAME = {f.name: f.encode_name for f in msgspec.structs.fields(CalendarEvent)}
CONTENT_KEYS = tuple(_STORED_NAME[name] for name in MERGE_FIELDS)
# The keys whose change is a new version of the event (its API etag): what a person sees and
# edits, and what Google keeps that they see (the files attached).
VERSION_KEYS = (*CONTENT_KEYS, _STORED_NAME["attachments"])


def event_to_json(event: CalendarEvent) -> dict[str, Any]:
    """The event's JSON as a dict of every field (what the column holds, read back)."""
    result: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(event))
    return result


def event_from_json(raw: dict[str, Any]) -> CalendarEvent:
    """The event stored by `event_to_json` (or written straight from the struct)."""
    return msgspec.convert(raw, CalendarEvent)


def event_from_text(raw: str | bytes) -> CalendarEvent:
    """The event from its column's JSON text, read straight into the struct."""
    return msgspec.json.decode(raw, type=CalendarEvent)
