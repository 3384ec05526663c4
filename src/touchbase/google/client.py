"""GoogleCalendarClient: the async Calendar v3 client the rest of touchbase uses.

One client serves one Google account over one `Transport` (its pooled connections, quota and
retries with backoff). A retried write whose first attempt may have landed is checked against
Google before it is called a conflict or a duplicate; many writes go in batches (`Batcher`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx

from touchbase.domain import CalendarEvent, EventTime
from touchbase.errors import (
    CalendarError,
    ConflictError,
    DuplicateEventError,
    EventNotFoundError,
)
from touchbase.google.auth import Credentials, GoogleEndpoints
from touchbase.google.batch import Call
from touchbase.google.batching import Batcher, BatchResult, event_or_none
from touchbase.google.ids import new_event_id
from touchbase.google.mapping import to_domain
from touchbase.google.models import (
    CalendarListEntry,
    CalendarListPage,
    CalendarResource,
    Channel,
    EventResource,
    EventsPage,
    decode,
    decode_events_page,
)
from touchbase.google.operations import (
    DeleteEvent,
    GetEvent,
    InsertEvent,
    Operation,
    PatchEvent,
    SendUpdates,
    UpdateEvent,
    calendar_path,
    events_path,
    intended,
    target_id,
    to_call,
)
from touchbase.google.pausing import Sleep, Stopping
from touchbase.google.retry import RetryPolicy
from touchbase.google.transport import Quota, Transport

BATCH_SIZE = 50
MAX_PAGE = 2500


def _rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("time bounds must be timezone-aware")
    return moment.isoformat()


class EventListing:
    """The pages of one list call. Iterate with `async for`; once the last page has been
    read, `next_sync_token` holds the token for the next incremental list."""

    def __init__(
        self, client: GoogleCalendarClient, path: str, params: list[tuple[str, str]]
    ) -> None:
        self._client = client
        self._path = path
        self._params = params
        self.next_sync_token: str | None = None
        self.pages = 0

    async def _fetch(self, page_token: str | None) -> EventsPage:
        params = self._params + ([("pageToken", page_token)] if page_token else [])
        attempted = await self._client.transport.send(Call("GET", self._path, tuple(params)))
        return decode_events_page(attempted.result().content)

    async def __aiter__(self) -> AsyncIterator[EventsPage]:
        # The next page is requested before this one is handed out, so the caller's work on
        # a page overlaps the wait for the next.
        pending = asyncio.ensure_future(self._fetch(None))
        try:
            while True:
                page = await pending
                self.pages += 1
                if not page.next_page_token:
                    self.next_sync_token = page.next_sync_token
                    yield page
                    return
                pending = asyncio.ensure_future(self._fetch(page.next_page_token))
                yield page
        finally:
            if not pending.done():
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError, CalendarError):
                    await pending

    async def items(self) -> list[EventResource]:
        """Every item of every page."""
        return [item async for page in self for item in page.items]


class GoogleCalendarClient:
    """Calendar v3 for one Google account."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        endpoints: GoogleEndpoints | None = None,
        http: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        new_id: Callable[[], str] = new_event_id,
        batch_size: int = BATCH_SIZE,
        quota: Quota | None = None,
        stopping: Stopping | None = None,
    ) -> None:
        self.transport = Transport(
            credentials,
            endpoints or GoogleEndpoints(),
            http=http,
            retry=retry,
            sleep=sleep,
            quota=quota,
            stopping=stopping,
        )
        self.endpoints = self.transport.endpoints
        self._new_id = new_id
        self._batch_size = batch_size

    @property
    def requests_sent(self) -> int:
        """How many requests went to Google (each try of a retried call counts)."""
        return self.transport.requests_sent

    async def aclose(self) -> None:
        """Close the connection pool (when the client created it)."""
        await self.transport.aclose()

    async def __aenter__(self) -> GoogleCalendarClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ---- reading ----------------------------------------------------------------------

    def list_events(
        self,
        calendar_id: str,
        *,
        sync_token: str | None = None,
        time_min: datetime | None = None,
        time_max: datetime | None = None,
        single_events: bool = False,
        show_deleted: bool = False,
        order_by: str | None = None,
        query: str | None = None,
        private_properties: Mapping[str, str] | None = None,
        page_size: int = MAX_PAGE,
    ) -> EventListing:
        """events.list; with `sync_token`, only what changed since (deletions included)."""
        params: list[tuple[str, str]] = [("maxResults", str(page_size))]
        if single_events:
            params.append(("singleEvents", "true"))
        if show_deleted:
            params.append(("showDeleted", "true"))
        if sync_token:
            params.append(("syncToken", sync_token))
        if time_min:
            params.append(("timeMin", _rfc3339(time_min)))
        if time_max:
            params.append(("timeMax", _rfc3339(time_max)))
        if order_by:
            params.append(("orderBy", order_by))
        if query:
            params.append(("q", query))
        for key, value in (private_properties or {}).items():
            params.append(("privateExtendedProperty", f"{key}={value}"))
        return EventListing(self, events_path(calendar_id), params)

    def instances(
        self,
        calendar_id: str,
        event_id: str,
        *,
        time_min: datetime | None = None,
        time_max: datetime | None = None,
        show_deleted: bool = False,
        page_size: int = MAX_PAGE,
    ) -> EventListing:
        """events.instances: the instances of one recurring series."""
        params: list[tuple[str, str]] = [("maxResults", str(page_size))]
        if time_min:
            params.append(("timeMin", _rfc3339(time_min)))
        if time_max:
            params.append(("timeMax", _rfc3339(time_max)))
        if show_deleted:
            params.append(("showDeleted", "true"))
        return EventListing(self, events_path(calendar_id, event_id) + "/instances", params)

    async def find_instance(
        self, calendar_id: str, series_id: str, original: EventTime
    ) -> EventResource | None:
        """The instance of a series scheduled at `original` (events.instances with
        originalStart; a cancelled one too), or None if the series has none then."""
        value = original.date.isoformat() if original.date else None
        if original.date_time is not None:
            value = _rfc3339(original.date_time)
        assert value is not None
        params = [("originalStart", value), ("showDeleted", "true")]
        listing = EventListing(self, events_path(calendar_id, series_id) + "/instances", params)
        found = await listing.items()
        return found[0] if found else None

    async def get_event(
        self, calendar_id: str, event_id: str, *, if_none_match: str | None = None
    ) -> EventResource | None:
        """events.get; None when `if_none_match` is still the current etag (304)."""
        headers = (("If-None-Match", if_none_match),) if if_none_match else ()
        call = Call("GET", events_path(calendar_id, event_id), headers=headers)
        response = (await self.transport.send(call)).result()
        if response.status_code == 304:
            return None
        return decode(EventResource, response.content)

    async def list_calendars(self) -> list[CalendarListEntry]:
        """calendarList.list: every calendar of the account (those hidden in Google's list
        too: hidden is not gone)."""
        entries: list[CalendarListEntry] = []
        page_token: str | None = None
        while True:
            params: tuple[tuple[str, str], ...] = (("showHidden", "true"),)
            if page_token:
                params += (("pageToken", page_token),)
            call = Call("GET", "/users/me/calendarList", params)
            page = decode(CalendarListPage, (await self.transport.send(call)).result().content)
            entries.extend(page.items)
            if not page.next_page_token:
                return entries
            page_token = page.next_page_token

    async def get_calendar(self, calendar_id: str) -> CalendarResource:
        """calendars.get: the calendar itself (whose it is, among others)."""
        call = Call("GET", calendar_path(calendar_id))
        return decode(CalendarResource, (await self.transport.send(call)).result().content)

    # ---- writing ----------------------------------------------------------------------

    async def insert_event(
        self, calendar_id: str, event: CalendarEvent, *, send_updates: SendUpdates = "none"
    ) -> EventResource:
        """events.insert with a client-chosen id (kept from `event.id` if set)."""
        written = await self._run(InsertEvent(calendar_id, event), send_updates)
        assert written is not None
        return written

    async def patch_event(
        self,
        calendar_id: str,
        event_id: str,
        *,
        base: CalendarEvent,
        target: CalendarEvent,
        etag: str | None,
        send_updates: SendUpdates = "none",
    ) -> EventResource:
        """events.patch of the fields that differ between `base` and `target`, If-Match."""
        written = await self._run(
            PatchEvent(calendar_id, event_id, base, target, etag), send_updates
        )
        assert written is not None
        return written

    async def update_event(
        self,
        calendar_id: str,
        event: CalendarEvent,
        *,
        etag: str | None,
        send_updates: SendUpdates = "none",
    ) -> EventResource:
        """events.update (PUT) of the whole event, If-Match."""
        written = await self._run(UpdateEvent(calendar_id, event, etag), send_updates)
        assert written is not None
        return written

    async def delete_event(
        self,
        calendar_id: str,
        event_id: str,
        *,
        etag: str | None,
        send_updates: SendUpdates = "none",
    ) -> None:
        """events.delete, If-Match."""
        await self._run(DeleteEvent(calendar_id, event_id, etag), send_updates)

    async def _run(self, op: Operation, send_updates: SendUpdates) -> EventResource | None:
        op = self._with_id(op)
        attempted = await self.transport.send(to_call(op, send_updates))
        if attempted.error is not None:
            settled = await self._settle(op, attempted.error, uncertain=attempted.uncertain)
            if settled.error is not None:
                raise settled.error
            return settled.event
        return event_or_none(op, attempted.result())

    def _with_id(self, op: Operation) -> Operation:
        if isinstance(op, InsertEvent) and not op.event.id:
            return InsertEvent(op.calendar_id, op.event.replace(id=self._new_id()))
        return op

    async def _settle(self, op: Operation, error: CalendarError, *, uncertain: bool) -> BatchResult:
        """Tell a write that landed on an earlier, unanswered try from a real failure."""
        expected_errors = (DuplicateEventError, ConflictError, EventNotFoundError)
        if not uncertain or not isinstance(error, expected_errors) or isinstance(op, GetEvent):
            return BatchResult(op, error=error)
        try:
            remote = await self.get_event(op.calendar_id, target_id(op))
        except EventNotFoundError:
            remote = None
        except CalendarError:
            return BatchResult(op, error=error)
        if isinstance(op, DeleteEvent):
            if remote is None or remote.is_cancelled:
                return BatchResult(op)
            return BatchResult(op, error=error)
        wanted = intended(op)
        if (
            remote is not None
            and wanted is not None
            and not remote.is_cancelled
            and to_domain(remote).same_content(wanted)
        ):
            return BatchResult(op, event=remote)
        return BatchResult(op, error=error)

    # ---- batch ------------------------------------------------------------------------

    async def batch(
        self, operations: Sequence[Operation], *, send_updates: SendUpdates = "none"
    ) -> list[BatchResult]:
        """Run many operations in batch requests of at most `batch_size` calls each.

        Each operation gets its own result; transient failures of single parts are retried.
        """

        async def settle(op: Operation, error: CalendarError, uncertain: bool) -> BatchResult:
            return await self._settle(op, error, uncertain=uncertain)

        ops = [self._with_id(op) for op in operations]
        batcher = Batcher(
            self.transport, ops, size=self._batch_size, settle=settle, send_updates=send_updates
        )
        return await batcher.run()

    # ---- push notifications -----------------------------------------------------------

    async def watch_events(
        self,
        calendar_id: str,
        *,
        channel_id: str,
        address: str,
        token: str | None = None,
        ttl_seconds: int | None = None,
    ) -> Channel:
        """events.watch: Google will POST to `address` when the calendar's events change."""
        body: dict[str, Any] = {"id": channel_id, "type": "web_hook", "address": address}
        if token:
            body["token"] = token
        if ttl_seconds:
            body["params"] = {"ttl": str(ttl_seconds)}
        call = Call("POST", events_path(calendar_id) + "/watch", body=body)
        return decode(Channel, (await self.transport.send(call)).result().content)

    async def stop_channel(self, channel_id: str, resource_id: str) -> None:
        """channels.stop."""
        call = Call("POST", "/channels/stop", body={"id": channel_id, "resourceId": resource_id})
        (await self.transport.send(call)).result()
