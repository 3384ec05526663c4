"""The provider-neutral model of calendar events. Pure: no I/O, nothing from the rest of
touchbase."""

from touchbase.domain.events import Attendee, CalendarEvent, EventStatus, EventTime
from touchbase.domain.validation import EventValidationError, FieldProblem, validate_event

__all__ = [
    "Attendee",
    "CalendarEvent",
    "EventStatus",
    "EventTime",
    "EventValidationError",
    "FieldProblem",
    "validate_event",
]
