"""Someone else's meeting the user is invited to: its details are its organizer's to change
(Google refuses a guest's change, or ignores it); the contact it is with, and whether it stays
in the user's calendar, are the user's own."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy
from alembic import command

from tests.support.app import ApiUser, AppHarness
from tests.support.sharing import CAROL, invitation, meeting
from tests.support.sync import sync
from touchbase.store.database import alembic_config, sync_url

START = datetime(2027, 3, 1, 10, tzinfo=UTC)
END = START + timedelta(hours=1)


def _refused(user: ApiUser, path: str, change: dict[str, Any]) -> None:
    answer = user.api.patch(path, json=change)
    assert answer.status_code == 403, answer.text
    error = answer.json()["error"]
    assert error["code"] == "CALENDAR_ORGANIZER_ONLY"
    assert CAROL in error["message"]


def _in_google(user: ApiUser, event: dict[str, Any]) -> dict[str, Any]:
    """The user's copy of the event in Google."""
    return dict(user.google.get(f"/events/{event['googleEventId']}").json())


def _contact(user: ApiUser) -> dict[str, Any]:
    made = user.api.post("/api/contacts", json={"name": "Carol Danvers", "emails": [CAROL]})
    assert made.status_code == 201, made.text
    return dict(made.json())


def test_an_invitation_keeps_its_details_for_its_organizer_to_change(app: AppHarness) -> None:
    alice = app.user()
    event = invitation(alice, START, "Carol's review")
    assert (event["organizer"], event["organizerOnly"]) == (CAROL, True)
    own = alice.create(title="Alice's own").json()
    assert own["organizerOnly"] is False
    path = f"/api/calendar/events/{event['id']}"
    later = (START + timedelta(hours=2)).isoformat()
    end = (START + timedelta(hours=3)).isoformat()
    for change in (
        {"title": "Renamed"},
        {"startTime": later, "endTime": end},
        {"attendees": [CAROL, alice.email, "dave@example.com"]},
        {"description": "My notes"},
    ):
        _refused(alice, path, change)
    kept = alice.api.get(path).json()
    assert (kept["title"], kept["etag"], kept["syncStatus"]) == (
        "Carol's review",
        event["etag"],
        "synced",
    )
    assert _in_google(alice, event)["summary"] == "Carol's review"

    # Whom it is with is hers: the link is kept in her copy, which Google lets a guest change.
    carol = _contact(alice)
    linked = alice.api.patch(path, json={"contactId": carol["id"]})
    assert linked.status_code == 200, linked.text
    assert linked.json()["syncStatus"] == "synced"
    copy = _in_google(alice, event)
    assert copy["extendedProperties"]["private"]["touchbaseContactId"] == carol["id"]
    assert copy["summary"] == "Carol's review"

    # And whether it stays in her calendar.
    assert alice.api.delete(path).status_code in (200, 204)
    assert _in_google(alice, event)["status"] == "cancelled"


def test_an_invitation_whose_guests_may_modify_it_takes_a_change(app: AppHarness) -> None:
    alice = app.user()
    event = invitation(alice, START, "Open agenda", guestsCanModify=True)
    assert event["organizerOnly"] is False
    changed = alice.api.patch(f"/api/calendar/events/{event['id']}", json={"title": "Agenda"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["syncStatus"] == "synced"
    assert _in_google(alice, event)["summary"] == "Agenda"


def test_no_occurrence_of_a_recurring_invitation_is_changed_here(app: AppHarness) -> None:
    alice = app.user()
    occurrences = _weekly_invitation(alice)
    assert len(occurrences) == 4
    assert all(o["organizerOnly"] for o in occurrences)
    second = occurrences[1]
    for scope in ("instance", "following", "all"):
        path = f"/api/calendar/events/{second['id']}?scope={scope}"
        _refused(alice, path, {"title": "Mine now"})
    assert sync(alice)["status"] == "succeeded"
    after = _occurrences(alice)
    assert [(o["title"], o["syncStatus"]) for o in after] == [("Carol's weekly", "synced")] * 4
    [series] = alice.google_events()
    assert series["recurrence"] == ["RRULE:FREQ=WEEKLY;COUNT=4"]


def _weekly_invitation(user: ApiUser, start: datetime = START) -> list[dict[str, Any]]:
    """Carol's weekly meeting, four times from `start`, the user invited: its occurrences."""
    invitation(
        user,
        start,
        "Carol's weekly",
        start={"dateTime": start.isoformat(), "timeZone": "Europe/London"},
        end={"dateTime": (start + timedelta(hours=1)).isoformat(), "timeZone": "Europe/London"},
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"],
    )
    return _occurrences(user, start)


def _occurrences(user: ApiUser, start: datetime = START) -> list[dict[str, Any]]:
    window = {"start": start.isoformat(), "end": (start + timedelta(days=28)).isoformat()}
    return list(user.api.get("/api/calendar/events", params=window).json()["items"])


def test_an_answer_for_all_events_leaves_past_occurrences_answered_on_their_own(
    app: AppHarness,
) -> None:
    alice = app.user()
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=15)
    occurrences = _weekly_invitation(alice, start)
    past, to_come = occurrences[1], occurrences[3]
    for occurrence, answer in ((past, "declined"), (to_come, "tentative")):
        path = f"/api/calendar/events/{occurrence['id']}?scope=instance"
        assert alice.api.patch(path, json={"myResponse": answer}).status_code == 200

    every = f"/api/calendar/events/{to_come['id']}?scope=all"
    assert alice.api.patch(every, json={"myResponse": "accepted"}).status_code == 200
    assert sync(alice)["status"] == "succeeded"
    answers = [o["myResponse"] for o in _occurrences(alice, start)]
    assert answers == ["accepted", "declined", "accepted", "accepted"], "a past answer is kept"
    in_google = _in_google(alice, _occurrences(alice, start)[3])
    assert {a["email"]: a["responseStatus"] for a in in_google["attendees"]}[alice.email] == (
        "accepted"
    )


def test_a_recurring_invitation_is_answered_for_one_occurrence_or_all(app: AppHarness) -> None:
    alice = app.user()
    second = _weekly_invitation(alice)[1]
    path = f"/api/calendar/events/{second['id']}"

    split = alice.api.patch(f"{path}?scope=following", json={"myResponse": "accepted"})
    assert split.status_code == 422, split.text
    assert split.json()["error"]["details"]["field"] == "scope"
    assert [o["myResponse"] for o in _occurrences(alice)] == ["needsAction"] * 4, "nothing"

    one = alice.api.patch(f"{path}?scope=instance", json={"myResponse": "tentative"})
    assert (one.status_code, one.json()["myResponse"]) == (200, "tentative"), one.text
    every = alice.api.patch(f"{path}?scope=all", json={"myResponse": "accepted"})
    assert every.status_code == 200, every.text
    assert sync(alice)["status"] == "succeeded"
    answers = [o["myResponse"] for o in _occurrences(alice)]
    assert answers == ["accepted"] * 4, "all events: the week answered on its own too"
    that_week = _in_google(alice, _occurrences(alice)[1])
    assert {a["email"]: a["responseStatus"] for a in that_week["attendees"]}[alice.email] == (
        "accepted"
    )
    [series] = [e for e in alice.google_events() if "recurrence" in e]
    assert {a["email"]: a["responseStatus"] for a in series["attendees"]}[alice.email] == (
        "accepted"
    )


def test_answering_all_from_an_occurrence_with_guests_of_its_own_keeps_the_series_guests(
    app: AppHarness,
) -> None:
    alice = app.user()
    _weekly_invitation(alice)
    [series] = alice.google_events()
    guests = {a["email"] for a in series["attendees"]}
    instances = alice.google.get(f"/events/{series['id']}/instances").json()["items"]
    extra = [*instances[1]["attendees"], {"email": "dave@example.com"}]
    assert (
        alice.google.patch(f"/events/{instances[1]['id']}", json={"attendees": extra}).status_code
        == 200
    )
    assert sync(alice)["status"] == "succeeded"
    second = _occurrences(alice)[1]
    assert "dave@example.com" in second["attendees"]

    path = f"/api/calendar/events/{second['id']}?scope=all"
    assert alice.api.patch(path, json={"myResponse": "accepted"}).status_code == 200
    assert sync(alice)["status"] == "succeeded"
    [after] = [e for e in alice.google_events() if e["id"] == series["id"]]
    assert {a["email"] for a in after["attendees"]} == guests, "Dave is that week's only"
    assert {a["email"]: a["responseStatus"] for a in after["attendees"]}[alice.email] == (
        "accepted"
    )


def test_a_conflict_on_an_invitation_is_settled_without_changing_its_details(
    app: AppHarness,
) -> None:
    alice = app.user()
    event = invitation(alice, START, "Carol's review")
    path = f"/api/calendar/events/{event['id']}"
    carol = _contact(alice)
    dave = alice.api.post("/api/contacts", json={"name": "Dave"}).json()
    # Linked to Dave from another of her touchbase's clients, to Carol here from a stale page.
    linked = {"extendedProperties": {"private": {"touchbaseContactId": dave["id"]}}}
    assert alice.google.patch(f"/events/{event['googleEventId']}", json=linked).status_code == 200
    stale = alice.api.patch(
        path, json={"contactId": carol["id"]}, headers={"If-Match": event["etag"]}
    )
    assert stale.status_code == 409, stale.text

    by_hand = {"fields": {"contactId": "local"}, "values": {"title": "Mine now"}}
    refused = alice.api.post(f"{path}/conflict", json={"resolution": "merge", **by_hand})
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "CALENDAR_ORGANIZER_ONLY"
    assert [c["eventId"] for c in alice.api.get("/api/calendar/conflicts").json()["items"]] == [
        event["id"]
    ]
    settled = alice.api.post(f"{path}/conflict", json={"resolution": "keep_local"})
    assert settled.status_code == 200, settled.text
    assert (settled.json()["contactId"], settled.json()["title"]) == (carol["id"], "Carol's review")
    copy = _in_google(alice, event)
    assert copy["extendedProperties"]["private"]["touchbaseContactId"] == carol["id"]
    assert copy["summary"] == "Carol's review"


def _answers(user: ApiUser, event: dict[str, Any]) -> dict[str, str]:
    copy = _in_google(user, event)
    return {a["email"]: a["responseStatus"] for a in copy["attendees"]}


def test_the_user_answers_an_invitation_and_google_has_their_answer(app: AppHarness) -> None:
    alice = app.user()
    event = invitation(alice, START, "Carol's review")
    assert (event["myResponse"], event["myEmail"]) == ("needsAction", alice.email)
    path = f"/api/calendar/events/{event['id']}"
    for answer in ("accepted", "tentative", "declined"):
        answered = alice.api.patch(path, json={"myResponse": answer})
        assert answered.status_code == 200, answered.text
        assert (answered.json()["myResponse"], answered.json()["syncStatus"]) == (answer, "synced")
        assert _answers(alice, event) == {CAROL: "needsAction", alice.email: answer}
    assert alice.api.get(path).json()["declined"] is True

    own = alice.create(title="Alice's own", attendees=["dave@example.com"]).json()
    assert own["myResponse"] is None
    refused = alice.api.patch(f"/api/calendar/events/{own['id']}", json={"myResponse": "declined"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["details"]["field"] == "myResponse"
    wrong = alice.api.patch(path, json={"myResponse": "maybe"})
    assert wrong.status_code == 422, wrong.text


def test_an_answer_given_here_survives_a_change_google_made_meanwhile(app: AppHarness) -> None:
    alice = app.user()
    event = invitation(alice, START, "Carol's review")
    path = f"/api/calendar/events/{event['id']}"
    # Carol moves it to another room, and Dave answers, while Alice's answer waits to be sent.
    app.emulator.fault(path="/calendar/v3/.*", status=503, times=10_000)
    answered = alice.api.patch(path, json={"myResponse": "accepted"})
    assert answered.status_code == 200, answered.text
    assert answered.json()["syncStatus"] == "pending"
    app.emulator.http.delete(app.emulator.url + "/_emulator/faults")
    guests = [
        {"email": CAROL, "responseStatus": "accepted"},
        {"email": alice.email, "responseStatus": "needsAction"},
    ]
    moved = {"location": "Room 7", "attendees": guests}
    assert alice.google.patch(f"/events/{event['googleEventId']}", json=moved).status_code == 200

    assert sync(alice)["status"] == "succeeded"
    shown = alice.api.get(path).json()
    assert (shown["location"], shown["myResponse"], shown["syncStatus"]) == (
        "Room 7",
        "accepted",
        "synced",
    )
    assert _answers(alice, event) == {CAROL: "accepted", alice.email: "accepted"}


def _as_stored_before_organizers(app: AppHarness, *event_ids: str) -> None:
    """These events as a version before organizers were kept stored them, and the database
    then upgraded (its last migration run again)."""
    engine = sqlalchemy.create_engine(sync_url(app.database_url))
    try:
        with engine.begin() as connection:
            for event_id in event_ids:
                local = connection.execute(
                    sqlalchemy.text("SELECT local FROM events WHERE id = :id"), {"id": event_id}
                ).scalar_one()
                old = json.loads(local) if isinstance(local, str) else local
                for key in ("organizer", "organizerSelf", "guestsCanModify"):
                    old.pop(key)
                connection.execute(
                    sqlalchemy.text("UPDATE events SET local = :old, base = NULL WHERE id = :id"),
                    {"old": json.dumps(old), "id": event_id},
                )
    finally:
        engine.dispose()
    config = alembic_config(app.database_url)
    command.downgrade(config, "0025")
    command.upgrade(config, "head")


def test_events_stored_before_organizers_were_kept_learn_theirs(app: AppHarness) -> None:
    alice = app.user()
    event = invitation(alice, START, "Carol's review")
    own = alice.create(title="Own", startTime=START.isoformat(), endTime=END.isoformat()).json()
    _as_stored_before_organizers(app, event["id"], own["id"])
    path = f"/api/calendar/events/{event['id']}"
    assert alice.api.get(path).json()["organizerOnly"] is False, "as it was stored"

    # Changed in Google and here before the next sync: both changes are kept.
    gid = own["googleEventId"]
    assert alice.google.patch(f"/events/{gid}", json={"description": "From Google"}).is_success
    renamed = alice.api.patch(f"/api/calendar/events/{own['id']}", json={"title": "Own, renamed"})
    assert renamed.status_code == 200, renamed.text
    assert (alice.google.get(f"/events/{gid}").json()["summary"]) == "Own, renamed"

    assert sync(alice)["status"] == "succeeded"
    learned = alice.api.get(path).json()
    assert (learned["organizer"], learned["organizerOnly"]) == (CAROL, True)
    _refused(alice, path, {"title": "Renamed"})
    kept = alice.api.get(f"/api/calendar/events/{own['id']}").json()
    assert (kept["title"], kept["description"]) == ("Own, renamed", "From Google")
    assert kept["organizerOnly"] is False


def test_a_change_waiting_when_carol_locks_her_meeting_waits_for_the_user(app: AppHarness) -> None:
    alice = app.user()
    event = invitation(alice, START, "Open agenda", guestsCanModify=True)
    path = f"/api/calendar/events/{event['id']}"
    app.emulator.fault(method="PATCH", status=503, times=10_000)  # Google away a while
    waiting = alice.api.patch(path, json={"title": "Agenda v2"})
    assert (waiting.status_code, waiting.json()["syncStatus"]) == (200, "pending"), waiting.text
    # Meanwhile Carol stops her guests changing it (her change reaches Alice's copy).
    locked = {
        **meeting(START, "Open agenda", CAROL, alice.email),
        "iCalUID": _in_google(alice, event)["iCalUID"],
        "organizer": {"email": CAROL},
        "guestsCanModify": False,
    }
    assert alice.google.post("/events/import", json=locked).status_code == 200
    app.emulator.http.delete(f"{app.emulator.url}/_emulator/faults").raise_for_status()

    assert sync(alice)["status"] == "succeeded"
    after = alice.api.get(path).json()
    assert (after["syncStatus"], after["conflict"]["fields"]) == ("conflict", ["title"])
    assert _in_google(alice, event)["summary"] == "Open agenda", "her version stands"
    conflict = after["conflict"]
    assert (conflict["organizerOnly"], conflict["organizer"]) == (True, CAROL)
    assert conflict["resolutions"] == ["keep_remote", "merge"], "keeping one's own is no choice"
    mine = alice.api.post(f"{path}/conflict", json={"resolution": "keep_local"})
    assert mine.status_code == 400, mine.text
    settled = alice.api.post(f"{path}/conflict", json={"resolution": "keep_remote"})
    assert settled.status_code == 200, settled.text
    kept = settled.json()
    assert (kept["title"], kept["syncStatus"]) == ("Open agenda", "synced")
    assert kept["organizerOnly"] is True
