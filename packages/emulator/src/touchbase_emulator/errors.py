"""Google-shaped API errors raised by the emulator's handlers.

Every error leaves the emulator in Google's envelope:
``{"error": {"code", "message", "status", "errors": [{"domain", "reason", "message", ...}]}}``.
"""

from __future__ import annotations

from typing import Any

_STATUS_BY_CODE = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    410: "FAILED_PRECONDITION",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


class ApiError(Exception):
    """An error answer of the Calendar API, with Google's code, reason and message."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        domain: str = "global",
        location: str | None = None,
        location_type: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.domain = domain
        self.location = location
        self.location_type = location_type
        self.details = details
        self.headers = headers or {}

    def envelope(self) -> dict[str, Any]:
        """The JSON body Google sends for this error."""
        entry: dict[str, Any] = {
            "domain": self.domain,
            "reason": self.reason,
            "message": self.message,
        }
        if self.location is not None:
            entry["location"] = self.location
            entry["locationType"] = self.location_type or "parameter"
        error: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "errors": [entry],
            "status": _STATUS_BY_CODE.get(self.code, "UNKNOWN"),
        }
        if self.details:
            error["details"] = self.details
        return {"error": error}


def invalid(message: str, *, location: str | None = None) -> ApiError:
    """400 invalid: the request carries a value Google would refuse."""
    return ApiError(400, "invalid", message, location=location)


def required(message: str, *, location: str | None = None) -> ApiError:
    """400 required: a mandatory value is missing."""
    return ApiError(400, "required", message, location=location)


def not_found(message: str = "Not Found") -> ApiError:
    """404 notFound."""
    return ApiError(404, "notFound", message)


def gone_deleted() -> ApiError:
    """410 deleted: the event was already deleted."""
    return ApiError(410, "deleted", "Resource has been deleted")


def full_sync_required() -> ApiError:
    """410 fullSyncRequired: the sync token is no longer valid."""
    return ApiError(
        410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required."
    )


def condition_not_met() -> ApiError:
    """412 conditionNotMet: If-Match did not match the current etag."""
    return ApiError(
        412,
        "conditionNotMet",
        "Precondition Failed",
        location="If-Match",
        location_type="header",
    )


def unauthenticated() -> ApiError:
    """401 authError: missing, unknown or expired access token."""
    return ApiError(
        401,
        "authError",
        "Request had invalid authentication credentials. Expected OAuth 2 access token.",
        location="Authorization",
        location_type="header",
    )


def insufficient_scope(method_id: str) -> ApiError:
    """403 insufficientPermissions with Google's ErrorInfo detail."""
    return ApiError(
        403,
        "insufficientPermissions",
        "Request had insufficient authentication scopes.",
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                "domain": "googleapis.com",
                "metadata": {"service": "calendar-json.googleapis.com", "method": method_id},
            }
        ],
    )
