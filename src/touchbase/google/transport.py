"""One Google account's calls on the wire: the access token, the quota, and retries with
backoff, telling a failure that never reached Google from one whose request may have run."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import httpx

from touchbase.errors import (
    AuthorizationExpiredError,
    CalendarError,
    GoogleUnavailableError,
    RateLimitError,
)
from touchbase.google.auth import Credentials, GoogleEndpoints
from touchbase.google.batch import Call
from touchbase.google.failures import error_from_response, error_from_transport
from touchbase.google.pausing import Sleep, Stopping, pause
from touchbase.google.retry import RetryPolicy

# Failures after which the request may have been carried out although no answer came.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class Quota(Protocol):
    """A budget of Google calls, shared by everything that calls Google for one account."""

    async def acquire(self) -> bool:
        """Wait until one more call is allowed; False (no call taken) when the process
        began stopping first."""
        ...

    def back_off(self, seconds: float) -> None:
        """Google throttled: slow every caller down for a while."""
        ...


@dataclass
class Attempted:
    """The last answer to a call, and whether an earlier try may have taken effect."""

    response: httpx.Response | None
    error: CalendarError | None
    uncertain: bool

    def result(self) -> httpx.Response:
        """The successful response, or the error raised."""
        if self.error is not None:
            raise self.error
        assert self.response is not None
        return self.response


class Transport:
    """Sends calls for one Google account over one pooled httpx connection set."""

    def __init__(
        self,
        credentials: Credentials,
        endpoints: GoogleEndpoints,
        *,
        http: httpx.AsyncClient | None,
        retry: RetryPolicy | None,
        sleep: Sleep = asyncio.sleep,
        quota: Quota | None = None,
        stopping: Stopping | None = None,
    ) -> None:
        self.credentials = credentials
        self.endpoints = endpoints
        self._owns_http = http is None
        self.http = http or httpx.AsyncClient(
            timeout=httpx.Timeout(30.0, connect=10.0),
            limits=httpx.Limits(max_connections=10, max_keepalive_connections=10),
        )
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._quota = quota
        self._stopping = stopping
        self.requests_sent = 0
        self._api = endpoints.api.rstrip("/") + "/calendar/v3"

    async def aclose(self) -> None:
        """Close the connection pool (when this transport created it)."""
        if self._owns_http:
            await self.http.aclose()

    async def headers(self, extra: Sequence[tuple[str, str]] = ()) -> dict[str, str]:
        """The authorization header (a fresh token when needed) and `extra`."""
        token = await self.credentials.access_token()
        return {"Authorization": f"Bearer {token}", **dict(extra)}

    async def send(self, call: Call) -> Attempted:
        """One Calendar v3 call with retries."""

        async def send() -> httpx.Response:
            return await self.http.request(
                call.method,
                self._api + call.path,
                params=list(call.params),
                json=call.body,
                headers=await self.headers(call.headers),
            )

        return await self.with_retries(send)

    async def with_retries(self, send: Callable[[], Awaitable[httpx.Response]]) -> Attempted:
        """`send` until it succeeds, fails for good, or the retry policy gives up."""
        started, attempt, refreshed, uncertain = time.monotonic(), 0, False, False
        error: CalendarError = GoogleUnavailableError()
        while True:
            attempt += 1
            if self._quota is not None and not await self._quota.acquire():
                return Attempted(None, error, uncertain)  # stopping: as it last failed
            self.requests_sent += 1
            try:
                response = await send()
            except httpx.TransportError as exc:
                error = error_from_transport(exc)
                maybe_done = not isinstance(exc, _NOT_SENT)
            else:
                if response.status_code < 400 or response.status_code == 304:
                    return Attempted(response, None, uncertain)
                error = error_from_response(response)
                if isinstance(error, AuthorizationExpiredError) and not refreshed:
                    refreshed, attempt = True, attempt - 1
                    try:
                        await self.credentials.refresh()
                    except CalendarError as refresh_error:
                        return Attempted(None, refresh_error, uncertain)
                    continue
                maybe_done = response.status_code >= 500
            if not error.retryable:
                return Attempted(None, error, uncertain)
            if isinstance(error, RateLimitError) and self._quota is not None:
                self._quota.back_off(error.retry_after or self.retry.base_delay)
            uncertain = uncertain or maybe_done
            delay = self.retry.delay(attempt, retry_after=error.retry_after)
            elapsed = time.monotonic() - started
            if not (
                self.retry.should_retry(attempt, elapsed=elapsed, delay=delay)
                and await self.backoff(delay)
            ):
                error.details["attempts"] = attempt
                return Attempted(None, error, uncertain)

    async def backoff(self, seconds: float) -> bool:
        """Wait `seconds` before the next attempt; False (no next attempt) when the process
        begins stopping first: the call then fails as it last did."""
        return await pause(seconds, stopping=self._stopping, sleep=self._sleep)
