"""Changing occurrences of a recurring series: this event, this and following, all events;
made here, made in Google, and what both sides list afterwards (never twice)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from tests.support.app import ApiUser, AppHarness
from tests.support.sync import sync

WINDOW = {"timeMin": "2027-03-01T00:00:00Z", "timeMax": "2027-06-01T00:00:00Z"}
BERLIN_10 = {
    "startTime": "2027-03-19T10:00:00+01:00",
    "endTime": "2027-03-19T10:30:00+01:00",
    "timeZone": "Europe/Berlin",
}


def weekly(user: ApiUser, rule: str = "RRULE:FREQ=WEEKLY;COUNT=5", **fields: Any) -> str:
    """A weekly series made here, pushed; its record id."""
    made = user.create(title="Pipeline review", recurrence=[rule], **{**BERLIN_10, **fields})
    assert made.status_code == 201, made.text
    assert made.json()["syncStatus"] == "synced"
    return str(made.json()["id"])


def listed(user: ApiUser) -> list[dict[str, Any]]:
    return list(user.api.get("/api/calendar/events", params=WINDOW).json()["items"])


def _utc(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(UTC).isoformat()


def ours(user: ApiUser) -> list[tuple[str, str]]:
    """(title, UTC start) of every occurrence touchbase lists in the window."""
    return _by_start((e["title"], _utc(e["startTime"])) for e in listed(user))


def googles(user: ApiUser) -> list[tuple[str, str]]:
    """The same, from Google's own expansion (singleEvents=true)."""
    items = user.google.get("/events", params={"singleEvents": "true", **WINDOW}).json()["items"]
    return _by_start((e.get("summary", ""), _utc(e["start"]["dateTime"])) for e in items)


def _by_start(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(pairs, key=lambda pair: (pair[1], pair[0]))


def patch(user: ApiUser, event_id: str, scope: str | None, **body: Any) -> Any:
    params = {"scope": scope} if scope else {}
    return user.api.patch(f"/api/calendar/events/{event_id}", params=params, json=body)


def test_this_event_changes_one_occurrence_here_and_in_google(app: AppHarness) -> None:
    alice = app.user()
    weekly(alice)
    third = listed(alice)[2]
    answer = patch(alice, third["id"], "instance", title="QBR prep")
    assert answer.status_code == 200, answer.text
    assert (answer.json()["id"], answer.json()["syncStatus"]) == (third["id"], "synced")
    titles = [e["title"] for e in listed(alice)]
    assert titles == ["Pipeline review"] * 2 + ["QBR prep"] + ["Pipeline review"] * 2
    assert ours(alice) == googles(alice)
    assert sync(alice)["status"] == "succeeded"
    assert ours(alice) == googles(alice), "nothing twice after a sync"
    again = alice.api.get(f"/api/calendar/events/{third['id']}")
    assert (again.status_code, again.json()["title"]) == (200, "QBR prep"), "a stable id"
    # Edited once more under the same id: the exception row, not a second one.
    assert patch(alice, third["id"], None, location="Room 2").status_code == 200
    assert len(listed(alice)) == 5
    assert [e for e in googles(alice) if e[0] == "QBR prep"] == [("QBR prep", third_utc(third))]


def third_utc(event: dict[str, Any]) -> str:
    return _utc(event["startTime"])


def test_this_event_deletes_one_occurrence_and_it_stays_deleted(app: AppHarness) -> None:
    alice = app.user()
    weekly(alice)
    second = listed(alice)[1]
    gone = alice.api.delete(f"/api/calendar/events/{second['id']}", params={"scope": "instance"})
    assert gone.status_code == 200, gone.text
    assert second["id"] not in [e["id"] for e in listed(alice)]
    assert len(googles(alice)) == 4
    for _ in range(2):
        assert sync(alice)["status"] == "succeeded"
        assert ours(alice) == googles(alice)
        assert len(ours(alice)) == 4
    assert alice.api.get(f"/api/calendar/events/{second['id']}").status_code == 404


def test_an_occurrence_moved_out_of_a_window_leaves_its_slot_empty_there(
    app: AppHarness,
) -> None:
    alice = app.user()
    weekly(alice)
    second = listed(alice)[1]  # Friday 26 March
    moved = patch(
        alice,
        second["id"],
        "instance",
        startTime="2027-04-30T10:00:00+02:00",
        endTime="2027-04-30T10:30:00+02:00",
    )
    assert moved.status_code == 200, moved.text

    def week_of(day: str, end: str) -> list[str]:
        window = {"timeMin": f"{day}T00:00:00Z", "timeMax": f"{end}T00:00:00Z"}
        items = alice.api.get("/api/calendar/events", params=window).json()["items"]
        return [e["startTime"] for e in items]

    assert week_of("2027-03-22", "2027-03-29") == [], "the slot it left is empty"
    assert week_of("2027-04-26", "2027-05-03") == ["2027-04-30T10:00:00+02:00"]
    assert sync(alice)["status"] == "succeeded"
    assert week_of("2027-03-22", "2027-03-29") == []
    assert ours(alice) == googles(alice)


def test_all_events_moves_the_series_by_as_much_as_the_occurrence(app: AppHarness) -> None:
    alice = app.user()
    series_id = weekly(alice)
    third = listed(alice)[2]
    moved = patch(
        alice,
        third["id"],
        "all",
        startTime="2027-04-02T11:00:00+02:00",
        endTime="2027-04-02T12:00:00+02:00",
        title="Pipeline review (longer)",
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["id"] == series_id
    starts = [e["startTime"] for e in listed(alice)]
    assert starts == [
        "2027-03-19T11:00:00+01:00",
        "2027-03-26T11:00:00+01:00",
        "2027-04-02T11:00:00+02:00",
        "2027-04-09T11:00:00+02:00",
        "2027-04-16T11:00:00+02:00",
    ], "11:00 local on both sides of the DST change"
    assert {e["endTime"][11:16] for e in listed(alice)} == {"12:00"}
    assert ours(alice) == googles(alice)


def test_this_and_following_splits_the_series_without_duplicates(app: AppHarness) -> None:
    alice = app.user()
    series_id = weekly(alice)
    third = listed(alice)[2]
    split = patch(alice, third["id"], "following", title="Pipeline review v2")
    assert split.status_code == 200, split.text
    assert split.json()["id"] != series_id
    titles = [e["title"] for e in listed(alice)]
    assert titles == ["Pipeline review"] * 2 + ["Pipeline review v2"] * 3
    assert ours(alice) == googles(alice)
    rules = {
        e["summary"]: e["recurrence"]
        for e in alice.google_events()
        if e.get("recurrence") and e["status"] != "cancelled"
    }
    assert rules == {
        "Pipeline review": ["RRULE:FREQ=WEEKLY;COUNT=2"],
        "Pipeline review v2": ["RRULE:FREQ=WEEKLY;COUNT=3"],
    }
    for _ in range(2):
        assert sync(alice)["status"] == "succeeded"
        assert ours(alice) == googles(alice)


def test_this_and_following_ends_an_until_rule_in_utc_and_an_all_day_one_on_a_date(
    app: AppHarness,
) -> None:
    alice = app.user()
    weekly(alice, "RRULE:FREQ=WEEKLY;UNTIL=20270430T235959Z")
    fourth = listed(alice)[3]
    assert patch(alice, fourth["id"], "following", location="Room 7").status_code == 200
    rules = sorted(e["recurrence"][0] for e in alice.google_events() if e.get("recurrence"))
    assert rules == [
        "RRULE:FREQ=WEEKLY;UNTIL=20270409T075959Z",
        "RRULE:FREQ=WEEKLY;UNTIL=20270430T235959Z",
    ]
    assert ours(alice) == googles(alice)
    assert len(ours(alice)) == 7

    bob = app.user("bob@example.com")
    made = bob.create(
        title="Offsite",
        startTime="2027-03-01",
        endTime="2027-03-02",
        allDay=True,
        recurrence=["RRULE:FREQ=WEEKLY;UNTIL=20270329"],
    )
    assert made.status_code == 201, made.text
    days = listed(bob)
    assert patch(bob, days[2]["id"], "following", title="Offsite (moved)").status_code == 200
    rules = sorted(e["recurrence"][0] for e in bob.google_events() if e.get("recurrence"))
    assert rules == ["RRULE:FREQ=WEEKLY;UNTIL=20270314", "RRULE:FREQ=WEEKLY;UNTIL=20270329"]
    assert [(e["title"], e["startTime"]) for e in listed(bob)] == [
        ("Offsite", "2027-03-01"),
        ("Offsite", "2027-03-08"),
        ("Offsite (moved)", "2027-03-15"),
        ("Offsite (moved)", "2027-03-22"),
        ("Offsite (moved)", "2027-03-29"),
    ]


def test_this_and_following_at_the_first_occurrence_is_all_events(app: AppHarness) -> None:
    alice = app.user()
    series_id = weekly(alice)
    first = listed(alice)[0]
    answer = patch(alice, first["id"], "following", title="Renamed")
    assert (answer.status_code, answer.json()["id"]) == (200, series_id)
    [only] = [e for e in alice.google_events() if e.get("recurrence")]
    assert only["summary"] == "Renamed"


def test_a_split_carries_later_changed_and_cancelled_occurrences_over(app: AppHarness) -> None:
    alice = app.user()
    weekly(alice)
    occurrences = listed(alice)
    assert patch(alice, occurrences[3]["id"], "instance", title="Board prep").status_code == 200
    dropped = alice.api.delete(f"/api/calendar/events/{occurrences[4]['id']}")
    assert dropped.status_code == 200
    split = patch(
        alice,
        occurrences[1]["id"],
        "following",
        startTime="2027-03-26T14:00:00+01:00",
        endTime="2027-03-26T14:30:00+01:00",
    )
    assert split.status_code == 200, split.text
    expected = [
        ("Pipeline review", "2027-03-19T09:00:00+00:00"),
        ("Pipeline review", "2027-03-26T13:00:00+00:00"),
        ("Pipeline review", "2027-04-02T12:00:00+00:00"),
        ("Board prep", "2027-04-09T12:00:00+00:00"),
    ]
    # The retitled occurrence moved with the rest; the cancelled one stays cancelled.
    assert ours(alice) == expected
    assert googles(alice) == expected
    assert sync(alice)["status"] == "succeeded"
    assert ours(alice) == googles(alice) == expected


def test_an_occurrence_changed_in_google_is_edited_here_by_its_stable_id(app: AppHarness) -> None:
    alice = app.user()
    weekly(alice)
    second = listed(alice)[1]
    instance = google_instance(alice, second)
    alice.google.patch(f"/events/{instance['id']}", json={"location": "Cafe"})
    assert sync(alice)["status"] == "succeeded"
    now = [e for e in listed(alice) if e["id"] == second["id"]]
    assert [e["location"] for e in now] == ["Cafe"], "the same id after a sync"
    answer = patch(alice, second["id"], "instance", title="Coffee review")
    assert (answer.status_code, answer.json()["syncStatus"]) == (200, "synced"), answer.text
    assert ("Coffee review", _utc(second["startTime"])) in googles(alice)
    assert ours(alice) == googles(alice)


def google_instance(user: ApiUser, occurrence: dict[str, Any]) -> dict[str, Any]:
    """Google's instance of an occurrence, found as another client would."""
    series = user.api.get(f"/api/calendar/events/{occurrence['seriesId']}").json()
    [instance] = user.google.get(
        f"/events/{series['googleEventId']}/instances",
        params={"originalStart": occurrence["originalStartTime"]},
    ).json()["items"]
    return dict(instance)


def test_the_same_occurrence_edited_on_both_sides_merges_or_conflicts(app: AppHarness) -> None:
    alice = app.user()
    weekly(alice)
    second = listed(alice)[1]
    instance = google_instance(alice, second)
    # Google changes the occurrence's location while touchbase cannot reach Google.
    app.emulator.fault(method="GET", path="instances", status=503, times=10_000)
    pending = patch(alice, second["id"], "instance", title="Renamed here")
    assert pending.json()["syncStatus"] == "pending"
    alice.google.patch(f"/events/{instance['id']}", json={"location": "Room 4"})
    app.emulator.http.delete(app.emulator.url + "/_emulator/faults")
    assert sync(alice)["status"] == "succeeded"
    merged = alice.api.get(f"/api/calendar/events/{second['id']}").json()
    assert (merged["title"], merged["location"]) == ("Renamed here", "Room 4")
    assert ours(alice) == googles(alice)
    # Both sides rename it: a conflict of that occurrence, shown and resolvable.
    app.emulator.fault(method="PATCH", status=503, times=10_000)
    assert patch(alice, second["id"], "instance", title="Ours").json()["syncStatus"] == "pending"
    current = alice.google.get(f"/events/{instance['id']}").json()
    alice.google.put(f"/events/{instance['id']}", json={**current, "summary": "Theirs"})
    app.emulator.http.delete(app.emulator.url + "/_emulator/faults")
    sync(alice)
    shown = alice.api.get(f"/api/calendar/events/{second['id']}").json()
    assert shown["syncStatus"] == "conflict"
    assert shown["conflict"]["fields"] == ["title"]
    kept = alice.api.post(
        f"/api/calendar/events/{second['id']}/conflict", json={"resolution": "keep_local"}
    )
    assert kept.status_code == 200, kept.text
    assert ("Ours", _utc(second["startTime"])) in googles(alice)


def test_scope_refusals_and_other_users_occurrences(app: AppHarness) -> None:
    alice = app.user()
    weekly(alice)
    second = listed(alice)[1]
    own_rule = patch(alice, second["id"], "instance", recurrence=["RRULE:FREQ=DAILY"])
    assert (own_rule.status_code, own_rule.json()["error"]["details"]["field"]) == (
        422,
        "recurrence",
    )
    bad_scope = patch(alice, second["id"], "some", title="x")
    assert bad_scope.status_code == 422
    not_a_slot = second["id"].split("~")[0] + "~20270327T090000Z"
    assert patch(alice, not_a_slot, "instance", title="x").status_code == 404
    assert alice.api.get(f"/api/calendar/events/{not_a_slot}").status_code == 404
    bob = app.user("bob@example.com")
    assert patch(bob, second["id"], "instance", title="Mine").status_code == 404
    assert bob.api.delete(f"/api/calendar/events/{second['id']}").status_code == 404
    assert bob.api.get(f"/api/calendar/events/{second['id']}").status_code == 404
    stale = alice.api.patch(
        f"/api/calendar/events/{second['id']}",
        json={"title": "late"},
        headers={"If-Match": '"v0"'},
    )
    assert stale.status_code == 409


def test_an_occurrence_change_waiting_for_google_survives_a_full_sync(app: AppHarness) -> None:
    alice = app.user()
    weekly(alice)
    second = listed(alice)[1]
    app.emulator.fault(method="GET", path="instances", status=503, times=10_000)
    assert patch(alice, second["id"], "instance", title="Later").json()["syncStatus"] == "pending"
    app.emulator.post("/sync-tokens/expire")
    run = sync(alice)
    assert run["calendars"][0]["full"] is True
    waiting = alice.api.get(f"/api/calendar/events/{second['id']}").json()
    assert (waiting["title"], waiting["syncStatus"], waiting["conflict"]) == (
        "Later",
        "pending",
        None,
    ), "not taken for an event Google no longer has"
    app.emulator.http.delete(app.emulator.url + "/_emulator/faults")
    assert sync(alice)["status"] == "succeeded"
    assert alice.api.get(f"/api/calendar/events/{second['id']}").json()["syncStatus"] == "synced"
    assert ours(alice) == googles(alice)


def test_an_occurrence_whose_slot_google_removed_is_a_conflict_to_recreate(
    app: AppHarness,
) -> None:
    alice = app.user()
    weekly(alice)
    second = listed(alice)[1]
    series = alice.api.get(f"/api/calendar/events/{second['seriesId']}").json()
    app.emulator.fault(method="GET", path="instances", status=503, times=10_000)
    assert patch(alice, second["id"], "instance", title="Ours").json()["syncStatus"] == "pending"
    # Meanwhile all events move an hour later in Google: that occurrence's slot is gone.
    current = alice.google.get(f"/events/{series['googleEventId']}").json()
    alice.google.patch(
        f"/events/{series['googleEventId']}",
        json={
            "start": {"dateTime": "2027-03-19T11:00:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2027-03-19T11:30:00", "timeZone": "Europe/Berlin"},
        },
        headers={"If-Match": current["etag"]},
    )
    app.emulator.http.delete(app.emulator.url + "/_emulator/faults")
    assert sync(alice)["status"] == "succeeded"
    [conflict] = alice.api.get("/api/calendar/conflicts").json()["items"]
    assert conflict["kind"] == "deleted_remotely"
    assert conflict["local"]["title"] == "Ours"
    app.emulator.fault(method="POST", status=503, times=10_000)  # recreated while Google is down
    answer = alice.api.post(
        f"/api/calendar/events/{conflict['eventId']}/conflict", json={"resolution": "recreate"}
    )
    assert answer.status_code == 200, answer.text
    back = answer.json()
    assert (back["syncStatus"], back["originalStartTime"], back["seriesId"]) == (
        "pending",
        None,
        None,
    ), "an event of its own now"
    assert "Ours" in [t for t, _ in ours(alice)]
    app.emulator.http.delete(app.emulator.url + "/_emulator/faults")
    assert sync(alice)["status"] == "succeeded"
    made = alice.google.get(f"/events/{back['googleEventId']}").json()
    assert "recurringEventId" not in made
    assert "originalStartTime" not in made
    assert ours(alice) == googles(alice)
    assert [t for t, _ in ours(alice)] == ["Pipeline review", "Ours"] + ["Pipeline review"] * 4


def test_a_split_keeps_the_contact_on_both_halves_and_the_touchpoint_on_one(
    app: AppHarness,
) -> None:
    alice = app.user()
    ada = alice.api.post("/api/contacts", json={"name": "Ada Lovelace"}).json()
    weekly(alice, contactId=ada["id"], isTouchpointEvent=True)
    third = listed(alice)[2]
    assert patch(alice, third["id"], "following", title="Check-in (new time)").status_code == 200
    for _ in range(2):
        shown = listed(alice)
        assert [e["contactId"] for e in shown] == [ada["id"]] * 5, "both halves: with Ada"
        assert [e["isTouchpointEvent"] for e in shown] == [False] * 2 + [True] * 3
        assert sync(alice)["status"] == "succeeded"
    halves = [e for e in alice.google_events() if e.get("recurrence")]
    assert len(halves) == 2
    assert all(ada["id"] in str(e.get("extendedProperties")) for e in halves)


def test_a_split_made_in_googles_ui_comes_back_once(app: AppHarness) -> None:
    alice = app.user()
    ada = alice.api.post("/api/contacts", json={"name": "Ada Lovelace"}).json()
    weekly(alice, "RRULE:FREQ=WEEKLY;COUNT=6", contactId=ada["id"])
    occurrences = listed(alice)
    assert patch(alice, occurrences[4]["id"], "instance", title="Board prep").status_code == 200
    series = alice.api.get(f"/api/calendar/events/{occurrences[0]['seriesId']}").json()
    assert sync(alice)["status"] == "succeeded"
    made = app.emulator.post(
        "/split",
        {
            "calendarId": alice.email,
            "eventId": series["googleEventId"],
            "originalStart": occurrences[2]["originalStartTime"],
        },
    )
    assert made["id"].startswith(series["googleEventId"] + "_R")
    for _ in range(2):
        assert sync(alice)["status"] == "succeeded"
        assert ours(alice) == googles(alice)
        assert len(ours(alice)) == 6, "each occurrence once"
    shown = listed(alice)
    assert {e["seriesId"] for e in shown[:2]} != {e["seriesId"] for e in shown[2:]}
    assert [e["contactId"] for e in shown] == [ada["id"]] * 6


def test_a_touchpoint_google_copied_to_both_halves_stays_on_the_later_one(
    app: AppHarness,
) -> None:
    alice = app.user()
    made = alice.google.post(
        "/events",
        json={
            "summary": "Quarterly review",
            "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=5"],
            "start": {"dateTime": "2027-03-19T10:00:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2027-03-19T10:30:00", "timeZone": "Europe/Berlin"},
            "extendedProperties": {"private": {"touchbaseTouchpointId": "tp-1"}},
        },
    ).json()
    assert sync(alice)["status"] == "succeeded"
    app.emulator.post(
        "/split",
        {
            "calendarId": alice.email,
            "eventId": made["id"],
            "originalStart": "2027-04-02T10:00:00+02:00",
        },
    )
    for _ in range(2):
        assert sync(alice)["status"] == "succeeded"
    assert [e["touchpointId"] for e in listed(alice)] == [None, None, "tp-1", "tp-1", "tp-1"]
    halves = {
        e["id"]: e.get("extendedProperties", {}).get("private", {})
        for e in alice.google_events()
        if e.get("recurrence")
    }
    assert halves == {
        made["id"]: {},
        made["id"] + "_R20270402T100000": {"touchbaseTouchpointId": "tp-1"},
    }
    assert ours(alice) == googles(alice)


def test_an_occurrence_edited_while_its_series_move_waits_for_google_goes_after_it(
    app: AppHarness,
) -> None:
    """Its slot is not in Google until the series' own change is: the occurrence waits for
    it, it is no conflict (Google never deleted it)."""
    alice = app.user()
    weekly(alice)
    app.emulator.fault(method="PATCH", status=503, times=10_000)
    first = listed(alice)[0]
    later = {"startTime": "2027-03-19T11:00:00+01:00", "endTime": "2027-03-19T11:30:00+01:00"}
    assert patch(alice, first["id"], "all", **later).json()["syncStatus"] == "pending"
    app.emulator.http.delete(app.emulator.url + "/_emulator/faults")
    second = listed(alice)[1]
    assert second["startTime"] == "2027-03-26T11:00:00+01:00"
    edited = patch(alice, second["id"], "instance", title="Ours")
    assert edited.status_code == 200, edited.text
    assert (edited.json()["syncStatus"], edited.json()["conflict"]) == ("pending", None)
    assert alice.api.get("/api/calendar/conflicts").json()["items"] == []
    assert sync(alice)["status"] == "succeeded"
    assert alice.api.get("/api/calendar/conflicts").json()["items"] == []
    assert alice.api.get(f"/api/calendar/events/{second['id']}").json()["syncStatus"] == "synced"
    assert ours(alice) == googles(alice)
    assert ("Ours", _utc("2027-03-26T11:00:00+01:00")) in googles(alice)
