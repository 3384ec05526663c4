"""What one process runs on: its database, its Google accounts, the use cases' services, and
its job queue (Procrastinate on PostgreSQL, in-process on SQLite), running jobs or not."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from touchbase.calendar.google_accounts import GoogleAccounts
from touchbase.calendar.services import CalendarServices
from touchbase.config import Settings
from touchbase.google import GoogleEndpoints, RetryPolicy
from touchbase.jobs.in_process import InProcessQueue
from touchbase.jobs.procrastinate_queue import ProcrastinateQueue
from touchbase.jobs.queue import Job, JobQueue
from touchbase.jobs.work import JobWork
from touchbase.store.changes import ChangeFeed, PostgresChangeFeed
from touchbase.store.crypto import SecretCipher
from touchbase.store.database import Database, libpq_url


def utcnow() -> datetime:
    """The wall clock, UTC."""
    return datetime.now(UTC)


def endpoints_for(settings: Settings) -> GoogleEndpoints:
    """Real Google, or every endpoint on one host (the emulator)."""
    return (
        GoogleEndpoints.at(settings.google_base_url)
        if settings.google_base_url
        else GoogleEndpoints()
    )


def build_services(
    settings: Settings, *, http: httpx.AsyncClient, database: Database
) -> CalendarServices:
    """The use cases' dependencies for these settings."""
    accounts = GoogleAccounts(
        db=database,
        cipher=SecretCipher(settings.secret_key),
        endpoints=endpoints_for(settings),
        client_id=settings.google_client_id,
        client_secret=settings.google_client_secret,
        redirect_uri=settings.public_url.rstrip("/") + "/api/google/callback",
        http=http,
        clock=utcnow,
        calls_per_minute=settings.google_calls_per_minute,
    )
    budget = settings.request_google_budget_seconds
    return CalendarServices(
        db=database,
        accounts=accounts,
        clock=utcnow,
        request_retry=RetryPolicy(max_attempts=4, base_delay=0.2, max_delay=2.0, max_total=budget),
        max_backoff=timedelta(seconds=settings.pusher_max_backoff_seconds),
        push_in_request=settings.push_in_request,
        push_lease=timedelta(seconds=settings.push_lease_seconds),
        notification_address=settings.notification_address(),
        changes=(
            PostgresChangeFeed(libpq_url(settings.database_url))
            if database.engine.dialect.name == "postgresql"
            else ChangeFeed()
        ),
    )


def push_delay(settings: Settings) -> timedelta:
    """How long after its change commits a push job runs."""
    if settings.push_delay_seconds is not None:
        return timedelta(seconds=settings.push_delay_seconds)
    if not settings.push_in_request:
        return timedelta(0)
    return timedelta(seconds=settings.request_google_budget_seconds + 2.0)


def job_work(settings: Settings, services: CalendarServices) -> JobWork:
    """The jobs of a process, on the queue its database calls for; every transaction then
    defers the pushes its changes need before it commits."""

    async def perform(job: Job, holder: str) -> None:
        await work.perform(job, holder)

    async def tick() -> None:
        await work.tick()

    async def abandon(holder: str) -> None:
        await work.abandon(holder)

    queue: JobQueue
    if services.db.engine.dialect.name == "postgresql":
        queue = ProcrastinateQueue(
            settings.database_url,
            perform,
            tick,
            abandon=abandon,
            tick_seconds=settings.job_tick_seconds,
            stalled_seconds=settings.stalled_worker_seconds,
        )
    else:
        queue = InProcessQueue(perform, tick, tick_seconds=settings.job_tick_seconds, clock=utcnow)
    interval = settings.sync_interval_seconds
    work = JobWork(
        services=services,
        queue=queue,
        sync_interval=timedelta(seconds=interval) if interval > 0 else None,
        push_delay=push_delay(settings),
        live_sync_interval=timedelta(seconds=settings.sync_interval_live_seconds),
        notification_delay=timedelta(seconds=settings.notification_sync_delay_seconds),
        cadence_review_interval=timedelta(seconds=settings.cadence_review_seconds),
    )
    services.db.before_commit = work.before_commit
    return work


@dataclass
class Process:
    """A running process's parts."""

    services: CalendarServices
    work: JobWork


@contextlib.asynccontextmanager
async def running(
    settings: Settings, *, run_jobs: bool, concurrency: int
) -> AsyncIterator[Process]:
    """Open the database, Google and the job queue; run jobs meanwhile when `run_jobs`. On
    leaving, the jobs under way finish (within the graceful timeout) or are handed back."""
    database = Database(settings.database_url)
    async with httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0)) as http:
        services = build_services(settings, http=http, database=database)
        work = job_work(settings, services)
        await work.queue.open()
        runner = asyncio.create_task(work.queue.work(concurrency)) if run_jobs else None
        try:
            with database.log_kept_short():
                yield Process(services, work)
        finally:
            services.accounts.wind_down()  # jobs waiting to try Google again leave at once
            if runner is not None:
                runner.cancel()
                await asyncio.gather(runner, return_exceptions=True)
            await work.queue.close()
            await database.dispose()
