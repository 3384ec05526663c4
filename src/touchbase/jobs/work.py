"""What the jobs do, whichever queue runs them: push a calendar's due changes, sync a
calendar, keep a user's cadences (plan what they owe, move later what meetings held made
early), retry with backoff, and the periodic tick that re-defers what no job covers."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.actors import Actor
from touchbase.calendar.batch_push import push_changes
from touchbase.calendar.channels import keep_watch
from touchbase.calendar.services import CalendarServices
from touchbase.calendar.sync import perform_two_way_sync
from touchbase.crm.cadence import follow_meetings, plan_owed
from touchbase.google.auth import WRITE_SCOPES
from touchbase.jobs.queue import MAX_ATTEMPTS, Job, JobKind, JobQueue, retry_delay
from touchbase.store import accounts, schedule
from touchbase.store import channels as channel_store
from touchbase.store import sync as sync_store
from touchbase.store.accounts import new_id
from touchbase.store.models import User
from touchbase.store.pending import take_changes, take_pending_pushes

log = logging.getLogger("touchbase.jobs")
# A job deferred for a change due "now" waits at least this long after the last attempt.
MIN_PUSH_GAP = timedelta(seconds=1)
# Sync runs are kept this long after they end (each calendar's last one for good), deleted
# by the tick at most this many at a time (a short statement), once an hour when caught up.
RUN_RETENTION = timedelta(days=7)
PRUNE_BATCH = 1000
PRUNE_EVERY_SECONDS = 3600.0
# The tick plans what cadences owe once they have owed it this long: a request (an import)
# plans its own at once; the tick is there for one whose process died first.
OWED_GRACE = timedelta(minutes=1)


@dataclass
class JobWork:
    """The jobs of one process: its services, its queue, and three intervals: the backstop
    sync's (None: off), the same for a calendar with a live push-notification channel, and
    how long a push job waits after the commit that defers it (a request pushes its own
    change at once; the job is there for what it leaves)."""

    services: CalendarServices
    queue: JobQueue
    sync_interval: timedelta | None
    push_delay: timedelta
    live_sync_interval: timedelta = timedelta(hours=1)
    # A notification's sync waits this long: the rest of a burst joins it.
    notification_delay: timedelta = timedelta(seconds=0.5)
    # How often a user's cadences move their touchpoints after the meetings held since.
    cadence_review_interval: timedelta = timedelta(minutes=10)
    # When this process next deletes old sync runs (time.monotonic()).
    _next_prune: float = field(default=0.0, init=False)

    async def before_commit(self, session: AsyncSession) -> None:
        """Before a commit: a push job for each calendar the transaction left changes in,
        and word to open pages of the calendars whose events it changed."""
        changes = take_changes(session.sync_session)
        if changes:
            await self.services.changes.publish(session, changes)
        await self._defer_pushes(session)

    async def _defer_pushes(self, session: AsyncSession) -> None:
        now = self.services.clock()
        for calendar_id, due in take_pending_pushes(session.sync_session).items():
            at = max(due or now, now + self.push_delay)
            when = at if at > now else None  # due now: as the database's clock has it
            await self.queue.defer(Job("push", calendar_id), at=when, session=session)

    async def request_run(self, user_id: str) -> str:
        """Record a sync run of the user's chosen calendars, asked for by them, and defer the
        job that carries it out, in one transaction; the run's id."""
        run_id = new_id()
        async with self.services.db.session() as session:
            await sync_store.start_run(
                session, run_id=run_id, user_id=user_id, trigger="api", now=self.services.clock()
            )
            await self.queue.defer(Job("run", run_id, trigger="api"), session=session)
        return run_id

    async def watch(self, calendar_ids: list[str]) -> None:
        """Make these calendars' push-notification channels right soon (chosen for sync or
        not, Google connected): the tick would, within its interval."""
        for calendar_id in calendar_ids:
            await self.queue.defer(Job("watch", calendar_id))

    async def notified(self, channel_id: str, token: str, state: str, message: int | None) -> None:
        """A push notification from Google: a known channel with its own token, and a
        message newer than any before, defers one incremental sync of its calendar, a moment
        later (merged with one already waiting: a burst is one sync; one more waits behind
        one running). Anything else changes nothing. No Google call while Google waits."""
        async with self.services.db.session() as session:
            channel = await channel_store.take_notification(session, channel_id, token, message)
            if channel is None or state == "sync":
                return
            calendar = await accounts.calendar_by_id(session, channel.calendar_id)
            kind: JobKind = "sync" if calendar is not None and calendar.sync_enabled else "watch"
            await self.queue.defer(
                Job(kind, channel.calendar_id, trigger="notification"),
                at=self.services.clock() + self.notification_delay,
                session=session,
            )

    async def perform(self, job: Job, holder: str) -> None:
        """Run `job`; when it fails, defer it again after a backoff (up to MAX_ATTEMPTS)."""
        named = f"job {job.kind} of {'run' if job.kind == 'run' else 'calendar'} {job.subject}"
        log.info("%s started (%s)", named, holder)
        try:
            done = await self._carry_out(job, holder)
        except Exception:
            log.exception("%s failed", named)
            done = False
        log.info("%s ended (%s)", named, holder)
        if not done:
            await self._retry(job)

    async def _carry_out(self, job: Job, holder: str) -> bool:
        if job.kind == "push":
            return await self._push(job)
        if job.kind == "sync":
            return await self._sync(job, holder)
        if job.kind == "watch":
            await keep_watch(self.services, job.subject)
            return True
        if job.kind == "cadence":
            await self._keep_cadences(job.subject)
            return True
        return await self._run(job, holder)

    async def plan_cadences(self, user_id: str) -> None:
        """Plan the touchpoints the user's cadences owe, soon (Google just connected: those
        set before can now get their events)."""
        await self.queue.defer(Job("cadence", user_id))

    async def _keep_cadences(self, user_id: str) -> None:
        """Plan what the user's cadences owe, and move later what meetings held made early."""
        async with self.services.db.session() as session:
            user = await session.get(User, user_id)
        if user is not None:
            actor = Actor(user_id=user.id, email=user.email, source="system")
            await plan_owed(self.services, actor)
            await follow_meetings(self.services, actor)

    async def _push(self, job: Job) -> bool:
        async with self.services.db.session() as session:
            user_id = await schedule.calendar_owner(session, job.subject)
        if user_id is None:
            return True
        await push_changes(self.services, user_id, job.subject, due_only=True)
        async with self.services.db.session() as session:
            due = await schedule.next_push_at(session, job.subject, now=self.services.clock())
        if due is not None:  # what could not go yet: again when its time comes
            at = max(due, self.services.clock() + MIN_PUSH_GAP)
            await self.queue.defer(Job("push", job.subject), at=at)
        return True

    async def _sync(self, job: Job, holder: str) -> bool:
        async with self.services.db.session() as session:
            user_id = await schedule.calendar_owner(session, job.subject)
        if user_id is None:
            return True
        result = await perform_two_way_sync(
            self.services,
            user_id,
            trigger=job.trigger,
            calendar_ids=[job.subject],
            holder=holder,
        )
        if result.status != "succeeded" or any(c.status == "busy" for c in result.calendars):
            return False  # again after a backoff (a run a person asked for held it)
        if self.sync_interval is not None:
            now = self.services.clock()
            async with self.services.db.session() as session:
                live = await channel_store.live_channels(session, [job.subject], now=now)
                every = self.live_sync_interval if live else self.sync_interval
                await schedule.sync_again_at(session, job.subject, now + every)
        return True

    async def _run(self, job: Job, holder: str) -> bool:
        """A sync run a person asked for: done however it ends (its record says how; they
        may ask again), so never retried once it has run."""
        async with self.services.db.session() as session:
            run = await sync_store.waiting_run(session, job.subject)
        if run is not None:
            await perform_two_way_sync(self.services, run.user_id, run_id=run.id, holder=holder)
        return True

    async def _retry(self, job: Job) -> None:
        attempt = job.attempt + 1
        if attempt >= MAX_ATTEMPTS:
            log.error("job %s of %s gave up", job.kind, job.subject)
            return  # its rows stay: the tick and the backstop sync come back to them
        at = self.services.clock() + retry_delay(attempt)
        await self.queue.defer(replace(job, attempt=attempt), at=at)

    async def _prune_runs(self) -> None:
        """A row is written for every sync, and a calendar syncs every few minutes: delete
        the runs older than RUN_RETENTION, a batch per tick until none is left."""
        if time.monotonic() < self._next_prune:
            return
        async with self.services.db.session() as session:
            gone = await sync_store.prune_runs(
                session, ended_before=self.services.clock() - RUN_RETENTION, limit=PRUNE_BATCH
            )
        if gone < PRUNE_BATCH:
            self._next_prune = time.monotonic() + PRUNE_EVERY_SECONDS

    async def abandon(self, holder: str) -> None:
        """A run of a job died with its worker: free what it held (a retry takes it again)."""
        async with self.services.db.session() as session:
            await sync_store.release_holder(session, holder)

    async def tick(self) -> None:
        """Defer a push for every calendar with due changes, a cadence job for every user
        whose cadences have owed touchpoints a while or are due for their review after
        meetings held (and can get their events), and the backstop sync of every calendar
        whose time has come (reviews and syncs moved on as taken: spread over time, and over
        the workers that run the jobs). Jobs already waiting absorb these."""
        now = self.services.clock()
        await self._prune_runs()
        async with self.services.db.session() as session:
            for calendar_id in await schedule.calendars_with_due_pushes(session, now=now):
                await self.queue.defer(Job("push", calendar_id), session=session)
            watching = self.services.notification_address is not None
            for calendar_id in await channel_store.calendars_to_watch(
                session, now=now, watching=watching
            ):
                await self.queue.defer(Job("watch", calendar_id), session=session)
            owing = await schedule.users_owing_touchpoints(session, owed_before=now - OWED_GRACE)
            reviewing = await schedule.users_due_for_cadence_review(
                session, now=now, interval=self.cadence_review_interval
            )
            for user_id in dict.fromkeys(
                u for u, scopes in owing + reviewing if scopes & WRITE_SCOPES
            ):
                await self.queue.defer(Job("cadence", user_id), session=session)
            if self.sync_interval is None:
                return
            due = await schedule.calendars_due_for_sync(
                session, now=now, interval=self.sync_interval, live_interval=self.live_sync_interval
            )
            for calendar_id in due:
                await self.queue.defer(Job("sync", calendar_id), session=session)
