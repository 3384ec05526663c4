"""The job queue on PostgreSQL: Procrastinate. Its unique indexes give both guarantees
(`lock`: one job of a calendar runs at a time; `queueing_lock`: one waits), jobs are
deferred in the transaction of the change that needs them, and any number of worker
processes on any number of machines share the queue. A worker killed mid-job leaves the job
"doing" with its lock held: the tick (and each worker's start) retries it once the worker's
heartbeat stops, or drops it when a newer job of the same key already waits."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import procrastinate
from procrastinate import exceptions as procrastinate_errors
from procrastinate.jobs import Status
from psycopg import AsyncConnection
from psycopg.pq import TransactionStatus
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.jobs.queue import GRACEFUL_SECONDS, Job, JobQueue, Perform, Tick
from touchbase.store.database import libpq_url

# Frees what a run of a job held, by its holder name, when its worker died.
Abandon = Callable[[str], Awaitable[None]]

log = logging.getLogger("touchbase.jobs")
JOB_TASK = "touchbase.job"
TICK_TASK = "touchbase.tick"
POLL_SECONDS = 1.0
# How a finished job's worker waits for its end to be recorded before announcing the next.
WAKE_STEP_SECONDS = 0.01
WAKE_TRIES = 100
ANY_QUEUE = "procrastinate_any_queue_v1"  # the channel every worker listens on
# A job this process ran and still "doing" this long after it ended was never recorded.
RECORD_GRACE_SECONDS = 5.0
# After its worker stopped on a database error, the pause before it starts again: doubling
# from the first to the last (and back to the first after a run this long).
RESTART_FIRST_SECONDS = 1.0
RESTART_LAST_SECONDS = 30.0
# A worker whose heartbeat is this old is dead; its jobs are retried.
STALLED_SECONDS = 30.0


def holder_of(job_id: int | None) -> str:
    """How a run of a job names itself as the holder of a calendar's sync."""
    return f"job:{job_id}"


class ProcrastinateQueue(JobQueue):
    """Jobs in PostgreSQL; `work` runs a Procrastinate worker in this process."""

    def __init__(
        self,
        database_url: str,
        perform: Perform,
        tick: Tick,
        *,
        abandon: Abandon,
        tick_seconds: float,
        stalled_seconds: float = STALLED_SECONDS,
        graceful_seconds: float = GRACEFUL_SECONDS,
    ) -> None:
        connector = procrastinate.PsycopgConnector(
            conninfo=libpq_url(database_url), min_size=1, max_size=4
        )
        self.app = procrastinate.App(connector=connector)
        self._perform, self._tick, self._abandon = perform, tick, abandon
        self._stalled, self._graceful = stalled_seconds, graceful_seconds
        # Jobs this process ran, by when they ended: each is checked to have been recorded.
        self._ended: dict[int, float] = {}
        self._wakes: set[asyncio.Task[None]] = set()
        self._register(max(1, round(tick_seconds)))

    def _register(self, tick_seconds: int) -> None:
        @self.app.task(name=JOB_TASK, pass_context=True)
        async def run_job(context: procrastinate.JobContext, /, **arguments: Any) -> None:
            assert context.job is not None
            assert context.job.id is not None
            try:
                await self._perform(Job(**arguments), holder_of(context.job.id))
            finally:
                self._ended[context.job.id] = time.monotonic()
                self._wake_after(context.job.id, context.job.lock)

        @self.app.periodic(cron=f"* * * * * */{tick_seconds}", periodic_id="tick")
        @self.app.task(name=TICK_TASK, queueing_lock="tick")
        async def tick(timestamp: int) -> None:
            await self.recover_stalled()
            await self._tick()

    async def open(self) -> None:
        await self.app.open_async()

    async def close(self) -> None:
        await self.app.close_async()

    async def defer(
        self, job: Job, *, at: datetime | None = None, session: AsyncSession | None = None
    ) -> bool:
        connection = await _driver_connection(session) if session is not None else None
        deferrer = self.app.configure_task(
            JOB_TASK,
            lock=job.lock,
            queueing_lock=job.queueing_lock,
            priority=job.priority,
            schedule_at=at,
            connection=connection,
        )
        try:
            if connection is None:
                await deferrer.defer_async(**job.arguments())
            else:
                # In a savepoint (psycopg makes one inside a transaction): a job already
                # waiting must not abort the caller's transaction and its writes with it.
                async with connection.transaction():
                    await deferrer.defer_async(**job.arguments())
        except procrastinate_errors.AlreadyEnqueued:
            await self._move_earlier(job, at, connection)
            return False
        return True

    async def _move_earlier(
        self, job: Job, at: datetime | None, connection: AsyncConnection[Any] | None
    ) -> None:
        """The waiting job runs at the earlier of its time and `at`."""
        query = (
            "UPDATE procrastinate_jobs SET scheduled_at = COALESCE(%(at)s, now()) "
            "WHERE queueing_lock = %(key)s AND status = 'todo' "
            "AND scheduled_at > COALESCE(%(at)s, now())"
        )
        values = {"at": at, "key": job.queueing_lock}
        if connection is not None:
            await connection.execute(query, values)
            return
        async with self.app.connector.pool.connection() as pooled:  # type: ignore[attr-defined]
            await pooled.execute(query, values)

    async def work(self, concurrency: int) -> None:
        recording = asyncio.create_task(self._record_ends())
        pause = RESTART_FIRST_SECONDS
        try:
            while True:  # until cancelled
                began = time.monotonic()
                try:
                    await self._run_worker(concurrency)
                    log.warning("the job worker stopped (one of its own queries failed)")
                except procrastinate_errors.ConnectorException as error:
                    log.warning("the job worker stopped (database error: %s)", error.__cause__)
                except Exception:  # a worker process must never sit alive and idle
                    log.exception("the job worker stopped on an unexpected error")
                if time.monotonic() - began > RESTART_LAST_SECONDS:
                    pause = RESTART_FIRST_SECONDS
                log.warning("starting the job worker again in %.0f s", pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, RESTART_LAST_SECONDS)
        finally:
            recording.cancel()

    async def _run_worker(self, concurrency: int) -> None:
        """One run of Procrastinate's worker. It ends, or raises, when a query of its own
        fails (the fetch of the next job, the heartbeat, the listener's reconnection):
        Procrastinate leaves restarting to whoever runs it."""
        await self.recover_stalled()
        await self.app.run_worker_async(
            concurrency=concurrency,
            install_signal_handlers=False,
            shutdown_graceful_timeout=self._graceful,
            delete_jobs="successful",
            # A job scheduled for later is not announced when its time comes: look often.
            fetch_job_polling_interval=POLL_SECONDS,
            stalled_worker_timeout=self._stalled,
            update_heartbeat_interval=max(self._stalled / 3, 1.0),
        )

    def _wake_after(self, job_id: int, lock: str | None) -> None:
        """A job deferred while another of its calendar ran waits for that one's lock, and
        no worker is told when the lock frees (only inserts notify): once this job's end is
        recorded, announce the waiting one, or it waits for the next poll."""
        if lock is None:
            return
        wake = asyncio.get_running_loop().create_task(self._announce_waiting(job_id, lock))
        self._wakes.add(wake)
        wake.add_done_callback(self._wakes.discard)

    async def _announce_waiting(self, job_id: int, lock: str) -> None:
        query = (  # whether this job is still "doing", and the first due job of its lock
            "SELECT EXISTS (SELECT FROM procrastinate_jobs "
            "WHERE id = %(id)s AND status = 'doing'), (SELECT min(id) FROM procrastinate_jobs "
            "WHERE lock = %(lock)s AND status = 'todo' "
            "AND (scheduled_at IS NULL OR scheduled_at <= clock_timestamp()))"
        )
        pool = self.app.connector.pool  # type: ignore[attr-defined]
        with contextlib.suppress(Exception):  # a missed wake-up only waits for the poll
            for _ in range(WAKE_TRIES):
                await asyncio.sleep(WAKE_STEP_SECONDS)
                # A connection per look, not held across the waits: the jobs' ends share
                # the pool.
                async with pool.connection() as connection:
                    row = await (
                        await connection.execute(query, {"id": job_id, "lock": lock})
                    ).fetchone()
                    assert row is not None
                    if row[0]:
                        continue  # its end is not recorded yet
                    if row[1] is not None:
                        payload = json.dumps({"type": "job_inserted", "job_id": row[1]})
                        await connection.execute("SELECT pg_notify(%s, %s)", (ANY_QUEUE, payload))
                    return

    async def _record_ends(self) -> None:
        """A job's end goes unrecorded when the database connection is cut at that moment:
        it stays "doing" under a live worker, holding its calendar's lock for good. Each
        process marks such jobs of its own done (their work is), a few seconds on."""
        while True:
            await asyncio.sleep(RECORD_GRACE_SECONDS)
            try:
                await self._finish_unrecorded()
            except procrastinate_errors.ConnectorException:
                log.warning("could not check the ends of jobs (database unreachable)")

    async def _finish_unrecorded(self) -> None:
        cutoff = time.monotonic() - RECORD_GRACE_SECONDS
        ended = [job_id for job_id, at in self._ended.items() if at < cutoff]
        if not ended:
            return
        query = "SELECT id FROM procrastinate_jobs WHERE id = ANY(%(ids)s) AND status = 'doing'"
        async with self.app.connector.pool.connection() as connection:  # type: ignore[attr-defined]
            rows = await (await connection.execute(query, {"ids": ended})).fetchall()
        for (job_id,) in rows:
            manager = self.app.job_manager
            await manager.finish_job_by_id_async(job_id, Status.SUCCEEDED, delete_job=True)
            log.warning("recorded the end of job %s (its connection had been cut)", job_id)
        for job_id in ended:
            del self._ended[job_id]

    async def recover_stalled(self) -> None:
        """Retry each job left "doing" by a worker whose heartbeat stopped; drop it instead
        when a newer job of the same key waits (a retry would break the queueing lock)."""
        manager = self.app.job_manager
        for stalled in await manager.get_stalled_jobs(seconds_since_heartbeat=self._stalled):
            assert stalled.id is not None
            await self._abandon(holder_of(stalled.id))
            try:
                await manager.retry_job(stalled)
                log.warning("retrying job %s after its worker stopped", stalled.call_string)
            except procrastinate_errors.UniqueViolation:
                await manager.finish_job_by_id_async(stalled.id, Status.FAILED, delete_job=False)
                log.warning("dropped job %s: a newer one waits", stalled.call_string)

    async def counts(self) -> dict[str, int]:
        query = "SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY status"
        async with self.app.connector.pool.connection() as connection:  # type: ignore[attr-defined]
            rows = await (await connection.execute(query)).fetchall()
        return {str(status): int(number) for status, number in rows}


async def _driver_connection(session: AsyncSession) -> AsyncConnection[Any]:
    """The psycopg connection under the session's transaction, in that transaction (begun
    now if no statement has run yet: psycopg begins one implicitly, and would otherwise
    commit a savepoint's work at once as a transaction of its own)."""
    raw = await (await session.connection()).get_raw_connection()
    connection = raw.driver_connection
    assert isinstance(connection, AsyncConnection)
    if connection.info.transaction_status == TransactionStatus.IDLE:
        await connection.execute("SELECT 1")
    return connection
