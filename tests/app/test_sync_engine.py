"""The sync engine in-process (real database, real emulator, no background jobs)."""

from __future__ import annotations

import asyncio
import dataclasses
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.support.inprocess import calendar_services, connected_user
from tests.support.servers import EmulatorControl
from touchbase.calendar.events import create_calendar_event
from touchbase.calendar.listing import list_calendar_events
from touchbase.calendar.push import MAX_BROKEN_PUSHES, push_event
from touchbase.calendar.scoped import update_event
from touchbase.calendar.services import CalendarServices
from touchbase.calendar.sync import perform_two_way_sync
from touchbase.domain import CalendarEvent, EventTime
from touchbase.store import schedule
from touchbase.store import sync as sync_store
from touchbase.store.bulk import PARAMETERS_PER_STATEMENT
from touchbase.store.models import Calendar, Event

START = datetime(2027, 1, 10, 9, tzinfo=UTC)


def meeting(n: int) -> CalendarEvent:
    start = START + timedelta(hours=n)
    return CalendarEvent(
        title=f"offline {n}",
        start=EventTime.at(start),
        end=EventTime.at(start + timedelta(minutes=30)),
    )


async def test_pending_changes_go_out_in_batches_of_50(
    database_url: str, emulator: EmulatorControl
) -> None:
    async with calendar_services(
        database_url, emulator.url, request_google_budget_seconds=0.01
    ) as services:
        actor = await connected_user(services, "alice@example.com")
        emulator.fault(method="POST", path="/events$", status=503, times=10_000)
        for n in range(120):
            record = await create_calendar_event(services, actor, meeting(n))
            assert record.sync_status == "pending"
        emulator.http.delete(emulator.url + "/_emulator/faults")
        emulator.http.delete(emulator.url + "/_emulator/stats")
        result = await perform_two_way_sync(services, actor.user_id)
        assert result.status == "succeeded"
        assert result.counts["pushed"] == 120
        assert result.google_calls == 1 + math.ceil(120 / 50)
        assert emulator.stats()["httpRequests"] == 1 + math.ceil(120 / 50)
        listed = (
            await list_calendar_events(services, actor.user_id, time_min=None, time_max=None)
        ).items
        assert {r.sync_status for r in listed} == {"synced"}
        assert len(listed) == 120


async def test_one_sync_per_calendar_at_a_time(
    database_url: str, emulator: EmulatorControl
) -> None:
    async with calendar_services(database_url, emulator.url) as services:
        actor = await connected_user(services, "alice@example.com")
        emulator.seed(
            {
                "users": [
                    {
                        "email": "alice@example.com",
                        "events": [
                            {
                                "summary": f"e{n}",
                                "start": {"dateTime": "2027-01-01T10:00:00Z"},
                                "end": {"dateTime": "2027-01-01T11:00:00Z"},
                            }
                            for n in range(20)
                        ],
                    }
                ]
            }
        )
        emulator.configure(latencyMs=200)
        first, second = await asyncio.gather(
            perform_two_way_sync(services, actor.user_id),
            perform_two_way_sync(services, actor.user_id),
        )
        statuses = sorted(c.status for r in (first, second) for c in r.calendars)
        assert statuses == ["busy", "succeeded"]
        listed = (
            await list_calendar_events(services, actor.user_id, time_min=None, time_max=None)
        ).items
        assert len(listed) == 20


async def test_an_edit_made_during_a_sync_is_neither_lost_nor_overwritten(
    database_url: str, emulator: EmulatorControl
) -> None:
    async with calendar_services(database_url, emulator.url) as services:
        actor = await connected_user(services, "alice@example.com")
        record = await create_calendar_event(services, actor, meeting(0))
        token = emulator.token("alice@example.com")
        google = httpx.AsyncClient(
            base_url=emulator.url + "/calendar/v3/calendars/primary",
            headers={"Authorization": f"Bearer {token}"},
        )
        await google.patch(f"/events/{record.google_event_id}", json={"location": "Room 7"})
        emulator.configure(latencyMs=300)
        sync_task = asyncio.create_task(perform_two_way_sync(services, actor.user_id))
        await asyncio.sleep(0.1)  # the sync is waiting on Google
        edited = await update_event(
            services, actor, record.id, {"title": "edited mid-sync"}, if_match=None
        )
        await sync_task
        emulator.configure(latencyMs=0)
        await perform_two_way_sync(services, actor.user_id)
        [final] = (
            await list_calendar_events(services, actor.user_id, time_min=None, time_max=None)
        ).items
        assert final.event.title == "edited mid-sync"
        assert final.event.location == "Room 7"
        remote = (await google.get(f"/events/{record.google_event_id}")).json()
        await google.aclose()
        assert (remote["summary"], remote["location"]) == ("edited mid-sync", "Room 7")
        assert edited.event.title == "edited mid-sync"


async def test_a_run_left_open_by_a_dead_process_is_closed_by_the_next(
    database_url: str, emulator: EmulatorControl
) -> None:
    async with calendar_services(database_url, emulator.url) as services:
        actor = await connected_user(services, "alice@example.com")
        async with services.db.session() as session:
            await sync_store.start_run(
                session,
                run_id="dead-run",
                user_id=actor.user_id,
                trigger="api",
                now=services.clock() - timedelta(hours=2),
            )
        await perform_two_way_sync(services, actor.user_id)
        async with services.db.session() as session:
            dead = await sync_store.get_run(session, actor.user_id, "dead-run")
            assert dead is not None
            assert dead.status == "failed"
            assert dead.error is not None
            assert dead.error["code"] == "SYNC_INTERRUPTED"


def _remote_events(count: int) -> dict[str, Any]:
    return {
        "users": [
            {
                "email": "alice@example.com",
                "events": [
                    {
                        "summary": f"remote {n}",
                        "start": {"dateTime": f"2027-02-01T{n:02d}:00:00Z"},
                        "end": {"dateTime": f"2027-02-01T{n:02d}:30:00Z"},
                    }
                    for n in range(count)
                ],
            }
        ]
    }


async def _sync_token(services: CalendarServices, user_id: str) -> str | None:
    async with services.db.session() as session:
        [calendar] = await session.scalars(select(Calendar).where(Calendar.user_id == user_id))
        return calendar.sync_token


async def test_a_pull_cut_off_between_pages_keeps_its_token_and_converges(
    database_url: str, emulator: EmulatorControl
) -> None:
    async with calendar_services(database_url, emulator.url) as services:
        services.sync_page_size = 3
        actor = await connected_user(services, "alice@example.com")
        emulator.seed(_remote_events(7))
        emulator.fault(method="GET", path="/events$")  # the first page passes
        emulator.fault(method="GET", path="/events$", status=400)  # the second is refused
        cut = await perform_two_way_sync(services, actor.user_id)
        assert cut.status == "failed"
        assert await _sync_token(services, actor.user_id) is None
        stored = (
            await list_calendar_events(services, actor.user_id, time_min=None, time_max=None)
        ).items
        assert len(stored) == 3  # the page read before the failure is kept

        again = await perform_two_way_sync(services, actor.user_id)
        assert again.status == "succeeded"
        assert again.counts["created"] == 4  # the first page is already there, unchanged
        assert await _sync_token(services, actor.user_id) is not None
        listed = (
            await list_calendar_events(services, actor.user_id, time_min=None, time_max=None)
        ).items
        assert sorted(r.event.title for r in listed) == [f"remote {n}" for n in range(7)]


async def test_an_incremental_pull_of_several_pages_applies_every_page(
    database_url: str, emulator: EmulatorControl
) -> None:
    async with calendar_services(database_url, emulator.url) as services:
        services.sync_page_size = 3
        actor = await connected_user(services, "alice@example.com")
        emulator.seed(_remote_events(8))
        assert (await perform_two_way_sync(services, actor.user_id)).counts["created"] == 8
        async with httpx.AsyncClient(
            base_url=emulator.url + "/calendar/v3/calendars/primary",
            headers={"Authorization": f"Bearer {emulator.token('alice@example.com')}"},
        ) as google:
            for item in (await google.get("/events")).json()["items"][:7]:
                await google.patch(f"/events/{item['id']}", json={"location": "moved"})
        result = await perform_two_way_sync(services, actor.user_id)
        assert (result.counts["pulled"], result.counts["updated"]) == (7, 7)
        assert result.google_calls == 3  # ceil(7 / 3) pages
        listed = (
            await list_calendar_events(services, actor.user_id, time_min=None, time_max=None)
        ).items
        assert sorted(r.event.location for r in listed).count("moved") == 7


async def test_a_page_larger_than_one_insert_statement_is_stored_whole(
    database_url: str, emulator: EmulatorControl
) -> None:
    count = 3 * PARAMETERS_PER_STATEMENT // len(Event.__table__.columns) + 1
    async with calendar_services(database_url, emulator.url) as services:
        actor = await connected_user(services, "alice@example.com")
        seeded = _remote_events(24)
        events = seeded["users"][0]["events"]
        seeded["users"][0]["events"] = [
            {**events[n % 24], "summary": f"remote {n}"} for n in range(count)
        ]
        emulator.seed(seeded)
        result = await perform_two_way_sync(services, actor.user_id)
        assert result.counts["created"] == count
        listed = (
            await list_calendar_events(services, actor.user_id, time_min=None, time_max=None)
        ).items
        assert sorted(r.event.title for r in listed) == sorted(f"remote {n}" for n in range(count))


class _BrokenAccounts:
    """Google accounts that fail inside touchbase (a bug, not Google): a fake for this unit."""

    def __getattr__(self, name: str) -> Any:
        async def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("a bug in touchbase")

        return broken


async def test_a_push_that_breaks_here_backs_off_then_stops_as_an_error(
    database_url: str, emulator: EmulatorControl
) -> None:
    async with calendar_services(
        database_url, emulator.url, request_google_budget_seconds=0.01
    ) as services:
        actor = await connected_user(services, "alice@example.com")
        emulator.fault(method="POST", path="/events$", status=503, times=10_000)
        record = await create_calendar_event(services, actor, meeting(1))
        broken = dataclasses.replace(services, accounts=_BrokenAccounts())
        async with services.db.session() as session:
            tried = (await session.get(Event, record.id)).push_attempts  # type: ignore[union-attr]
        assert tried < MAX_BROKEN_PUSHES - 1
        for attempt in range(tried + 1, MAX_BROKEN_PUSHES + 1):
            with pytest.raises(RuntimeError):
                await push_event(broken, record.id)
            async with services.db.session() as session:
                row = await session.get(Event, record.id)
                assert row is not None
                assert row.push_attempts == attempt
                assert row.push_lease_until is None
                due = await schedule.calendars_with_due_pushes(session, now=services.clock())
            if attempt < MAX_BROKEN_PUSHES:
                assert row.sync_status == "pending"
                assert row.next_push_at is not None
                assert row.next_push_at > services.clock()  # not again at once
                assert row.calendar_id not in due
        assert row.sync_status == "error"
        assert row.pending_op == "create"  # the change is kept
        assert row.last_error is not None
        assert row.calendar_id not in due


async def test_a_calendar_turned_off_since_its_sync_was_asked_is_left_alone(
    database_url: str, emulator: EmulatorControl
) -> None:
    async with calendar_services(database_url, emulator.url) as services:
        actor = await connected_user(services, "alice@example.com")
        emulator.seed(_remote_events(1))
        async with services.db.session() as session:
            [primary] = list(await session.scalars(select(Calendar)))
            primary.sync_enabled = False
        result = await perform_two_way_sync(services, actor.user_id, calendar_ids=[primary.id])
        assert (result.status, result.calendars) == ("succeeded", [])
        async with services.db.session() as session:
            assert list(await session.scalars(select(Event))) == []
