"""Two-way sync under random edits on both sides, faults and interrupted syncs.

A hypothesis state machine drives the real use cases (real database) and the real emulator,
as another Google client would. After every fault-free sync:
- every event is the same in touchbase and in Google, unless an open conflict records it;
- no event exists twice, on either side;
- every local change is in Google, and every Google change in touchbase, or in a conflict.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import select

from tests.support.app import test_settings as app_settings
from tests.support.databases import BACKENDS, fresh_database
from tests.support.inprocess import calendar_services, connected_user
from tests.support.servers import EmulatorControl, WebhookReceiver
from touchbase.calendar.actors import Actor
from touchbase.calendar.channels import keep_watch
from touchbase.calendar.conflicts import list_conflicts, resolve_conflict
from touchbase.calendar.events import create_calendar_event
from touchbase.calendar.scoped import delete_event, update_event
from touchbase.calendar.services import CalendarServices
from touchbase.calendar.sync import perform_two_way_sync
from touchbase.domain import CalendarEvent, EventTime
from touchbase.errors import ConflictError, EventNotFoundError
from touchbase.jobs.process import job_work
from touchbase.store import accounts
from touchbase.store.codec import event_from_json
from touchbase.store.models import Event

EMAIL = "prop@example.com"
START = datetime(2027, 2, 1, 9, tzinfo=UTC)
FAULTS = [
    {"status": 429, "retryAfter": 0},
    {"status": 503},
    {"drop": "before"},
    {"drop": "after"},
]
names = itertools.count()
# Rounds of jobs (half a second each) the queue may take to push what waits, faults gone.
SETTLE_ROUNDS = 20
PICK = st.integers(0, 10_000)


def waiting(rows: list[Event]) -> list[Event]:
    """The changes made here still on their way to Google."""
    return [r for r in rows if r.pending_op and r.sync_status == "pending"]


def choose(items: list[Any], pick: int) -> Any:
    """One of `items` by a drawn number (the same draw whatever the list holds)."""
    return items[pick % len(items)] if items else None


class GoogleAsAnotherClient:
    """Google Calendar as another app sees it (a fresh token after each expiry)."""

    def __init__(self, control: EmulatorControl) -> None:
        self.control = control
        self.http = httpx.Client(
            base_url=control.url + "/calendar/v3/calendars/primary", timeout=30
        )
        self._token = control.token(EMAIL)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for _ in range(2):
            response = self.http.request(
                method, path, headers={"Authorization": f"Bearer {self._token}"}, **kwargs
            )
            if response.status_code != 401:
                return response
            self._token = self.control.token(EMAIL)
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def close(self) -> None:
        self.http.close()


class SyncMachine(RuleBasedStateMachine):
    """Random edits on both sides; invariants checked after each fault-free sync."""

    emulator_url: str = ""
    backend: str = "sqlite"
    template: Path = Path()
    workdir: Path = Path()

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.control = EmulatorControl(self.emulator_url)
        self.control.reset()
        self.database = fresh_database(self.backend, template=self.template, directory=self.workdir)
        self.db_url = self.database.__enter__()
        self.offset = timedelta()
        self.context = calendar_services(
            self.db_url, self.emulator_url, request_google_budget_seconds=0.3
        )
        self.services: CalendarServices = self.run(self.context.__aenter__())
        self.services.clock = lambda: datetime.now(UTC) + self.offset
        self.actor: Actor = self.run(connected_user(self.services, EMAIL))
        self.google = GoogleAsAnotherClient(self.control)
        self.checked = False

    def run(self, awaitable: Any) -> Any:
        return self.loop.run_until_complete(awaitable)

    def teardown(self) -> None:
        self.google.close()
        self.run(self.context.__aexit__(None, None, None))
        self.run(asyncio.sleep(0.05))
        self.loop.close()

    # ---- what the cache and Google hold ------------------------------------------------

    def rows(self) -> list[Event]:
        async def read() -> list[Event]:
            async with self.services.db.session() as session:
                return list(await session.scalars(select(Event)))

        return list(self.run(read()))

    def live_rows(self) -> list[Event]:
        return [r for r in self.rows() if not r.deleted]

    def google_live(self) -> dict[str, dict[str, Any]]:
        # A full list returns a series' cancelled occurrences even without showDeleted.
        items = self.google.get("/events", params={"maxResults": 2500}).json()["items"]
        return {e["id"]: e for e in items if e.get("status") != "cancelled"}

    def conflicted(self) -> set[str]:
        return {c.event_id for c in self.run(list_conflicts(self.services, self.actor.user_id))}

    # ---- local edits -------------------------------------------------------------------

    @rule(minutes=st.integers(0, 300))
    def local_create(self, minutes: int) -> None:
        start = START + timedelta(minutes=minutes)
        event = CalendarEvent(
            title=f"local {next(names)}",
            start=EventTime.at(start),
            end=EventTime.at(start + timedelta(minutes=30)),
        )
        self.run(create_calendar_event(self.services, self.actor, event))

    @rule(pick=PICK, field=st.sampled_from(["title", "location", "description"]))
    def local_edit(self, pick: int, field: str) -> None:
        row = choose(self.live_rows(), pick)
        if row is None:
            return
        with contextlib.suppress(ConflictError, EventNotFoundError):  # in conflict, or gone
            self.run(
                update_event(
                    self.services,
                    self.actor,
                    row.id,
                    {field: f"local {field} {next(names)}"},
                    if_match=None,
                )
            )

    @rule(pick=PICK)
    def local_delete(self, pick: int) -> None:
        row = choose(self.live_rows(), pick)
        if row is None:
            return
        with contextlib.suppress(ConflictError, EventNotFoundError):
            self.run(delete_event(self.services, self.actor, row.id, if_match=None))

    # ---- edits in Google, as another client -------------------------------------------------

    @rule(minutes=st.integers(0, 300))
    def remote_create(self, minutes: int) -> None:
        start = START + timedelta(minutes=minutes)
        self.google.post(
            "/events",
            json={
                "summary": f"remote {next(names)}",
                "start": {"dateTime": start.isoformat()},
                "end": {"dateTime": (start + timedelta(minutes=30)).isoformat()},
            },
        )

    @rule(pick=PICK, field=st.sampled_from(["summary", "location", "description"]))
    def remote_edit(self, pick: int, field: str) -> None:
        event_id = choose(sorted(self.google_live()), pick)
        if event_id is None:
            return
        self.google.patch(f"/events/{event_id}", json={field: f"remote {field} {next(names)}"})

    @rule(pick=PICK)
    def remote_delete(self, pick: int) -> None:
        event_id = choose(sorted(self.google_live()), pick)
        if event_id is None:
            return
        self.google.delete(f"/events/{event_id}")

    @rule(minutes=st.integers(0, 300), count=st.integers(2, 5))
    def remote_create_series(self, minutes: int, count: int) -> None:
        start = (START + timedelta(minutes=minutes)).replace(tzinfo=None)
        self.google.post(
            "/events",
            json={
                "summary": f"series {next(names)}",
                "recurrence": [f"RRULE:FREQ=DAILY;COUNT={count}"],
                "start": {"dateTime": start.isoformat(), "timeZone": "Europe/Berlin"},
                "end": {
                    "dateTime": (start + timedelta(minutes=30)).isoformat(),
                    "timeZone": "Europe/Berlin",
                },
            },
        )

    @rule(pick=PICK, instance=st.integers(0, 4), cancel=st.booleans())
    def remote_change_one_instance(self, pick: int, instance: int, cancel: bool) -> None:
        series = [e for e in self.google_live().values() if e.get("recurrence")]
        chosen = choose(series, pick)
        if chosen is None:
            return
        instances = self.google.get(f"/events/{chosen['id']}/instances").json().get("items", [])
        if not instances:
            return
        target = instances[instance % len(instances)]["id"]
        if cancel:
            self.google.delete(f"/events/{target}")
        else:
            self.google.patch(f"/events/{target}", json={"location": f"moved {next(names)}"})

    # ---- faults and syncs --------------------------------------------------------------

    @rule(fault=st.sampled_from(FAULTS), times=st.integers(1, 4))
    def inject_fault(self, fault: dict[str, Any], times: int) -> None:
        # touchbase names the calendar by its id; this harness says "primary", so faults
        # hit touchbase's calls only.
        self.control.fault(times=times, path=r"prop@example\.com|^/batch/", **fault)

    @rule()
    def expire_sync_tokens(self) -> None:
        self.control.post("/sync-tokens/expire")

    @rule()
    def expire_access_tokens(self) -> None:
        self.control.post("/tokens/expire")

    @rule()
    def sync_with_faults(self) -> None:
        self.run(perform_two_way_sync(self.services, self.actor.user_id))

    @rule(delay=st.floats(0.2, 2.0))
    def killed_sync(self, delay: float) -> None:
        """A sync in its own process, killed (SIGKILL) after `delay` seconds."""
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.sync_process",
                self.db_url,
                self.emulator_url,
                self.actor.user_id,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self.offset += timedelta(minutes=11)  # the killed sync's leases run out

    @rule(choice=st.sampled_from(["keep_local", "keep_remote"]))
    def resolve_a_conflict(self, choice: str) -> None:
        open_conflicts = self.run(list_conflicts(self.services, self.actor.user_id))
        if not open_conflicts:
            return
        conflict = open_conflicts[0]
        resolution = {"deleted_remotely": {"keep_local": "recreate", "keep_remote": "discard"}}
        chosen = resolution.get(conflict.kind, {}).get(choice, choice)
        self.run(resolve_conflict(self.services, self.actor, conflict.event_id, chosen))

    @rule()
    def clean_sync(self) -> None:
        self.control.http.delete(self.control.url + "/_emulator/faults")
        for _ in range(4):
            result = self.run(perform_two_way_sync(self.services, self.actor.user_id))
            assert result.status == "succeeded", result.error
            if not waiting(self.rows()):
                break
        self.checked = True

    @invariant()
    def both_sides_agree_after_a_clean_sync(self) -> None:
        if not self.checked:
            return
        self.checked = False
        conflicted = self.conflicted()
        rows = self.rows()
        assert not waiting(rows), "a fault-free sync leaves nothing pending"
        assert not [r for r in rows if r.sync_status == "error"]
        google = self.google_live()
        live = {
            r.google_event_id: r
            for r in rows
            if not r.deleted and event_from_json(r.local).status.value != "cancelled"
        }
        # Instances of a series share its title, and so do the halves of a split series; every
        # other event has a title of its own (series are counted by their occurrences).
        singles = [event_from_json(r.local) for r in live.values() if r.recurring_event_id is None]
        titles = [e.title for e in singles if not e.recurrence]
        assert len(titles) == len(set(titles)), "no event twice in touchbase"
        remote_titles = [
            e.get("summary")
            for e in google.values()
            if "recurringEventId" not in e and not e.get("recurrence")
        ]
        assert len(remote_titles) == len(set(remote_titles)), "no event twice in Google"
        for gid, row in live.items():
            if row.id in conflicted:
                continue
            assert gid in google, f"local event {gid} is in Google"
            local, remote = event_from_json(row.local), google[gid]
            assert local.title == remote.get("summary", "")
            assert local.location == remote.get("location", "")
            assert local.description == remote.get("description", "")
        conflicted_gids = {r.google_event_id for r in rows if r.id in conflicted}
        for gid in google:
            assert gid in live or gid in conflicted_gids, f"Google event {gid} is in touchbase"


def run_machine(
    base: type[SyncMachine],
    *,
    backend: str,
    emulator_url: str,
    templates: Path,
    workdir: Path,
    examples: int,
) -> None:
    """Run a sync state machine on one backend against the running emulator, `examples`
    times, or as many as TOUCHBASE_TEST_EXAMPLES says (a longer hunt, by hand)."""
    from hypothesis.stateful import run_state_machine_as_test

    examples = int(os.environ.get("TOUCHBASE_TEST_EXAMPLES", examples))

    class Machine(base):  # type: ignore[valid-type,misc]
        pass

    Machine.emulator_url = emulator_url
    Machine.backend = backend
    Machine.template = templates
    Machine.workdir = workdir
    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_sync_converges_under_random_edits_faults_and_interruptions(
    backend: str, emulator_url: str, templates: Path, tmp_path: Path
) -> None:
    run_machine(
        SyncMachine,
        backend=backend,
        emulator_url=emulator_url,
        templates=templates,
        workdir=tmp_path,
        examples=25,
    )


class QueuedSyncMachine(SyncMachine):
    """The same, with the job queue in the loop on PostgreSQL: edits leave for Google only
    through the push jobs deferred with them, run by a Procrastinate worker in rounds cut off
    at random moments (a round's jobs get no time to finish); and once Google is well, the
    jobs alone must bring every change to Google (`jobs_alone_settle`)."""

    def __init__(self) -> None:
        super().__init__()
        self.services.push_in_request = False
        settings = app_settings(
            self.db_url,
            self.emulator_url,
            9,
            job_tick_seconds=3600,
            push_delay_seconds=0,
            notification_sync_delay_seconds=0,
        )
        self.work = job_work(settings, self.services)
        self.run(self.work.queue.open())
        # Google's notifications land here; the `notify` rule hands them on (or drops them).
        self.hook = WebhookReceiver().__enter__()
        self.handed = 0
        self.services.notification_address = self.hook.url
        self.run(self._watch())

    async def _watch(self) -> None:
        async with self.services.db.session() as session:
            calendar = await accounts.primary_calendar(session, self.actor.user_id)
        assert calendar is not None
        await keep_watch(self.services, calendar.id)

    def teardown(self) -> None:
        self.hook.__exit__(None, None, None)
        self.run(self.work.queue.close())
        super().teardown()

    @rule(dropped=st.lists(st.booleans(), max_size=6))
    def notify(self, dropped: list[bool]) -> None:
        """The notifications Google sent since the last time reach touchbase, but some are
        lost on the way (the backstop, a clean sync here, still converges)."""
        received = self.hook.received[self.handed :]
        self.handed += len(received)
        for message, lost in zip(received, [*dropped, *[False] * len(received)], strict=False):
            headers = {k.lower(): v for k, v in message.headers.items()}
            if lost:
                continue
            self.run(
                self.work.notified(
                    headers["x-goog-channel-id"],
                    headers.get("x-goog-channel-token", ""),
                    headers["x-goog-resource-state"],
                    int(headers["x-goog-message-number"]),
                )
            )

    @rule(seconds=st.floats(0.05, 1.5))
    def run_jobs(self, seconds: float) -> None:
        async def for_a_while() -> None:
            await self.work.tick()
            runner = asyncio.create_task(self.work.queue.work(2))
            await asyncio.sleep(seconds)
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)

        self.run(for_a_while())

    @rule()
    def jobs_alone_settle(self) -> None:
        """With Google well again, the jobs alone (nobody asks for a sync) bring every change
        made here to Google, or to a conflict or a refusal: none waits for "Sync now"."""
        self.control.http.delete(self.control.url + "/_emulator/faults")
        self.offset += timedelta(minutes=11)  # backoffs, and killed pushers' leases, run out
        for _ in range(SETTLE_ROUNDS):
            if not waiting(self.rows()):
                return
            self.run_jobs(0.5)
        assert not waiting(self.rows()), "the jobs alone push every change"


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="Procrastinate needs PostgreSQL")
def test_sync_converges_with_the_job_queue_in_the_loop(
    emulator_url: str, templates: Path, tmp_path: Path
) -> None:
    run_machine(
        QueuedSyncMachine,
        backend="postgresql",
        emulator_url=emulator_url,
        templates=templates,
        workdir=tmp_path,
        examples=10,
    )
