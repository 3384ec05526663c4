"""The checks a change of an event passes before anything is written: a valid event, a
calendar the user may write to, the organizer's own details, references to the user's own
objects, and the version the client last saw."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.actors import Actor
from touchbase.calendar.listing import gone_instance
from touchbase.calendar.records import API_FIELD, EventRecord, api_etag, conflict_error
from touchbase.domain import CalendarEvent, EventValidationError, validate_event
from touchbase.domain.merge import changed_fields
from touchbase.domain.sanitize import clean_event
from touchbase.errors import (
    ConflictError,
    EventNotFoundError,
    InvalidEventError,
    KeptByGoogleError,
    NotConnectedError,
    NotOrganizerError,
    ReadOnlyCalendarError,
)
from touchbase.store import accounts
from touchbase.store import contacts as contact_store
from touchbase.store import events as event_store
from touchbase.store.models import Calendar, Event


def checked(event: CalendarEvent, *before: CalendarEvent) -> CalendarEvent:
    """The event, cleaned, or InvalidEventError naming every bad field (`before`: the versions
    it was changed from, whose own problems the change is not refused for)."""
    event = clean_event(event)
    try:
        validate_event(event, *(clean_event(version) for version in before))
    except EventValidationError as exc:
        raise InvalidEventError(
            str(exc),
            field=exc.field,
            details={"problems": [{"field": p.field, "message": p.message} for p in exc.problems]},
        ) from exc
    return event


async def calendar_for(session: AsyncSession, user_id: str, calendar_id: str | None) -> Calendar:
    """The user's calendar `calendar_id`, or their primary one (None)."""
    if calendar_id:
        found = await accounts.user_calendar(session, user_id, calendar_id)
        if found is None:
            raise InvalidEventError("Unknown calendar.", field="calendarId")
        if not found.writable:
            raise InvalidEventError(
                f"{found.summary} is shared with you to view only.", field="calendarId"
            )
        return found
    primary = await accounts.primary_calendar(session, user_id)
    if primary is None:
        primary = await accounts.local_calendar(session, user_id)
    if primary is None:
        raise NotConnectedError(details={"reconnect": "/api/google/connect"})
    return primary


def check_writable(calendar: Calendar) -> None:
    """Refuse a change in a calendar shared with the user to view only, before anything is
    written (Google would refuse it, and the change would wait for nothing)."""
    if not calendar.writable:
        raise ReadOnlyCalendarError(f"{calendar.summary} is shared with you to view only.")


def check_meet_possible(calendar: Calendar, event: CalendarEvent) -> None:
    """Refuse a Meet asked for in a calendar kept on touchbase only: Google makes a Meet."""
    if calendar.is_local and event.wants_conference:
        raise InvalidEventError(
            "Google Calendar makes a Meet: this calendar is kept on touchbase only.",
            field="addMeet",
        )


_KEPT_BY_GOOGLE = {
    "birthday": "A birthday comes from Google Contacts: change it there or in Google Calendar.",
    "fromGmail": "Gmail made this event from an email: change it in Google Calendar.",
    "workingLocation": "A working location is changed in Google Calendar.",
}


def check_kept_by_google(before: CalendarEvent, after: CalendarEvent | None) -> None:
    """Refuse a change (or, `after` None, the delete) of an event of a type whose details
    Google keeps, before anything is written: Google would refuse it (a birthday takes not
    even a contact's link), and the change would wait for nothing."""
    if not before.kept_by_google:
        return
    if after is None or changed_fields(before, after) or after.transparent != before.transparent:
        raise KeptByGoogleError(
            _KEPT_BY_GOOGLE.get(before.event_type, KeptByGoogleError.default_message)
        )


def check_organizer(before: CalendarEvent, after: CalendarEvent) -> None:
    """Refuse a change of the details of someone else's event the user is a guest of (only
    its organizer may make it), before anything is written. Its contact link and whether it
    is a touchpoint are the user's own, kept in their copy."""
    if before.organizer_only and before.details() != after.details():
        who = f", {before.organizer}," if before.organizer else ""
        raise NotOrganizerError(f"Only the organizer of this event{who} can change it.")


async def check_references(
    session: AsyncSession, user_id: str, event: CalendarEvent, before: CalendarEvent | None
) -> None:
    """Every object the event names must be the user's own (a 422 naming the field)."""
    wanted = event.contact_id
    if not wanted or (before is not None and before.contact_id == wanted):
        return
    if await contact_store.get_contact(session, user_id, wanted) is None:
        raise InvalidEventError("No such contact.", field="contactId")


async def editable(session: AsyncSession, actor: Actor, event_id: str) -> Event:
    """The user's live event without an open conflict, locked for a change."""
    found = await event_store.event_to_edit(session, actor.user_id, event_id)
    if found is None:
        raise EventNotFoundError()
    row, conflict = found
    if row.deleted or await gone_instance(session, row):
        raise EventNotFoundError()
    if conflict is not None:
        raise conflict_error(EventRecord.of(row, conflict))
    return row


def check_etag(
    row: Event, current: CalendarEvent, if_match: str | None, changes: Mapping[str, Any] | None
) -> None:
    """409 when the client's version is older than the one touchbase has (checked in the
    transaction that writes, on the row it locked)."""
    if if_match is None or if_match == api_etag(row.version):
        return
    differing = [
        API_FIELD[f]
        for f in API_FIELD
        if changes is not None and f in changes and getattr(current, f) != changes[f]
    ]
    raise ConflictError(
        details={
            "eventId": row.id,
            "fields": differing,
            "current": EventRecord.of(row),
            "yourEtag": if_match,
        }
    )
