"""`touchbase worker`, `touchbase jobs`, and `touchbase user remove` (which needs Google)."""

from __future__ import annotations

import asyncio
import json
import logging
import signal

from touchbase.calendar import calendars
from touchbase.config import ConfigurationError, Settings, load_settings
from touchbase.jobs.process import running
from touchbase.startup import check_secret_key, prepare_database
from touchbase.stopping import WORKER_DEADLINE_SECONDS, leave_after
from touchbase.store import accounts

log = logging.getLogger("touchbase.worker")


def _worker_settings() -> Settings:
    settings = load_settings()
    settings.check()
    if not settings.database_url.startswith("postgresql"):
        raise ConfigurationError(
            "`touchbase worker` needs PostgreSQL (TOUCHBASE_DATABASE_URL=postgresql://...); "
            "with SQLite, `touchbase serve` runs the jobs itself."
        )
    prepare_database(settings)
    check_secret_key(settings)
    return settings


async def _work(settings: Settings, concurrency: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with running(settings, run_jobs=True, concurrency=concurrency):
        log.info("worker running %d jobs at once", concurrency)
        print(f"touchbase worker: {concurrency} jobs at once; SIGTERM stops it", flush=True)
        await stop.wait()
        print("touchbase worker: stopping (jobs under way finish first)", flush=True)
        leave_after(WORKER_DEADLINE_SECONDS, "the worker")


def run_worker(*, concurrency: int | None) -> None:
    """Run jobs until SIGTERM or SIGINT; jobs under way then finish within the graceful
    timeout, and what is left goes back to the queue."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = _worker_settings()
    asyncio.run(_work(settings, concurrency or settings.job_concurrency))


async def _counts(settings: Settings) -> dict[str, int]:
    async with running(settings, run_jobs=False, concurrency=1) as process:
        return await process.work.queue.counts()


def count_jobs() -> str:
    """The job queue's jobs by state, as JSON (PostgreSQL; SQLite's queue lives in `serve`)."""
    settings = _worker_settings()
    return json.dumps(asyncio.run(_counts(settings)), sort_keys=True)


async def _remove(settings: Settings, email: str) -> bool:
    async with running(settings, run_jobs=False, concurrency=1) as process:
        services = process.services
        async with services.db.session() as session:
            user = await accounts.user_by_email(session, email)
        if user is None:
            return False
        await calendars.remove_user(services, user.id)
        return True


def remove_user(email: str) -> bool:
    """Remove the user with this email (their push channels stopped and their Google grant
    revoked first); whether there was one."""
    settings = load_settings()
    prepare_database(settings)
    check_secret_key(settings)
    return asyncio.run(_remove(settings, email))
