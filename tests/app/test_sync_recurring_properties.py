"""The sync state machine (test_sync_properties.py) with recurring series on both sides:
occurrence edits and deletions of every scope here (through the use cases), exceptions,
splits and series-level time and rule changes in Google (through its API, as another client).

Invariant after every fault-free sync, beside the machine's own: the occurrences touchbase
lists for a window are the occurrences of Google's `singleEvents=true` expansion of the same
window (titles, times, count), each once, unless an open conflict records the difference.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from tests.app.test_sync_properties import (
    EMAIL,
    PICK,
    START,
    QueuedSyncMachine,
    SyncMachine,
    choose,
    names,
    run_machine,
)
from tests.support.databases import BACKENDS
from touchbase.calendar import scoped
from touchbase.calendar.events import create_calendar_event
from touchbase.calendar.listing import list_calendar_events
from touchbase.calendar.records import EventRecord
from touchbase.domain import CalendarEvent, EventTime
from touchbase.errors import ConflictError, EventNotFoundError, InvalidEventError
from touchbase.store.codec import event_from_json

BERLIN = ZoneInfo("Europe/Berlin")
WINDOW = (START - timedelta(days=2), START + timedelta(days=30))
SCOPES = st.sampled_from(["instance", "following", "all"])
Key = tuple[str, str, datetime]  # (series or event Google id, title, start)


def _instant(raw: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(raw["dateTime"]).astimezone(BERLIN)


class RecurringSyncMachine(SyncMachine):
    """The sync machine, with series and their occurrences changed on both sides."""

    def occurrences_here(self) -> list[EventRecord]:
        page = self.run(
            list_calendar_events(
                self.services, self.actor.user_id, time_min=WINDOW[0], time_max=WINDOW[1]
            )
        )
        return [r for r in page.items if r.series_id]

    # ---- here ------------------------------------------------------------------------------

    @rule(minutes=st.integers(0, 300), count=st.integers(2, 5))
    def local_create_series(self, minutes: int, count: int) -> None:
        start = (START + timedelta(minutes=minutes)).astimezone(BERLIN)
        event = CalendarEvent(
            title=f"lseries {next(names)}",
            start=EventTime.at(start, "Europe/Berlin"),
            end=EventTime.at(start + timedelta(minutes=30), "Europe/Berlin"),
            recurrence=(f"RRULE:FREQ=DAILY;COUNT={count}",),
        )
        self.run(create_calendar_event(self.services, self.actor, event))

    @rule(pick=PICK, scope=SCOPES, change=st.sampled_from(["title", "location", "later"]))
    def local_occurrence_edit(self, pick: int, scope: Any, change: str) -> None:
        chosen = choose(self.occurrences_here(), pick)
        if chosen is None:
            return
        changes: dict[str, Any] = {change: f"local {change} {next(names)}"}
        if change == "later":
            event = chosen.event
            changes = {
                "start": _later(event.start),
                "end": _later(event.end),
            }
        with contextlib.suppress(ConflictError, EventNotFoundError, InvalidEventError):
            self.run(
                scoped.update_event(
                    self.services, self.actor, chosen.id, changes, if_match=None, scope=scope
                )
            )

    @rule(pick=PICK, scope=SCOPES)
    def local_occurrence_delete(self, pick: int, scope: Any) -> None:
        chosen = choose(self.occurrences_here(), pick)
        if chosen is None:
            return
        with contextlib.suppress(ConflictError, EventNotFoundError, InvalidEventError):
            self.run(
                scoped.delete_event(
                    self.services, self.actor, chosen.id, if_match=None, scope=scope
                )
            )

    # ---- in Google ---------------------------------------------------------------------------

    def remote_series(self) -> list[dict[str, Any]]:
        return [e for e in self.google_live().values() if e.get("recurrence")]

    @rule(pick=PICK, at=st.integers(1, 4))
    def remote_split(self, pick: int, at: int) -> None:
        """This and following, as Google's UI does it: the rule ends, a new series starts."""
        series = choose(self.remote_series(), pick)
        if series is None or "COUNT=" not in series["recurrence"][0]:
            return
        total = int(series["recurrence"][0].split("COUNT=")[1].split(";")[0])
        if at >= total:
            return
        instances = self.google.get(f"/events/{series['id']}/instances").json()["items"]
        slots = sorted((_instant(i["originalStartTime"]), i) for i in instances)
        if len(slots) <= at:
            return
        start = slots[at][0]
        rule = series["recurrence"][0].replace(f"COUNT={total}", f"COUNT={at}")
        ended = self.google.patch(f"/events/{series['id']}", json={"recurrence": [rule]})
        if ended.status_code != 200:
            return
        length = _instant(series["end"]) - _instant(series["start"])
        self.google.post(
            "/events",
            json={
                "summary": f"rsplit {next(names)}",
                "recurrence": [rule.replace(f"COUNT={at}", f"COUNT={total - at}")],
                "start": {"dateTime": start.isoformat(), "timeZone": "Europe/Berlin"},
                "end": {"dateTime": (start + length).isoformat(), "timeZone": "Europe/Berlin"},
            },
        )

    @rule(pick=PICK, at=st.integers(1, 4))
    def remote_ui_split(self, pick: int, at: int) -> None:
        """This and following made in Google's own UI (a new series `<id>_R<start>`)."""
        series = choose(self.remote_series(), pick)
        if series is None or "_R" in series["id"]:
            return
        instances = self.google.get(f"/events/{series['id']}/instances").json()["items"]
        if len(instances) <= at:
            return
        original = instances[at]["originalStartTime"]["dateTime"]
        self.control.http.post(
            self.control.url + "/_emulator/split",
            json={"calendarId": EMAIL, "eventId": series["id"], "originalStart": original},
        )

    @rule(pick=PICK, hours=st.integers(1, 3))
    def remote_shift_series(self, pick: int, hours: int) -> None:
        """All events, in Google: the series starts later (its exceptions' slots go)."""
        series = choose(self.remote_series(), pick)
        if series is None:
            return
        shift = timedelta(hours=hours)
        self.google.patch(
            f"/events/{series['id']}",
            json={
                "start": {
                    "dateTime": (_instant(series["start"]) + shift).isoformat(),
                    "timeZone": "Europe/Berlin",
                },
                "end": {
                    "dateTime": (_instant(series["end"]) + shift).isoformat(),
                    "timeZone": "Europe/Berlin",
                },
            },
        )

    # ---- the invariant ---------------------------------------------------------------------

    def _in_conflict(self) -> set[str]:
        """Google ids (of series, and of single events) whose occurrences a conflict covers."""
        conflicted = self.conflicted()
        keys = set()
        for row in self.rows():
            if row.id in conflicted:
                keys.add(row.recurring_event_id or row.google_event_id)
                keys.add(event_from_json(row.local).recurring_event_id or row.google_event_id)
        return keys

    @invariant()
    def occurrences_agree_after_a_clean_sync(self) -> None:
        if not self.checked:
            return
        skip = self._in_conflict()
        here: Counter[Key] = Counter()
        for record in self.run(
            list_calendar_events(
                self.services, self.actor.user_id, time_min=WINDOW[0], time_max=WINDOW[1]
            )
        ).items:
            key = record.event.recurring_event_id or record.google_event_id
            if key not in skip:
                start = record.event.start.instant(BERLIN).astimezone(BERLIN)
                here[(key, record.event.title, start)] += 1
        there: Counter[Key] = Counter()
        params = {
            "singleEvents": "true",
            "maxResults": 2500,
            "timeMin": WINDOW[0].isoformat(),
            "timeMax": WINDOW[1].isoformat(),
        }
        for item in self.google.get("/events", params=params).json()["items"]:
            key = item.get("recurringEventId") or item["id"]
            if key not in skip:
                there[(key, item.get("summary", ""), _instant(item["start"]))] += 1
        assert here == there, {"only here": here - there, "only in Google": there - here}
        assert all(n == 1 for n in here.values()), "no occurrence twice"
        SyncMachine.both_sides_agree_after_a_clean_sync(self)

    def both_sides_agree_after_a_clean_sync(self) -> None:
        """Run by the invariant above, after it (it resets `checked`)."""


def _later(time: EventTime) -> EventTime:
    assert time.date_time is not None
    return EventTime.at(time.date_time + timedelta(hours=1), time.time_zone)


@pytest.mark.parametrize("backend", BACKENDS)
def test_recurring_sync_converges_under_random_edits_on_both_sides(
    backend: str, emulator_url: str, templates: Path, tmp_path: Path
) -> None:
    run_machine(
        RecurringSyncMachine,
        backend=backend,
        emulator_url=emulator_url,
        templates=templates,
        workdir=tmp_path,
        examples=30,
    )


class QueuedRecurringSyncMachine(QueuedSyncMachine, RecurringSyncMachine):
    """The recurring machine with the job queue in the loop on PostgreSQL: a series' change
    and its occurrences' leave for Google only through the push jobs deferred with them, in
    rounds cut off at random moments, among Google's notifications (some lost)."""


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="Procrastinate needs PostgreSQL")
def test_recurring_sync_converges_with_the_job_queue_in_the_loop(
    emulator_url: str, templates: Path, tmp_path: Path
) -> None:
    run_machine(
        QueuedRecurringSyncMachine,
        backend="postgresql",
        emulator_url=emulator_url,
        templates=templates,
        workdir=tmp_path,
        examples=10,
    )
