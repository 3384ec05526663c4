"""Many writes in batch requests: each operation gets its own result, and transient failures
of single parts are tried again in the next round."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import httpx

from touchbase.errors import AuthorizationExpiredError, CalendarError, GoogleUnavailableError
from touchbase.google import batch as batch_codec
from touchbase.google.batch import Call
from touchbase.google.failures import error_from_response
from touchbase.google.models import EventResource, decode
from touchbase.google.operations import DeleteEvent, Operation, SendUpdates, to_call
from touchbase.google.transport import Transport


@dataclass(frozen=True)
class BatchResult:
    """The outcome of one operation of a batch."""

    operation: Operation
    event: EventResource | None = None
    error: CalendarError | None = None

    @property
    def ok(self) -> bool:
        """Whether the operation succeeded."""
        return self.error is None


# Tells a write that landed on an earlier, unanswered try from a real failure.
Settle = Callable[[Operation, CalendarError, bool], Awaitable[BatchResult]]


def event_or_none(op: Operation, response: httpx.Response) -> EventResource | None:
    """The event a successful answer to `op` carries (none for a delete)."""
    if isinstance(op, DeleteEvent) or not response.content:
        return None
    return decode(EventResource, response.content)


class Batcher:
    """One run of operations in rounds of batch requests of at most `size` calls each."""

    def __init__(
        self,
        transport: Transport,
        ops: Sequence[Operation],
        *,
        size: int,
        settle: Settle,
        send_updates: SendUpdates,
    ) -> None:
        self._transport = transport
        self._ops = list(ops)
        self._size = size
        self._settle = settle
        self._results: list[BatchResult | None] = [None] * len(self._ops)
        self._calls: dict[int, Call] = {}
        self._uncertain: set[int] = set()
        for index, op in enumerate(self._ops):
            try:
                self._calls[index] = to_call(op, send_updates)
            except CalendarError as error:
                self._results[index] = BatchResult(op, error=error)

    async def run(self) -> list[BatchResult]:
        """Every operation's result, in the order given."""
        retry_policy = self._transport.retry
        pending, attempt = sorted(self._calls), 0
        while pending:
            attempt += 1
            pending, wait = await self._round(pending, final=attempt >= retry_policy.max_attempts)
            if pending and not await self._transport.backoff(
                retry_policy.delay(attempt, retry_after=wait)
            ):
                break  # the process is stopping: the rest fail as unavailable, to retry later
        return [
            r if r is not None else BatchResult(self._ops[i], error=GoogleUnavailableError())
            for i, r in enumerate(self._results)
        ]

    async def _round(self, pending: list[int], *, final: bool) -> tuple[list[int], float | None]:
        retry: list[int] = []
        wait: float | None = None
        for start in range(0, len(pending), self._size):
            chunk = pending[start : start + self._size]
            calls = [self._calls[i] for i in chunk]
            answers, chunk_error, chunk_uncertain = await self._send(calls)
            if chunk_uncertain:
                self._uncertain.update(chunk)
            for index, answer in zip(chunk, answers, strict=True):
                op = self._ops[index]
                if answer is not None and answer.status_code < 400:
                    self._results[index] = BatchResult(op, event=event_or_none(op, answer))
                    continue
                error = chunk_error or (
                    error_from_response(answer)
                    if answer is not None
                    else GoogleUnavailableError("No answer for this call.")
                )
                if isinstance(error, AuthorizationExpiredError) and not final:
                    await self._transport.credentials.refresh()
                    retry.append(index)
                elif error.retryable and not final and chunk_error is None:
                    if answer is None or answer.status_code >= 500:
                        self._uncertain.add(index)
                    wait = max(wait or 0.0, error.retry_after or 0.0) or None
                    retry.append(index)
                else:
                    self._results[index] = await self._settle(op, error, index in self._uncertain)
        return retry, wait

    async def _send(
        self, calls: list[Call]
    ) -> tuple[list[httpx.Response | None], CalendarError | None, bool]:
        """(answer per call, error of the whole request, whether it may have run)."""
        content_type, body = batch_codec.encode(calls)
        transport = self._transport
        url = transport.endpoints.api.rstrip("/") + "/batch/calendar/v3"

        async def send() -> httpx.Response:
            headers = await transport.headers((("Content-Type", content_type),))
            return await transport.http.post(url, content=body, headers=headers)

        attempted = await transport.with_retries(send)
        if attempted.error is not None:
            return [None] * len(calls), attempted.error, attempted.uncertain
        try:
            answers = batch_codec.decode(attempted.result(), len(calls))
        except (ValueError, IndexError):
            return [None] * len(calls), GoogleUnavailableError("Malformed batch answer."), True
        return answers, None, attempted.uncertain
