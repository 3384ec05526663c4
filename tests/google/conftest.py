"""Fixtures for the client's tests: a real emulator and a client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from tests.support.servers import EmulatorControl
from touchbase.domain import CalendarEvent, EventTime
from touchbase.google import GoogleCalendarClient, GoogleEndpoints, RetryPolicy, StaticToken

ALICE = "alice@example.com"


class RecordingSleep:
    """Records the delays the client asks for, and sleeps only a token amount."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


FAST = RetryPolicy(max_attempts=5, base_delay=0.01, max_delay=0.05, max_total=5.0)


def meeting(title: str = "Call with Dana", **changes: object) -> CalendarEvent:
    """A one-hour meeting on 2027-01-10."""
    event = CalendarEvent(
        title=title,
        start=EventTime.at(datetime(2027, 1, 10, 9, tzinfo=UTC), "Europe/Berlin"),
        end=EventTime.at(datetime(2027, 1, 10, 10, tzinfo=UTC), "Europe/Berlin"),
    )
    return event.replace(**changes)


@pytest.fixture
def sleep() -> RecordingSleep:
    """The client's sleep, recorded."""
    return RecordingSleep()


@pytest.fixture
async def client(
    emulator: EmulatorControl, sleep: RecordingSleep
) -> AsyncIterator[GoogleCalendarClient]:
    """Our client, signed in as alice (full calendar scope), against the emulator."""
    token = emulator.token(ALICE)
    async with GoogleCalendarClient(
        StaticToken(token), endpoints=GoogleEndpoints.at(emulator.url), retry=FAST, sleep=sleep
    ) as google:
        yield google
