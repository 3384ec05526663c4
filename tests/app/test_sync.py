"""Two-way sync: each row of the apply table, 410 and the sweep, recurring series, a malformed
event among good ones, batching, and calls made."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from tests.support.app import ApiUser, AppHarness, google_etag, run_in_thread, start_app, wait_for
from tests.support.servers import EmulatorControl
from tests.support.sync import sync, titles
from touchbase.store.database import Database
from touchbase.store.models import Event, SyncRun

HOUR = {"start": {"dateTime": "2027-01-10T09:00:00Z"}, "end": {"dateTime": "2027-01-10T10:00:00Z"}}


def in_google(user: ApiUser, **fields: Any) -> dict[str, Any]:
    response = user.google.post("/events", json={**HOUR, **fields})
    assert response.status_code == 200, response.text
    return dict(response.json())


def events(user: ApiUser) -> dict[str, dict[str, Any]]:
    return {e["googleEventId"]: e for e in user.api.get("/api/calendar/events").json()["items"]}


def test_new_in_google_is_added(app: AppHarness) -> None:
    alice = app.user()
    made = in_google(alice, summary="Made in Google", location="Room 3")
    run = sync(alice)
    assert run["status"] == "succeeded"
    assert run["counts"]["created"] == 1
    assert run["calendars"][0]["full"] is True
    cached = events(alice)[made["id"]]
    assert (cached["title"], cached["location"], cached["syncStatus"]) == (
        "Made in Google",
        "Room 3",
        "synced",
    )
    assert google_etag(app.database_url, cached["id"]) == made["etag"]


def test_the_first_sync_records_its_import_once_and_later_additions_one_by_one(
    app: AppHarness,
) -> None:
    alice = app.user()
    in_google(alice, summary="Already there")
    in_google(alice, summary="Also there")
    sync(alice)
    [imported] = alice.api.get("/api/audit").json()["items"]
    assert (imported["action"], imported["eventId"]) == ("sync_import", None)
    assert imported["changes"]["events"] == 2
    later = in_google(alice, summary="Added later")
    sync(alice)
    newest = alice.api.get("/api/audit").json()["items"][0]
    assert (newest["action"], newest["eventId"]) == (
        "sync_create",
        events(alice)[later["id"]]["id"],
    )
    assert newest["changes"]["title"] == {"before": None, "after": "Added later"}


def test_changed_in_google_and_clean_here_is_replaced(app: AppHarness) -> None:
    alice = app.user()
    mine = alice.create(title="Before").json()
    sync(alice)
    alice.google.patch(f"/events/{mine['googleEventId']}", json={"summary": "After"})
    run = sync(alice)
    assert run["calendars"][0]["full"] is False
    assert run["counts"]["updated"] == 1
    assert events(alice)[mine["googleEventId"]]["title"] == "After"
    entries = alice.api.get("/api/audit", params={"eventId": mine["id"]}).json()["items"]
    assert entries[0]["action"] == "sync_update"
    assert entries[0]["source"] == "sync"
    assert entries[0]["changes"]["title"] == {"before": "Before", "after": "After"}


@pytest.fixture
def quiet_app(database_url: str, emulator: EmulatorControl) -> Iterator[AppHarness]:
    """The app whose push jobs wait an hour: a push that failed waits for the sync, so the
    sync (not a push job racing it) is what meets Google's change."""
    server, url = start_app(
        database_url, emulator.url, job_tick_seconds=3600, push_delay_seconds=3600
    )
    try:
        yield AppHarness(url, database_url, emulator)
    finally:
        server.stop()


def _pending_edit(app: AppHarness, alice: ApiUser, event: dict[str, Any], **changes: Any) -> None:
    app.emulator.fault(method="PATCH", status=503, times=1000)
    edited = alice.api.patch(f"/api/calendar/events/{event['id']}", json=changes)
    assert edited.json()["syncStatus"] == "pending"
    app.emulator.http.delete(app.emulator.url + "/_emulator/faults")


def test_changed_on_both_sides_in_different_fields_merges(quiet_app: AppHarness) -> None:
    app = quiet_app
    alice = app.user()
    event = alice.create(title="Intro", location="Room 1").json()
    _pending_edit(app, alice, event, title="Intro with Dana")
    alice.google.patch(f"/events/{event['googleEventId']}", json={"location": "Room 7"})
    run = sync(alice)
    assert run["counts"]["merged"] >= 1
    cached = alice.api.get(f"/api/calendar/events/{event['id']}").json()
    assert (cached["title"], cached["location"], cached["syncStatus"]) == (
        "Intro with Dana",
        "Room 7",
        "synced",
    )
    remote = alice.google.get(f"/events/{event['googleEventId']}").json()
    assert (remote["summary"], remote["location"]) == ("Intro with Dana", "Room 7")


@pytest.mark.parametrize("pulled_twice", [False, True], ids=["added", "replaced"])
def test_an_event_from_google_changed_on_both_sides_merges(
    quiet_app: AppHarness, pulled_twice: bool
) -> None:
    """A row the sync stored (added, or replaced by Google's newer version) keeps its base
    once, as `local`; an edit here must not move that base, or the merge would lose it."""
    app = quiet_app
    alice = app.user()
    made = in_google(alice, summary="From Google", location="Room 1")
    sync(alice)
    if pulled_twice:
        alice.google.patch(f"/events/{made['id']}", json={"description": "Agenda"})
        assert sync(alice)["counts"]["updated"] == 1
    _pending_edit(app, alice, events(alice)[made["id"]], title="Edited here")
    alice.google.patch(f"/events/{made['id']}", json={"location": "Room 7"})
    run = sync(alice)
    assert (run["counts"]["merged"], run["counts"]["conflicts"]) == (1, 0)
    cached = events(alice)[made["id"]]
    assert (cached["title"], cached["location"], cached["syncStatus"]) == (
        "Edited here",
        "Room 7",
        "synced",
    )
    remote = alice.google.get(f"/events/{made['id']}").json()
    assert (remote["summary"], remote["location"]) == ("Edited here", "Room 7")


def test_changed_on_both_sides_in_the_same_field_is_a_conflict(quiet_app: AppHarness) -> None:
    app = quiet_app
    alice = app.user()
    event = alice.create(title="Intro").json()
    _pending_edit(app, alice, event, title="CRM title")
    alice.google.patch(f"/events/{event['googleEventId']}", json={"summary": "Google title"})
    run = sync(alice)
    assert run["counts"]["conflicts"] == 1
    [conflict] = alice.api.get("/api/calendar/conflicts").json()["items"]
    assert conflict["fields"] == ["title"]
    assert (conflict["local"]["title"], conflict["remote"]["title"]) == (
        "CRM title",
        "Google title",
    )
    assert alice.google.get(f"/events/{event['googleEventId']}").json()["summary"] == "Google title"


def test_cancelled_in_google_and_clean_here_is_removed(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create(title="Going away").json()
    alice.google.delete(f"/events/{event['googleEventId']}")
    run = sync(alice)
    assert run["counts"]["deleted"] == 1
    assert titles(alice) == []


def test_cancelled_in_google_and_dirty_here_is_a_conflict(quiet_app: AppHarness) -> None:
    app = quiet_app
    alice = app.user()
    event = alice.create(title="Keep me").json()
    _pending_edit(app, alice, event, title="Kept and edited")
    alice.google.delete(f"/events/{event['googleEventId']}")
    sync(alice)
    [conflict] = alice.api.get("/api/calendar/conflicts").json()["items"]
    assert conflict["kind"] == "deleted_remotely"
    assert titles(alice) == ["Kept and edited"]


def test_expired_token_means_full_sync_with_deletions_in_the_gap(app: AppHarness) -> None:
    alice = app.user()
    keep, gone = in_google(alice, summary="keep"), in_google(alice, summary="gone")
    sync(alice)
    alice.google.delete(f"/events/{gone['id']}")
    app.emulator.post("/sync-tokens/expire")
    later = in_google(alice, summary="later")
    run = sync(alice)
    assert run["status"] == "succeeded"
    assert run["calendars"][0]["full"] is True
    assert set(events(alice)) == {keep["id"], later["id"]}


def test_full_sync_sweeps_events_google_no_longer_has(app: AppHarness) -> None:
    alice = app.user()
    purged = in_google(alice, summary="purged")
    in_google(alice, summary="stays")
    sync(alice)
    app.emulator.post("/purge", {"calendarId": alice.email, "eventId": purged["id"]})
    app.emulator.post("/sync-tokens/expire")
    pending = alice.create(title="not pushed yet")
    assert pending.status_code == 201
    run = sync(alice)
    assert run["counts"]["deleted"] == 1
    assert sorted(titles(alice)) == ["not pushed yet", "stays"]


def test_recurring_series_with_a_moved_and_a_cancelled_instance(app: AppHarness) -> None:
    alice = app.user()
    series = in_google(
        alice,
        summary="Standup",
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"],
        start={"dateTime": "2027-03-19T10:00:00", "timeZone": "Europe/Berlin"},
        end={"dateTime": "2027-03-19T10:30:00", "timeZone": "Europe/Berlin"},
    )
    instances = alice.google.get(f"/events/{series['id']}/instances").json()["items"]
    alice.google.patch(
        f"/events/{instances[1]['id']}",
        json={
            "start": {"dateTime": "2027-03-27T15:00:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2027-03-27T15:30:00", "timeZone": "Europe/Berlin"},
        },
    )
    alice.google.delete(f"/events/{instances[2]['id']}")
    assert sync(alice)["status"] == "succeeded"
    listed = alice.api.get(
        "/api/calendar/events",
        params={"timeMin": "2027-03-01T00:00:00Z", "timeMax": "2027-05-01T00:00:00Z"},
    ).json()["items"]
    starts = [e["startTime"] for e in listed]
    assert starts == [
        "2027-03-19T10:00:00+01:00",
        "2027-03-27T15:00:00+01:00",
        "2027-04-09T10:00:00+02:00",
    ]
    assert all(e["title"] == "Standup" for e in listed)
    assert listed[0]["seriesId"] is not None
    assert listed[1]["originalStartTime"] is not None
    narrow = alice.api.get(
        "/api/calendar/events",
        params={"timeMin": "2027-03-25T00:00:00Z", "timeMax": "2027-03-26T00:00:00Z"},
    ).json()["items"]
    assert narrow == [], "the moved instance left its original day"


async def _row_ids(database_url: str, google_event_id: str) -> list[str]:
    database = Database(database_url)
    try:
        async with database.session() as session:
            found = await session.scalars(
                select(Event.id).where(Event.google_event_id == google_event_id)
            )
            return list(found)
    finally:
        await database.dispose()


def _weekly_series(user: ApiUser) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    series = in_google(
        user,
        summary="Weekly review",
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"],
        start={"dateTime": "2027-03-19T10:00:00", "timeZone": "Europe/Berlin"},
        end={"dateTime": "2027-03-19T10:30:00", "timeZone": "Europe/Berlin"},
    )
    instances = user.google.get(f"/events/{series['id']}/instances").json()["items"]
    return series, instances


def test_a_series_deleted_here_takes_its_instances_even_one_moved_meanwhile(
    quiet_app: AppHarness,
) -> None:
    alice = quiet_app.user()
    series, instances = _weekly_series(alice)
    assert sync(alice)["status"] == "succeeded"
    window = {"timeMin": "2027-03-01T00:00:00Z", "timeMax": "2027-05-01T00:00:00Z"}
    listed = alice.api.get("/api/calendar/events", params=window).json()["items"]
    assert len(listed) == 3
    # Deleted here while Google is unreachable for it; meanwhile Google moves one instance.
    quiet_app.emulator.fault(method="DELETE", path=series["id"], status=503, times=10_000)
    assert alice.api.delete(f"/api/calendar/events/{listed[0]['seriesId']}").status_code == 200
    alice.google.patch(f"/events/{instances[1]['id']}", json={"location": "Room 9"})
    assert sync(alice)["status"] == "succeeded"  # pulls the moved instance; the delete waits
    assert alice.api.get("/api/calendar/events", params=window).json()["items"] == []
    quiet_app.emulator.http.delete(quiet_app.emulator.url + "/_emulator/faults")
    assert sync(alice)["status"] == "succeeded"  # the delete lands
    assert alice.api.get("/api/calendar/events", params=window).json()["items"] == []
    live = alice.google.get("/events", params={"singleEvents": "true"}).json()["items"]
    assert [e for e in live if e.get("recurringEventId") == series["id"]] == []
    assert sync(alice)["status"] == "succeeded"  # Google's cancellations change nothing
    assert alice.api.get("/api/calendar/events", params=window).json()["items"] == []


def test_a_cancelled_instance_is_not_an_event_to_edit(app: AppHarness) -> None:
    alice = app.user()
    _, instances = _weekly_series(alice)
    alice.google.delete(f"/events/{instances[1]['id']}")
    assert sync(alice)["status"] == "succeeded"
    listed = alice.api.get(
        "/api/calendar/events",
        params={"timeMin": "2027-03-01T00:00:00Z", "timeMax": "2027-05-01T00:00:00Z"},
    ).json()["items"]
    assert len(listed) == 2
    stored = alice.api.get("/api/calendar/events").json()["items"]
    cancelled = [e for e in stored if e["googleEventId"] == instances[1]["id"]]
    assert cancelled == [], "a cancelled instance is not listed"
    rows = run_in_thread(_row_ids(app.database_url, instances[1]["id"]))
    assert len(rows) == 1
    answer = alice.api.patch(f"/api/calendar/events/{rows[0]}", json={"title": "Back?"})
    assert answer.status_code == 404, answer.text
    assert alice.api.get(f"/api/calendar/events/{rows[0]}").status_code == 404
    assert alice.api.delete(f"/api/calendar/events/{rows[0]}").status_code == 404


def test_a_malformed_event_is_recorded_and_the_rest_syncs(app: AppHarness) -> None:
    alice = app.user()
    in_google(alice, summary="good one")
    app.emulator.seed(
        {
            "users": [
                {
                    "email": alice.email,
                    "events": [
                        {
                            "_raw": True,
                            "id": "legacy0001",
                            "summary": "odd zone",
                            "start": {
                                "dateTime": "2027-01-01T10:00:00Z",
                                "timeZone": "Mars/Olympus",
                            },
                            "end": {"dateTime": "2027-01-01T11:00:00Z"},
                        },
                        {
                            "_raw": True,
                            "id": "legacy0002",
                            "summary": "bad rule",
                            "start": {"dateTime": "2027-01-01T10:00:00", "timeZone": "UTC"},
                            "end": {"dateTime": "2027-01-01T11:00:00", "timeZone": "UTC"},
                            "recurrence": ["RRULE:FREQ=SOMETIMES"],
                        },
                    ],
                }
            ]
        }
    )
    in_google(alice, summary="another good one")
    run = sync(alice)
    assert run["status"] == "succeeded"
    assert run["counts"]["errors"] == 2
    errors = {e["googleEventId"] for e in run["calendars"][0]["errors"]}
    assert errors == {"legacy0001", "legacy0002"}
    assert sorted(titles(alice)) == ["another good one", "good one"]


def test_incremental_sync_with_one_change_makes_one_google_call(app: AppHarness) -> None:
    alice = app.user()
    for n in range(30):
        in_google(alice, summary=f"e{n}")
    sync(alice)
    first = next(iter(events(alice)))
    alice.google.patch(f"/events/{first}", json={"summary": "changed"})
    run = sync(alice)
    assert run["counts"]["pulled"] == 1
    assert run["googleCalls"] == 1


def test_calendars_are_listed_chosen_and_synced_separately(app: AppHarness) -> None:
    alice = app.user()
    side = alice.google.post(
        app.emulator.url + "/calendar/v3/calendars", json={"summary": "Side projects"}
    ).json()
    alice.google.post(
        app.emulator.url + f"/calendar/v3/calendars/{side['id']}/events",
        json={**HOUR, "summary": "on the side"},
    )
    in_google(alice, summary="on primary")
    listed = alice.api.get("/api/calendar/calendars").json()["items"]
    by_name = {c["summary"]: c for c in listed}
    assert by_name["Side projects"]["syncEnabled"] is False
    assert titles(alice) == []
    sync(alice)
    assert titles(alice) == ["on primary"]
    chosen = alice.api.patch(
        f"/api/calendar/calendars/{by_name['Side projects']['id']}", json={"syncEnabled": True}
    )
    assert chosen.json()["syncEnabled"] is True
    run = sync(alice)
    assert {c["summary"]: c["full"] for c in run["calendars"]} == {
        "Side projects": True,
        alice.email: False,
    }
    assert sorted(titles(alice)) == ["on primary", "on the side"]


def test_progress_is_streamed_as_server_sent_events(app: AppHarness) -> None:
    alice = app.user()
    for n in range(5):
        in_google(alice, summary=f"e{n}")
    run_id = alice.api.post("/api/calendar/sync").json()["runId"]
    with alice.api.stream("GET", f"/api/calendar/sync/{run_id}/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line.startswith("event:")]
    assert lines[-1] == "event: done"
    final = alice.api.get(f"/api/calendar/sync/{run_id}").json()
    assert final["status"] == "succeeded"
    assert final["counts"]["created"] == 5


def test_throttling_slows_the_sync_down_instead_of_failing_it(app: AppHarness) -> None:
    alice = app.user()
    in_google(alice, summary="e1")
    app.emulator.fault(method="GET", path="/events$", status=429, retryAfter=1, times=2)
    run = sync(alice)
    assert run["status"] == "succeeded"
    assert titles(alice) == ["e1"]


def test_sync_of_someone_else_is_404(app: AppHarness) -> None:
    alice, bob = app.user(), app.user("bob@example.com")
    run_id = alice.api.post("/api/calendar/sync").json()["runId"]
    assert bob.api.get(f"/api/calendar/sync/{run_id}").status_code == 404


def test_periodic_sync_brings_google_changes_without_a_request(
    database_url: str, emulator: EmulatorControl
) -> None:
    server, url = start_app(database_url, emulator.url, sync_interval_seconds=0.5)
    try:
        alice = AppHarness(url, database_url, emulator).user()
        in_google(alice, summary="arrives by itself")
        wait_for(
            lambda: titles(alice) == ["arrives by itself"], timeout=15, what="the scheduled sync"
        )

        def last_run() -> str | None:
            calendar = alice.api.get("/api/calendar/calendars").json()["items"][0]
            return calendar["lastSyncRunId"]  # type: ignore[no-any-return]

        # A run's pages show before it ends and records itself on the calendar.
        wait_for(lambda: last_run() is not None, timeout=15, what="the run to finish")
        run = alice.api.get(f"/api/calendar/sync/{last_run()}").json()
        assert run["trigger"] == "schedule"
    finally:
        server.stop()


def test_an_occurrence_changed_in_google_can_be_edited_here(app: AppHarness) -> None:
    # Google's instance ids are its own (an underscore, capitals): never held to the rule
    # for the ids touchbase chooses for new events.
    alice = app.user()
    _, instances = _weekly_series(alice)
    alice.google.patch(f"/events/{instances[1]['id']}", json={"summary": "Review (moved)"})
    assert sync(alice)["status"] == "succeeded"
    [moved] = [e for e in events(alice).values() if e["title"] == "Review (moved)"]
    assert moved["googleEventId"] == instances[1]["id"]
    answer = alice.api.patch(
        f"/api/calendar/events/{moved['id']}",
        json={"title": "Review (with Dana)"},
        headers={"If-Match": moved["etag"]},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["syncStatus"] == "synced", answer.json()["lastError"]
    remote = alice.google.get(f"/events/{instances[1]['id']}").json()
    assert remote["summary"] == "Review (with Dana)"
    again = sync(alice)
    assert again["counts"]["errors"] == 0
    assert events(alice)[instances[1]["id"]]["syncStatus"] == "synced"


def test_sync_runs_a_week_old_are_deleted_but_each_calendars_last(app: AppHarness) -> None:
    """Every sync writes a row, and a calendar syncs every few minutes: the tick deletes
    the runs that ended over a week ago, a batch at a time (from a process's first tick,
    then hourly: a second process starting on the database here), and keeps each
    calendar's last run (its page shows it) and the runs still going."""
    alice = app.user()
    last = sync(alice)["id"]
    recent = sync(alice)["id"]
    [calendar] = alice.api.get("/api/calendar/calendars").json()["items"]
    assert calendar["lastSyncRunId"] == recent
    old = datetime.now(UTC) - timedelta(days=8)
    run_in_thread(_age_runs(app.database_url, alice, old, extra=2500))

    def left() -> int:
        return run_in_thread(_count_runs(app.database_url))

    assert left() == 2503
    server, _ = start_app(app.database_url, app.emulator.url)
    try:
        wait_for(lambda: left() == 2, timeout=30, what=f"old runs deleted: {left()} left")
    finally:
        server.stop()
    assert alice.api.get(f"/api/calendar/sync/{last}").status_code == 404
    assert alice.api.get(f"/api/calendar/sync/{recent}").status_code == 200  # the last one
    assert alice.api.get("/api/calendar/sync/still-running").status_code == 200


async def _age_runs(database_url: str, user: ApiUser, ended: datetime, *, extra: int) -> None:
    """Every run ended at `ended`, and `extra` more like them; one more still running."""
    database = Database(database_url)
    try:
        async with database.session() as session:
            await session.execute(update(SyncRun).values(finished_at=ended))
            [owner] = (await session.scalars(select(SyncRun.user_id).distinct())).all()
            done = {"trigger": "api", "status": "succeeded", "started_at": ended}
            rows = [{"id": f"old-{n}", "finished_at": ended, **done} for n in range(extra)]
            rows.append({"id": "still-running", **done, "status": "running", "finished_at": None})
            for row in rows:
                session.add(SyncRun(user_id=owner, counts={}, calendars=[], **row))
    finally:
        await database.dispose()


async def _count_runs(database_url: str) -> int:
    database = Database(database_url)
    try:
        async with database.session() as session:
            return int(await session.scalar(select(func.count()).select_from(SyncRun)) or 0)
    finally:
        await database.dispose()
