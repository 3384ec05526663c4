"""Push notifications: POST to each live channel's address when what it watches changes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque

import httpx

from touchbase_emulator.clock import now_utc
from touchbase_emulator.state import Channel, EmulatorState
from touchbase_emulator.wire import expiration_header, resource_uri

log = logging.getLogger("touchbase_emulator.push")
RETRY_STATUSES = frozenset({500, 502, 503, 504})
ATTEMPTS = 3


class Notifier:
    """Delivers notifications: in order within a channel, each channel on its own, so a dead
    address (Google retries it, then gives up) never holds up another channel's messages."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.pending: dict[str, deque[tuple[str, dict[str, str]]]] = {}
        self.senders: dict[str, asyncio.Task[None]] = {}
        self.http: httpx.AsyncClient | None = None
        self.delivered = 0

    def start(self) -> None:
        """Start delivering (inside the running loop), messages queued so far first."""
        if self.http is None:
            self.http = httpx.AsyncClient(timeout=5.0)
            for channel_id in list(self.pending):
                self._send_soon(channel_id)

    async def stop(self) -> None:
        """Stop delivering."""
        tasks = list(self.senders.values())
        self.clear()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.http is not None:
            await self.http.aclose()
            self.http = None

    def clear(self) -> None:
        """Drop every message not delivered yet (the emulator forgets everything)."""
        for task in self.senders.values():
            task.cancel()
        self.senders.clear()
        self.pending.clear()

    def watched(self, channel: Channel) -> None:
        """A channel was created: send it the `sync` message."""
        self._enqueue(channel, "sync")

    def changed(self, resource: str, key: str) -> None:
        """A watched resource changed (`key`: the calendar, or the user for calendarList and
        settings): one `exists` message per live channel on it."""
        now_ms = int(now_utc().timestamp() * 1000)
        for channel in list(self.state.channels.values()):
            if channel.resource != resource or channel.calendar_id != key:
                continue
            if channel.expiration_ms <= now_ms:
                del self.state.channels[channel.id]
                continue
            self._enqueue(channel, "exists")

    def _enqueue(self, channel: Channel, state: str) -> None:
        channel.message_number += 1
        headers = {
            "X-Goog-Channel-ID": channel.id,
            "X-Goog-Message-Number": str(channel.message_number),
            "X-Goog-Resource-ID": channel.resource_id,
            "X-Goog-Resource-URI": resource_uri(channel),
            "X-Goog-Resource-State": state,
            "X-Goog-Channel-Expiration": expiration_header(channel),
        }
        if channel.token:
            headers["X-Goog-Channel-Token"] = channel.token
        self.pending.setdefault(channel.id, deque()).append((channel.address, headers))
        if self.http is not None and channel.id not in self.senders:
            self._send_soon(channel.id)

    def _send_soon(self, channel_id: str) -> None:
        task = asyncio.get_running_loop().create_task(self._send_all(channel_id))
        self.senders[channel_id] = task

    async def _send_all(self, channel_id: str) -> None:
        queue = self.pending[channel_id]
        try:
            while queue and self.http is not None:
                address, headers = queue.popleft()
                await self._deliver(self.http, address, headers)
        finally:
            if self.senders.get(channel_id) is asyncio.current_task():
                del self.senders[channel_id]
            if not queue and self.pending.get(channel_id) is queue:
                del self.pending[channel_id]

    async def _deliver(
        self, http: httpx.AsyncClient, address: str, headers: dict[str, str]
    ) -> None:
        for attempt in range(ATTEMPTS):
            try:
                response = await http.post(address, headers=headers, content=b"")
            except httpx.HTTPError as exc:
                log.info("notification to %s failed: %s", address, exc)
            else:
                if response.status_code not in RETRY_STATUSES:
                    self.delivered += 1
                    return
            await asyncio.sleep(0.05 * 2**attempt)
