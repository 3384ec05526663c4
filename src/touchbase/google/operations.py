"""Event operations as plain data: each becomes one Call, alone or inside a batch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from touchbase.domain import CalendarEvent, EventValidationError, validate_event
from touchbase.errors import InvalidEventError
from touchbase.google.batch import Call
from touchbase.google.ids import is_valid_event_id
from touchbase.google.mapping import event_body, patch_body

SendUpdates = Literal["all", "externalOnly", "none"]


@dataclass(frozen=True)
class InsertEvent:
    """Create `event`; its id (chosen here if missing) makes a retry safe."""

    calendar_id: str
    event: CalendarEvent


@dataclass(frozen=True)
class PatchEvent:
    """Change the fields that differ between `base` and `target`, if the etag still matches."""

    calendar_id: str
    event_id: str
    base: CalendarEvent
    target: CalendarEvent
    etag: str | None


@dataclass(frozen=True)
class UpdateEvent:
    """Replace the event with `event` (fields not given are cleared), if the etag matches."""

    calendar_id: str
    event: CalendarEvent
    etag: str | None


@dataclass(frozen=True)
class DeleteEvent:
    """Delete (cancel) the event, if the etag still matches."""

    calendar_id: str
    event_id: str
    etag: str | None


@dataclass(frozen=True)
class GetEvent:
    """Read one event."""

    calendar_id: str
    event_id: str


Operation = InsertEvent | PatchEvent | UpdateEvent | DeleteEvent | GetEvent


def calendar_path(calendar_id: str) -> str:
    """`/calendars/{id}`, the id escaped."""
    return f"/calendars/{quote(calendar_id, safe='@')}"


def events_path(calendar_id: str, event_id: str | None = None) -> str:
    """`/calendars/{id}/events[/{eventId}]`, ids escaped."""
    path = f"{calendar_path(calendar_id)}/events"
    return path if event_id is None else f"{path}/{quote(event_id, safe='')}"


def check_event(event: CalendarEvent, *before: CalendarEvent) -> None:
    """Refuse invalid event data before any HTTP call (ids are Google's: not checked here;
    `before`: the version in Google, whose own problems a change is not refused for)."""
    try:
        validate_event(event, *before)
    except EventValidationError as exc:
        problems = [{"field": p.field, "message": p.message} for p in exc.problems]
        raise InvalidEventError(str(exc), field=exc.field, details={"problems": problems}) from exc


def check_new_id(event: CalendarEvent) -> None:
    """The rule for an id touchbase chooses for a new event (never for one Google made, such
    as an instance's)."""
    if event.id is not None and not is_valid_event_id(event.id):
        raise InvalidEventError(
            "An event id uses only a-v and 0-9, 5 to 1024 characters.", field="id"
        )


def _if_match(etag: str | None) -> tuple[tuple[str, str], ...]:
    return (("If-Match", etag),) if etag else ()


def _params(send_updates: SendUpdates, body: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The query of a write: whom Google emails; and, when the body asks for a Meet (or
    takes a call off), or attaches files, that these are written (Google ignores them
    otherwise)."""
    params: tuple[tuple[str, str], ...] = (("sendUpdates", send_updates),)
    if "conferenceData" in body:
        params += (("conferenceDataVersion", "1"),)
    if "attachments" in body:
        params += (("supportsAttachments", "true"),)
    return params


def to_call(op: Operation, send_updates: SendUpdates) -> Call:
    """The API call of an operation (validated; an insert must already have its id)."""
    if isinstance(op, InsertEvent):
        check_event(op.event)
        check_new_id(op.event)
        body = event_body(op.event)
        return Call("POST", events_path(op.calendar_id), _params(send_updates, body), body)
    if isinstance(op, PatchEvent):
        check_event(op.target, op.base)
        body = patch_body(op.base, op.target)
        return Call(
            "PATCH",
            events_path(op.calendar_id, op.event_id),
            _params(send_updates, body),
            body,
            _if_match(op.etag),
        )
    updates = (("sendUpdates", send_updates),)
    if isinstance(op, UpdateEvent):
        check_event(op.event)
        if not op.event.id:
            raise InvalidEventError("An update needs the event's id.", field="id")
        body = event_body(op.event)
        return Call(
            "PUT",
            events_path(op.calendar_id, op.event.id),
            _params(send_updates, body),
            body,
            _if_match(op.etag),
        )
    if isinstance(op, DeleteEvent):
        return Call(
            "DELETE", events_path(op.calendar_id, op.event_id), updates, None, _if_match(op.etag)
        )
    return Call("GET", events_path(op.calendar_id, op.event_id))


def intended(op: Operation) -> CalendarEvent | None:
    """What the event should look like once the operation landed."""
    if isinstance(op, InsertEvent | UpdateEvent):
        return op.event
    if isinstance(op, PatchEvent):
        return op.target
    return None


def target_id(op: Operation) -> str:
    """The id of the event the operation is about."""
    if isinstance(op, InsertEvent | UpdateEvent):
        assert op.event.id is not None
        return op.event.id
    return op.event_id
