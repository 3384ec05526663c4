"""The sync state machine (test_sync_properties.py) with touchpoints: planned, done, skipped
and rescheduled here (through the use cases), their events moved and deleted in Google (as
another client).

Invariant after every fault-free sync, beside the machine's own: each planned touchpoint with
a date has exactly one live event in Google, at its date and time; one whose event was deleted
in Google has none (it needs a new date, and nothing recreated it); and every live Google
event that carries a touchpoint's id is that touchpoint's own event (no event points to a
touchpoint that no longer wants it).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule

from tests.app.test_sync_properties import (
    PICK,
    QueuedSyncMachine,
    SyncMachine,
    choose,
    names,
    run_machine,
)
from tests.support.databases import BACKENDS
from touchbase.calendar.sync import perform_two_way_sync
from touchbase.crm.contacts import create_in
from touchbase.crm.touchpoint_changes import (
    TouchpointChange,
    delete_touchpoint,
    update_touchpoint,
)
from touchbase.crm.touchpoint_lists import list_touchpoints
from touchbase.crm.touchpoint_requests import plan_touchpoint
from touchbase.crm.touchpoints import TouchpointPlan, TouchpointState
from touchbase.domain.contacts import ContactFields
from touchbase.errors import ConflictError, EventNotFoundError, TouchpointNotFoundError

TAG = "touchbaseTouchpointId"
# A change the use cases refuse while an edit of the event waits in a conflict.
REFUSED = (ConflictError, EventNotFoundError, TouchpointNotFoundError)


class TouchpointMachine(SyncMachine):
    """Touchpoints changed here and their events changed in Google, among the machine's
    edits, deletions, faults and killed syncs, which then fall on touchpoints' events."""

    # Other events, and series, are the other machines' subject: not made here, so that the
    # steps go to touchpoints.
    def local_create(self, minutes: int) -> None: ...
    def remote_create(self, minutes: int) -> None: ...
    def remote_create_series(self, minutes: int, count: int) -> None: ...
    def remote_change_one_instance(self, pick: int, instance: int, cancel: bool) -> None: ...

    def touchpoints(self) -> list[TouchpointState]:
        return list(self.run(list_touchpoints(self.services, self.actor.user_id)))

    def planned(self) -> list[TouchpointState]:
        return [t for t in self.touchpoints() if t.touchpoint.status == "planned"]

    def day(self, days: int) -> date:
        return (self.services.clock() + timedelta(days=days)).date()

    def tagged_in_google(self) -> dict[str, dict[str, Any]]:
        return {
            gid: event
            for gid, event in self.google_live().items()
            if event.get("extendedProperties", {}).get("private", {}).get(TAG)
        }

    # ---- touchpoints here ----------------------------------------------------------------

    @initialize(
        plans=st.lists(
            st.tuples(st.integers(1, 20), st.one_of(st.none(), st.integers(9, 16))),
            min_size=1,
            max_size=4,
        )
    )
    def some_planned_and_synced(self, plans: list[tuple[int, int | None]]) -> None:
        """Every run starts with touchpoints, their events in Google."""
        for days, hour in plans:
            self.plan(days, hour)
        self.run(perform_two_way_sync(self.services, self.actor.user_id))

    @rule(days=st.integers(1, 20), hour=st.one_of(st.none(), st.integers(9, 16)))
    def plan(self, days: int, hour: int | None) -> None:
        """A touchpoint with a new contact (each event's title stays its own)."""

        async def contact() -> str:
            async with self.services.db.session() as session:
                fields = ContactFields(name=f"person {next(names)}")
                made = await create_in(session, self.actor, fields, now=self.services.clock())
                return made.id

        contact_id = self.run(contact())
        day = self.day(days)
        at = (
            None
            if hour is None
            else datetime.combine(day, datetime.min.time()).replace(
                hour=hour, tzinfo=self.services.clock().tzinfo
            )
        )
        plan = TouchpointPlan(contact_id, day=None if at else day, at=at)
        self.run(plan_touchpoint(self.services, self.actor, plan))

    @rule(pick=PICK, status=st.sampled_from(["done", "skipped", "missed"]))
    def complete(self, pick: int, status: str) -> None:
        planned = self.planned()
        if planned:
            tp = choose(planned, pick).touchpoint
            with contextlib.suppress(*REFUSED):
                change = TouchpointChange(status=status)
                self.run(update_touchpoint(self.services, self.actor, tp.id, change))

    @rule(pick=PICK, days=st.integers(1, 20))
    def reschedule(self, pick: int, days: int) -> None:
        planned = self.planned()
        if planned:
            tp = choose(planned, pick).touchpoint
            with contextlib.suppress(*REFUSED):
                change = TouchpointChange(day=self.day(days))
                self.run(update_touchpoint(self.services, self.actor, tp.id, change))

    @rule(pick=PICK)
    def delete(self, pick: int) -> None:
        found = self.touchpoints()
        if found:
            tp = choose(found, pick).touchpoint
            with contextlib.suppress(*REFUSED):
                self.run(delete_touchpoint(self.services, self.actor, tp.id))

    # ---- their events in Google ----------------------------------------------------------

    @rule(pick=PICK, days=st.integers(-3, 10), minutes=st.sampled_from([0, 45, 90]))
    def remote_move_touchpoint_event(self, pick: int, days: int, minutes: int) -> None:
        tagged = list(self.tagged_in_google().values())
        if not tagged:
            return
        event = choose(tagged, pick)
        if "dateTime" not in event["start"]:
            return
        start = datetime.fromisoformat(event["start"]["dateTime"])
        start += timedelta(days=days, minutes=minutes)
        self.google.patch(
            f"/events/{event['id']}",
            json={
                "start": {"dateTime": start.isoformat()},
                "end": {"dateTime": (start + timedelta(minutes=30)).isoformat()},
            },
        )

    @rule(pick=PICK)
    def remote_delete_touchpoint_event(self, pick: int) -> None:
        tagged = list(self.tagged_in_google())
        if tagged:
            self.google.delete(f"/events/{choose(tagged, pick)}")

    # ---- the invariant -------------------------------------------------------------------

    @invariant()
    def each_planned_touchpoint_has_one_event_at_its_date(self) -> None:
        if not self.checked:
            return
        conflicted = self.conflicted()
        rows = {r.id: r for r in self.rows()}
        google_id = {r.id: r.google_event_id for r in rows.values()}
        tagged = self.tagged_in_google()
        carried = Counter(e["extendedProperties"]["private"][TAG] for e in tagged.values())
        states = {t.touchpoint.id: t for t in self.touchpoints()}
        for tp_id, state in states.items():
            tp, event = state.touchpoint, state.event
            if tp.status != "planned" or tp.event_id in conflicted:
                continue  # its event's change (a delete too) waits for the user in a conflict
            if state.needs_date:
                gone = rows.get(tp.event_id or "")
                assert carried[tp_id] == 0, (
                    "a touchpoint whose event went was not recreated",
                    gone and (gone.deleted, gone.sync_status, gone.pending_op),
                )
                continue
            assert event is not None
            assert carried[tp_id] == 1, f"planned touchpoint {tp_id}: one event in Google"
            remote = tagged[google_id[event.id]]
            if state.start is not None:
                start = datetime.fromisoformat(remote["start"]["dateTime"])
                assert start == state.start, "the touchpoint is where its event is"
            else:
                assert remote["start"]["date"] == tp.due_date.isoformat()
        for gid, remote in tagged.items():
            tp_id = remote["extendedProperties"]["private"][TAG]
            state = states.get(tp_id)
            row_ids = [rid for rid, g in google_id.items() if g == gid]
            if row_ids and row_ids[0] in conflicted:
                continue
            assert state is not None, f"event {gid} points to a deleted touchpoint"
            assert state.event is not None, f"event {gid}: its touchpoint has an event"
            assert google_id[state.event.id] == gid, f"event {gid} is its touchpoint's own"
        SyncMachine.both_sides_agree_after_a_clean_sync(self)

    def both_sides_agree_after_a_clean_sync(self) -> None:
        """Run by the invariant above, after it (it resets `checked`)."""


@pytest.mark.parametrize("backend", BACKENDS)
def test_touchpoints_follow_their_events_under_random_changes_on_both_sides(
    backend: str, emulator_url: str, templates: Path, tmp_path: Path
) -> None:
    run_machine(
        TouchpointMachine,
        backend=backend,
        emulator_url=emulator_url,
        templates=templates,
        workdir=tmp_path,
        examples=40,
    )


class QueuedTouchpointMachine(QueuedSyncMachine, TouchpointMachine):
    """The touchpoint machine with the job queue in the loop on PostgreSQL: touchpoints'
    events leave for Google only through the push jobs deferred with them."""


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="Procrastinate needs PostgreSQL")
def test_touchpoints_follow_their_events_with_the_job_queue_in_the_loop(
    emulator_url: str, templates: Path, tmp_path: Path
) -> None:
    run_machine(
        QueuedTouchpointMachine,
        backend="postgresql",
        emulator_url=emulator_url,
        templates=templates,
        workdir=tmp_path,
        examples=10,
    )
