"""touchbase's one error hierarchy.

    TouchbaseError                      code, HTTP status, message for a person, action, details
    ├── InvalidRequestError             INVALID_REQUEST               400
    ├── AuthenticationError             UNAUTHENTICATED               401  send a valid API token
    │   └── CsrfError                   CSRF_FAILED                   403  reload the page
    ├── DatabaseUnavailableError        DATABASE_UNAVAILABLE          503  try again (Retry-After)
    ├── TooManyStreamsError             TOO_MANY_STREAMS              429  close some (Retry-After)
    └── CalendarError
        ├── InvalidEventError           CALENDAR_INVALID_EVENT        422  never retried
        ├── PermissionDeniedError       CALENDAR_PERMISSION_DENIED    403  reconnect to write
        │   ├── NotConnectedError       CALENDAR_PERMISSION_DENIED    403  connect Google first
        │   ├── NotOrganizerError       CALENDAR_ORGANIZER_ONLY       403  organizer only
        │   └── ReadOnlyCalendarError   CALENDAR_READ_ONLY            403  shared to view only
        ├── AuthorizationExpiredError   CALENDAR_AUTHORIZATION_EXPIRED 401 reconnect Google
        ├── EventNotFoundError          CALENDAR_EVENT_NOT_FOUND      404  (410 deleted too)
        ├── ConflictError               CALENDAR_CONFLICT             409  changed elsewhere (412)
        ├── DuplicateEventError         CALENDAR_DUPLICATE_EVENT      409  the event id is taken
        ├── SyncTokenExpiredError       CALENDAR_SYNC_TOKEN_EXPIRED   410  do a full sync
        ├── GoogleApiError              CALENDAR_GOOGLE_ERROR         502  any other Google answer
        └── TransientError                                                 may succeed if retried
            ├── RateLimitError          CALENDAR_RATE_LIMIT           429  back off (Retry-After)
            └── GoogleUnavailableError  CALENDAR_UNAVAILABLE          503  5xx or network failure
    InvalidFieldError (422, names its field): InvalidEventError, InvalidContactError,
        InvalidInteractionError, InvalidTouchpointError
    CRM: Contact/Interaction/TouchpointNotFoundError 404, Contact/TouchpointChangedError 412

Transient errors are the only ones retried. Each class fixes its code, status, default message and
suggested action, so one handler can render any of them for the API or the UI.
"""

from __future__ import annotations

from typing import Any, ClassVar


class TouchbaseError(Exception):
    """The root of every error touchbase reports to a caller."""

    code: ClassVar[str] = "INTERNAL_ERROR"
    http_status: ClassVar[int] = 500
    default_message: ClassVar[str] = "Something went wrong."
    default_action: ClassVar[str | None] = None
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str | None = None,
        *,
        action: str | None = None,
        details: dict[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)
        self.action = action if action is not None else self.default_action
        self.details: dict[str, Any] = details or {}
        self.retry_after = retry_after

    def to_dict(self) -> dict[str, Any]:
        """The JSON error body: `{"code", "message", "action", "details"}`."""
        return {
            "code": self.code,
            "message": self.message,
            "action": self.action,
            "details": self.details,
        }


class CalendarError(TouchbaseError):
    """Anything that went wrong with a calendar operation."""

    code = "CALENDAR_ERROR"
    http_status = 502
    default_message = "The calendar operation failed."


class InvalidFieldError(TouchbaseError):
    """Input that is invalid; `field` names the first offending field (also in details)."""

    http_status = 422
    default_action = "Correct the highlighted field and try again."

    def __init__(
        self, message: str | None = None, *, field: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.field = field
        if field is not None:
            self.details.setdefault("field", field)


class InvalidEventError(InvalidFieldError, CalendarError):
    """The event data is invalid; `field` names the first offending field."""

    code = "CALENDAR_INVALID_EVENT"
    default_message = "The event is not valid."


class PermissionDeniedError(CalendarError):
    """Google refused: the connection lacks write access to the calendar."""

    code = "CALENDAR_PERMISSION_DENIED"
    http_status = 403
    default_message = "touchbase may not change this Google Calendar."
    default_action = "Reconnect Google Calendar and allow touchbase to edit events."


class NotConnectedError(PermissionDeniedError):
    """The user has not connected Google Calendar yet."""

    default_message = "Google Calendar is not connected."
    default_action = "Connect Google Calendar."


class NotOrganizerError(PermissionDeniedError):
    """Only the event's organizer may make this change (the user is one of its guests)."""

    code = "CALENDAR_ORGANIZER_ONLY"
    default_message = "Only the organizer of this event can change it."
    default_action = "Ask the organizer to make the change."


class KeptByGoogleError(PermissionDeniedError):
    """The event is of a type Google keeps (a birthday, an event Gmail made from an email, a
    working location): Google refuses changes to it from here."""

    code = "CALENDAR_EVENT_KEPT_BY_GOOGLE"
    default_message = "This event can be changed in Google Calendar only."
    default_action = "Change it in Google Calendar."


class ReadOnlyCalendarError(PermissionDeniedError):
    """The calendar is shared with the user to view only (or to see when they are busy)."""

    code = "CALENDAR_READ_ONLY"
    default_message = "This calendar is shared with you to view only."
    default_action = "Ask its owner for permission to make changes, or use a calendar of yours."


class AuthorizationExpiredError(CalendarError):
    """The Google authorization no longer works (revoked or expired refresh token)."""

    code = "CALENDAR_AUTHORIZATION_EXPIRED"
    http_status = 401
    default_message = "The connection to Google Calendar has expired."
    default_action = "Reconnect Google Calendar."


class EventNotFoundError(CalendarError):
    """The event does not exist (or was deleted elsewhere)."""

    code = "CALENDAR_EVENT_NOT_FOUND"
    http_status = 404
    default_message = "The event was not found; it may have been deleted elsewhere."
    default_action = "Refresh the calendar."


class ConflictError(CalendarError):
    """The event changed elsewhere since the version this change was based on."""

    code = "CALENDAR_CONFLICT"
    http_status = 409
    default_message = "The event was changed elsewhere since you opened it."
    default_action = "Review both versions and choose what to keep."


class DuplicateEventError(CalendarError):
    """An event with this id already exists."""

    code = "CALENDAR_DUPLICATE_EVENT"
    http_status = 409
    default_message = "An event with this id already exists."


class SyncTokenExpiredError(CalendarError):
    """Google no longer accepts the sync token: a full sync is needed."""

    code = "CALENDAR_SYNC_TOKEN_EXPIRED"
    http_status = 410
    default_message = "The calendar needs a full sync."


class InvalidRequestError(TouchbaseError):
    """A request touchbase cannot act on (bad state, unknown resolution...)."""

    code = "INVALID_REQUEST"
    http_status = 400
    default_message = "The request is not valid."


class IdempotencyKeyReusedError(InvalidRequestError):
    """An Idempotency-Key sent again with a different request (IETF Idempotency-Key draft)."""

    code = "IDEMPOTENCY_KEY_REUSED"
    http_status = 422
    default_message = "This Idempotency-Key was already used for a different request."
    default_action = "Send a new key for a new request."


class AuthenticationError(TouchbaseError):
    """No valid API token or session."""

    code = "UNAUTHENTICATED"
    http_status = 401
    default_message = "Sign in, or send a valid API token."
    default_action = "Send Authorization: Bearer <token> (create one with `touchbase user add`)."


class CsrfError(AuthenticationError):
    """A browser's state-changing request without its session's CSRF token."""

    code = "CSRF_FAILED"
    http_status = 403
    default_message = "This request did not come from a touchbase page."
    default_action = "Reload the page and try again."


class GoogleApiError(CalendarError):
    """Google answered with an error touchbase has no better name for."""

    code = "CALENDAR_GOOGLE_ERROR"
    http_status = 502
    default_message = "Google Calendar refused the request."


class TransientError(CalendarError):
    """A failure that may go away: the change is kept and retried."""

    retryable = True


class RateLimitError(TransientError):
    """Too many requests: Google (or touchbase) asks to slow down."""

    code = "CALENDAR_RATE_LIMIT"
    http_status = 429
    default_message = "Too many calendar requests right now."
    default_action = "Wait a moment; pending changes are sent automatically."


class GoogleUnavailableError(TransientError):
    """Google could not be reached or failed (5xx, network error)."""

    code = "CALENDAR_UNAVAILABLE"
    http_status = 503
    default_message = "Google Calendar is unavailable right now."
    default_action = "Your change is saved and will sync when Google is reachable."


class DatabaseUnavailableError(TouchbaseError):
    """touchbase's own database did not answer (refused or lost the connection, or a lock or
    a connection was not had in time): nothing about the request was wrong."""

    code = "DATABASE_UNAVAILABLE"
    http_status = 503
    default_message = "touchbase's database did not answer."
    default_action = "Try again in a moment."
    retryable = True


class TooManyStreamsError(TouchbaseError):
    """The user has as many event streams open in this process as one user may."""

    code = "TOO_MANY_STREAMS"
    http_status = 429
    default_message = "Too many live connections are open for this account."
    default_action = "Close some touchbase pages, or try again later."


class InvalidContactError(InvalidFieldError):
    """The contact data is invalid; `field` names the first offending field."""

    code = "CRM_INVALID_CONTACT"
    default_message = "The contact is not valid."


class InvalidSettingError(InvalidFieldError):
    """A setting that cannot be; `field` names it (`workingHours.end`)."""

    code = "INVALID_SETTING"
    default_message = "The setting is not valid."


class InvalidImportError(InvalidFieldError):
    """A contacts file that cannot be imported: unreadable, or some records invalid (then
    `details.rows` lists each record's problems); nothing was imported."""

    code = "CRM_INVALID_IMPORT"
    default_message = "Nothing was imported."
    default_action = "Correct the file and import it again."


class ContactNotFoundError(TouchbaseError):
    """No such contact (another user's is not found either)."""

    code = "CRM_CONTACT_NOT_FOUND"
    http_status = 404
    default_message = "The contact was not found."


class ContactChangedError(TouchbaseError):
    """The contact changed since the version this change was based on (If-Match)."""

    code = "CRM_CONTACT_CHANGED"
    http_status = 412
    default_message = "The contact was changed elsewhere since you opened it."
    default_action = "Reload the contact and make the change again."


class InvalidInteractionError(InvalidFieldError):
    """A logged interaction is invalid; `field` names the first offending field."""

    code = "CRM_INVALID_INTERACTION"
    default_message = "The interaction is not valid."


class InteractionNotFoundError(TouchbaseError):
    """No such interaction (another user's is not found either)."""

    code = "CRM_INTERACTION_NOT_FOUND"
    http_status = 404
    default_message = "The interaction was not found."


class InvalidTouchpointError(InvalidFieldError):
    """A touchpoint is invalid; `field` names the first offending field."""

    code = "CRM_INVALID_TOUCHPOINT"
    default_message = "The touchpoint is not valid."


class TouchpointNotFoundError(TouchbaseError):
    """No such touchpoint (another user's is not found either)."""

    code = "CRM_TOUCHPOINT_NOT_FOUND"
    http_status = 404
    default_message = "The touchpoint was not found."


class TouchpointChangedError(TouchbaseError):
    """The touchpoint changed since the version this change was based on (If-Match)."""

    code = "CRM_TOUCHPOINT_CHANGED"
    http_status = 412
    default_message = "The touchpoint was changed elsewhere since you opened it."
    default_action = "Reload the touchpoint and make the change again."
