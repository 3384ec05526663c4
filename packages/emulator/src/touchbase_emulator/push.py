"""Push notifications: POST to each live channel's address when its calendar changes."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx

from touchbase_emulator.clock import now_utc
from touchbase_emulator.state import Channel, EmulatorState
from touchbase_emulator.wire import expiration_header, resource_uri

log = logging.getLogger("touchbase_emulator.push")
RETRY_STATUSES = frozenset({500, 502, 503, 504})
ATTEMPTS = 3


class Notifier:
    """Queues notifications and delivers them in order from one background task."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.queue: asyncio.Queue[tuple[str, dict[str, str]]] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None
        self.delivered = 0

    def start(self) -> None:
        """Start the delivery task (inside the running loop)."""
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._deliver_forever())

    async def stop(self) -> None:
        """Stop delivering."""
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None

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
        self.queue.put_nowait((channel.address, headers))

    async def _deliver_forever(self) -> None:
        async with httpx.AsyncClient(timeout=5.0) as http:
            while True:
                address, headers = await self.queue.get()
                await self._deliver(http, address, headers)

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
