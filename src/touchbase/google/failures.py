"""Google's error answers, and network failures, as touchbase errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from touchbase.errors import (
    AuthorizationExpiredError,
    CalendarError,
    ConflictError,
    DuplicateEventError,
    EventNotFoundError,
    GoogleApiError,
    GoogleUnavailableError,
    InvalidEventError,
    NotOrganizerError,
    PermissionDeniedError,
    RateLimitError,
    ReadOnlyCalendarError,
    SyncTokenExpiredError,
)

# What a calendar shared to show only when its owner is busy says to a read of its events.
BUSY_ONLY = "This calendar shares only when its owner is busy with you, not its events."
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})


def retry_after_seconds(value: str | None) -> float | None:
    """`Retry-After` in seconds (a number or an HTTP date), if present and sane."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _envelope(response: httpx.Response) -> dict[str, Any]:
    try:
        body = json.loads(response.content or b"{}")
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def error_from_response(response: httpx.Response) -> CalendarError:
    """The touchbase error for a Google error response."""
    envelope = _envelope(response)
    entries = envelope.get("errors") or [{}]
    first = entries[0] if isinstance(entries[0], dict) else {}
    reason = str(first.get("reason", ""))
    status = response.status_code
    details = {
        "googleStatus": status,
        "googleReason": reason,
        "googleMessage": str(envelope.get("message", response.reason_phrase)),
    }
    if first.get("location"):
        details["location"] = first["location"]
    retry_after = retry_after_seconds(response.headers.get("retry-after"))
    if status == 429 or (status == 403 and reason in RATE_LIMIT_REASONS):
        return RateLimitError(details=details, retry_after=retry_after)
    if status >= 500:
        return GoogleUnavailableError(details=details, retry_after=retry_after)
    mapped = _BY_STATUS.get(status)
    if status == 403 and reason == "forbiddenForNonOrganizer":
        mapped = NotOrganizerError
    if status == 403 and reason == "requiredAccessLevel":
        if "reader access" in str(details["googleMessage"]):  # to read: busy times only
            return ReadOnlyCalendarError(BUSY_ONLY, details=details)
        mapped = ReadOnlyCalendarError
    if status == 410 and reason == "fullSyncRequired":
        mapped = SyncTokenExpiredError
    if mapped is InvalidEventError:
        message = f"Google refused the event: {details['googleMessage']}"
        return InvalidEventError(message, field=first.get("location"), details=details)
    return (mapped or GoogleApiError)(details=details)


_BY_STATUS: dict[int, type[CalendarError]] = {
    400: InvalidEventError,
    401: AuthorizationExpiredError,
    403: PermissionDeniedError,
    404: EventNotFoundError,
    409: DuplicateEventError,
    410: EventNotFoundError,
    412: ConflictError,
}


def error_from_transport(exc: httpx.TransportError) -> GoogleUnavailableError:
    """A network failure (refused, reset, timed out, dropped mid-answer)."""
    return GoogleUnavailableError(
        "Google Calendar could not be reached.",
        details={"network": type(exc).__name__, "detail": str(exc)[:200]},
    )
