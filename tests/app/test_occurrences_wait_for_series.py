"""An occurrence first changed here waits for its series' own change on its way to Google:
its slot is not in Google before the series is, and that is no conflict (in-process: a real
database, the emulator, no background jobs)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from tests.support.inprocess import calendar_services, connected_user
from tests.support.servers import EmulatorControl
from touchbase.calendar.actors import Actor
from touchbase.calendar.events import create_calendar_event
from touchbase.calendar.listing import list_calendar_events
from touchbase.calendar.push import push_event, read_snapshot, write_outcome
from touchbase.calendar.push_plan import WAITING_FOR_SERIES, Outcome
from touchbase.calendar.records import EventRecord
from touchbase.calendar.scoped import update_event
from touchbase.calendar.services import CalendarServices
from touchbase.domain import CalendarEvent, EventTime
from touchbase.store import events as event_store
from touchbase.store.models import Event

START = datetime(2027, 3, 1, 9, tzinfo=UTC)
LATER = timedelta(hours=1)


async def _occurrences(services: CalendarServices, user_id: str) -> list[EventRecord]:
    page = await list_calendar_events(
        services, user_id, time_min=START - timedelta(days=1), time_max=START + timedelta(days=9)
    )
    return [r for r in page.items if r.series_id]


async def _exception_id(services: CalendarServices) -> str:
    """The row id of the one occurrence changed here."""
    async with services.db.session() as session:
        found = await session.scalars(select(Event.id).where(Event.original_start_at.is_not(None)))
        [row_id] = list(found)
        return row_id


async def _row(services: CalendarServices, event_id: str) -> Event:
    async with services.db.session() as session:
        row = await session.get(Event, event_id)
        assert row is not None
        return row


async def _series_moving(
    services: CalendarServices, actor: Actor, emulator: EmulatorControl
) -> tuple[str, str, EventRecord]:
    """A daily series in Google whose move an hour later (all events) is still on its way,
    and its second occurrence retitled here meanwhile: (series row id, the occurrence's row
    id, the occurrence)."""
    event = CalendarEvent(
        title="Stand-up",
        start=EventTime.at(START, "Europe/Berlin"),
        end=EventTime.at(START + timedelta(minutes=15), "Europe/Berlin"),
        recurrence=("RRULE:FREQ=DAILY;COUNT=3",),
    )
    series = await create_calendar_event(services, actor, event)
    assert series.sync_status == "synced"
    emulator.fault(method="PATCH", status=503, times=10_000)
    first = (await _occurrences(services, actor.user_id))[0]
    changes: dict[str, Any] = {
        "start": EventTime.at(START + LATER, "Europe/Berlin"),
        "end": EventTime.at(START + LATER + timedelta(minutes=15), "Europe/Berlin"),
    }
    moved = await update_event(services, actor, first.id, changes, if_match=None, scope="all")
    assert moved.sync_status == "pending"
    emulator.http.delete(emulator.url + "/_emulator/faults")
    second = (await _occurrences(services, actor.user_id))[1]
    edited = await update_event(
        services, actor, second.id, {"title": "Demo day"}, if_match=None, scope="instance"
    )
    return series.id, await _exception_id(services), edited


@asynccontextmanager
async def _moving(
    database_url: str, emulator: EmulatorControl
) -> AsyncIterator[tuple[CalendarServices, str, str, EventRecord]]:
    """`_series_moving` for a new user: (services, and what it returns)."""
    async with calendar_services(
        database_url, emulator.url, request_google_budget_seconds=0.3
    ) as services:
        actor = await connected_user(services, "alice@example.com")
        yield services, *await _series_moving(services, actor, emulator)


async def test_an_occurrence_waits_for_its_series_and_goes_once_the_series_landed(
    database_url: str, emulator: EmulatorControl
) -> None:
    async with _moving(database_url, emulator) as (services, series_id, row_id, edited):
        assert (edited.sync_status, edited.conflict) == ("pending", None)
        waiting = await _row(services, row_id)
        assert waiting.last_error is not None
        assert waiting.last_error["message"] == WAITING_FOR_SERIES
        assert waiting.next_push_at is not None, "tried again later"
        assert (await push_event(services, series_id)) is not None
        woken = await _row(services, row_id)
        assert woken.next_push_at is None, "due at once, not after its backoff"
        assert woken.sync_status == "pending"
        landed = await push_event(services, row_id)
        assert landed is not None
        assert (landed.sync_status, landed.conflict) == ("synced", None)


async def test_a_series_that_landed_after_the_occurrence_was_read_is_waited_for(
    database_url: str, emulator: EmulatorControl
) -> None:
    """The series' change reached Google between this push's read of the occurrence and
    its answer: Google's answer (no such slot) is older than the series now; try again."""
    async with _moving(database_url, emulator) as (services, series_id, row_id, _):
        async with services.db.session() as session:
            snap = await read_snapshot(session, row_id)
        assert snap is not None
        assert (await push_event(services, series_id)) is not None  # it lands meanwhile
        async with services.db.session() as session:
            row = await session.get(Event, row_id, with_for_update=True)
            assert row is not None
            missing = Outcome("conflict", conflict_kind="deleted_remotely")
            assert await write_outcome(services, session, row, snap, missing) is False
            assert row.sync_status == "pending"
            assert await event_store.open_conflict(session, row.user_id, row.id) is None
        series = await _row(services, series_id)
        assert series.sync_status == "synced"
        async with services.db.session() as session:
            snap = await read_snapshot(session, row_id)
            assert snap is not None
            assert snap.series_etag == series.etag
