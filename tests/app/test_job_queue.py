"""The job queue's contract, run against both backends (Procrastinate on PostgreSQL, the
in-process runner on SQLite) over a real, migrated database: what sync relies on."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from touchbase.jobs.in_process import InProcessQueue
from touchbase.jobs.procrastinate_queue import ProcrastinateQueue
from touchbase.jobs.queue import Job, JobQueue
from touchbase.store.database import Database
from touchbase.store.models import User


def now() -> datetime:
    return datetime.now(UTC)


class Recorder:
    """Runs each job for `seconds`, noting when it ran and which ran at the same time."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.ran: list[tuple[Job, datetime]] = []
        self.running: set[str] = set()
        self.overlaps: list[tuple[str, str]] = []
        self.most_at_once = 0
        self.gate: asyncio.Event | None = None

    async def perform(self, job: Job, _holder: str) -> None:
        for other in self.running:
            self.overlaps.append((other, job.queueing_lock))
        self.running.add(job.queueing_lock)
        self.most_at_once = max(self.most_at_once, len(self.running))
        self.ran.append((job, now()))
        try:
            if self.gate is not None:
                await self.gate.wait()
            await asyncio.sleep(self.seconds)
        finally:
            self.running.discard(job.queueing_lock)


async def _no_tick() -> None:
    return None


async def _none(_holder: str) -> None:
    return None


def _queue(url: str, perform: Callable[[Job, str], Awaitable[None]]) -> JobQueue:
    if url.startswith("postgresql"):
        return ProcrastinateQueue(url, perform, _no_tick, abandon=_none, tick_seconds=3600)
    return InProcessQueue(perform, _no_tick, tick_seconds=3600, clock=now)


@contextlib.asynccontextmanager
async def working(
    url: str, recorder: Recorder, concurrency: int = 4
) -> AsyncIterator[tuple[JobQueue, Database]]:
    queue, database = _queue(url, recorder.perform), Database(url)
    await queue.open()
    runner = asyncio.create_task(queue.work(concurrency))
    try:
        yield queue, database
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        await queue.close()
        await database.dispose()


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(10.0):
        while not condition():  # noqa: ASYNC110 (polls what a job recorded)
            await asyncio.sleep(0.02)


async def test_a_second_job_of_a_key_joins_the_waiting_one(database_url: str) -> None:
    recorder = Recorder()
    async with working(database_url, recorder) as (queue, _):
        later = now() + timedelta(seconds=1)
        assert await queue.defer(Job("sync", "c1"), at=later)
        for _ in range(20):
            assert not await queue.defer(Job("sync", "c1"), at=later)
        assert await queue.defer(Job("push", "c1"), at=later)  # another key of the calendar
        await until(lambda: len(recorder.ran) == 2)
        await asyncio.sleep(1.0)
        assert sorted(job.kind for job, _ in recorder.ran) == ["push", "sync"]


async def test_a_job_waits_for_its_time_and_an_earlier_one_moves_it(database_url: str) -> None:
    recorder = Recorder()
    async with working(database_url, recorder) as (queue, _):
        asked = now()
        await queue.defer(Job("push", "late"), at=asked + timedelta(seconds=1.5))
        await queue.defer(Job("push", "moved"), at=asked + timedelta(hours=1))
        assert not await queue.defer(Job("push", "moved"))  # due now: the waiting one moves
        await until(lambda: len(recorder.ran) == 2)
        when = {job.subject: at for job, at in recorder.ran}
        assert when["late"] >= asked + timedelta(seconds=1.5)
        assert when["moved"] < asked + timedelta(seconds=1.5)


async def test_one_job_of_a_calendar_runs_at_a_time(database_url: str) -> None:
    recorder = Recorder(seconds=0.3)
    async with working(database_url, recorder) as (queue, _):
        for calendar in ("a", "b", "c"):
            await queue.defer(Job("sync", calendar))
            await queue.defer(Job("push", calendar))
        await until(lambda: len(recorder.ran) == 6 and not recorder.running)
    same_calendar = [(x, y) for x, y in recorder.overlaps if x.split(":")[1] == y.split(":")[1]]
    assert same_calendar == []
    assert recorder.most_at_once >= 2  # other calendars' jobs do run side by side


async def test_a_job_deferred_while_its_key_runs_runs_again_after(database_url: str) -> None:
    recorder = Recorder()
    recorder.gate = asyncio.Event()
    async with working(database_url, recorder) as (queue, _):
        await queue.defer(Job("sync", "c1"))
        await until(lambda: len(recorder.ran) == 1)
        assert await queue.defer(Job("sync", "c1"))  # a notification during the sync
        assert not await queue.defer(Job("sync", "c1"))  # ... and a hundred more: one waits
        recorder.gate.set()
        await until(lambda: len(recorder.ran) == 2)


async def test_a_job_deferred_in_a_transaction_exists_only_if_it_commits(
    database_url: str,
) -> None:
    recorder = Recorder()
    async with working(database_url, recorder) as (queue, database):
        with contextlib.suppress(RuntimeError):
            async with database.session() as session:
                await queue.defer(Job("push", "rolled-back"), session=session)
                raise RuntimeError("the change failed")
        async with database.session() as session:
            await queue.defer(Job("push", "committed"), session=session)
        await until(lambda: len(recorder.ran) == 1)
        await asyncio.sleep(0.5)
        assert [job.subject for job, _ in recorder.ran] == ["committed"]


async def test_a_job_already_waiting_never_undoes_the_change_that_defers_it(
    database_url: str,
) -> None:
    recorder = Recorder()
    async with working(database_url, recorder) as (queue, database):
        await queue.defer(Job("push", "c1"), at=now() + timedelta(hours=1))
        async with database.session() as session:
            session.add(User(id="u1", email="kept@example.com", created_at=now()))
            await session.flush()
            assert not await queue.defer(
                Job("push", "c1"), at=now() + timedelta(hours=1), session=session
            )
            session.add(User(id="u2", email="also-kept@example.com", created_at=now()))
        async with database.session() as session:
            emails = set(await session.scalars(select(User.email)))
        assert emails == {"kept@example.com", "also-kept@example.com"}


async def test_stopping_lets_a_running_job_finish(database_url: str) -> None:
    recorder = Recorder(seconds=1.0)
    finished: list[str] = []

    async def perform(job: Job, holder: str) -> None:
        await recorder.perform(job, holder)
        finished.append(job.subject)

    queue, database = _queue(database_url, perform), Database(database_url)
    await queue.open()
    runner = asyncio.create_task(queue.work(2))
    try:
        await queue.defer(Job("sync", "c1"))
        await until(lambda: len(recorder.ran) == 1)
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        assert finished == ["c1"]
    finally:
        await queue.close()
        await database.dispose()
