"""Backoff bounds, Retry-After, error mapping and the batch codec (pure)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from touchbase.errors import (
    ConflictError,
    GoogleApiError,
    GoogleUnavailableError,
    PermissionDeniedError,
    RateLimitError,
    SyncTokenExpiredError,
    TouchbaseError,
)
from touchbase.google import batch
from touchbase.google.batch import Call
from touchbase.google.failures import error_from_response, retry_after_seconds
from touchbase.google.retry import RetryPolicy


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0, rng=random.Random(7))
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        delays = {policy.delay(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1, "jittered"


def test_retry_after_is_a_floor() -> None:
    policy = RetryPolicy(base_delay=0.1, max_delay=1.0)
    assert policy.delay(1, retry_after=12.0) == 12.0


def test_attempts_and_total_time_are_bounded() -> None:
    policy = RetryPolicy(max_attempts=3, max_total=10.0)
    assert policy.should_retry(2, elapsed=1.0, delay=1.0)
    assert not policy.should_retry(3, elapsed=1.0, delay=1.0)
    assert not policy.should_retry(1, elapsed=9.5, delay=1.0)


def test_retry_after_header_forms() -> None:
    assert retry_after_seconds("5") == 5.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (retry_after_seconds(later) or 0) <= 30
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def _google(status: int, reason: str, headers: dict[str, str] | None = None) -> httpx.Response:
    body = {"error": {"code": status, "message": "m", "errors": [{"reason": reason}]}}
    return httpx.Response(status, json=body, headers=headers or {})


@pytest.mark.parametrize(
    ("status", "reason", "expected"),
    [
        (403, "rateLimitExceeded", RateLimitError),
        (403, "quotaExceeded", RateLimitError),
        (403, "insufficientPermissions", PermissionDeniedError),
        (429, "rateLimitExceeded", RateLimitError),
        (410, "fullSyncRequired", SyncTokenExpiredError),
        (412, "conditionNotMet", ConflictError),
        (500, "backendError", GoogleUnavailableError),
        (502, "", GoogleUnavailableError),
        (418, "teapot", GoogleApiError),
    ],
)
def test_google_errors_map_to_one_hierarchy(
    status: int, reason: str, expected: type[TouchbaseError]
) -> None:
    error = error_from_response(_google(status, reason, {"Retry-After": "4"}))
    assert type(error) is expected
    assert error.details["googleReason"] == reason
    assert error.retryable == (expected in (RateLimitError, GoogleUnavailableError))
    assert set(error.to_dict()) == {"code", "message", "action", "details"}


def test_non_json_error_body_still_maps() -> None:
    error = error_from_response(httpx.Response(503, content=b"<html>down</html>"))
    assert isinstance(error, GoogleUnavailableError)


def test_batch_codec_round_trip() -> None:
    calls = [
        Call("POST", "/calendars/primary/events", (("sendUpdates", "none"),), {"a": 1}),
        Call("DELETE", "/calendars/primary/events/x", (), None, (("If-Match", '"3"'),)),
    ]
    content_type, body = batch.encode(calls)
    assert b"POST /calendar/v3/calendars/primary/events?sendUpdates=none HTTP/1.1" in body
    assert b'If-Match: "3"' in body
    boundary = content_type.split("boundary=")[1]
    answer = (
        b"--x\r\nContent-Type: application/http\r\nContent-ID: <response-item-1>\r\n\r\n"
        b"HTTP/1.1 204 No Content\r\n\r\n\r\n"
        b"--x\r\nContent-Type: application/http\r\nContent-ID: <response-item-0>\r\n\r\n"
        b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nETag: "9"\r\n\r\n'
        b'{"id": "abc"}\r\n--x--\r\n'
    )
    response = httpx.Response(
        200, headers={"content-type": "multipart/mixed; boundary=x"}, content=answer
    )
    parts = batch.decode(response, 2)
    assert parts[0] is not None
    assert parts[0].json() == {"id": "abc"}
    assert parts[0].headers["etag"] == '"9"'
    assert parts[1] is not None
    assert parts[1].status_code == 204
    assert boundary
