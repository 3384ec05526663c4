"""A contact's timeline: meetings found by their guests' emails (made here or in Google) or
linked, what was logged after them, and "last contacted"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from tests.support.app import ApiUser, AppHarness, run_in_thread
from tests.support.sync import sync
from touchbase.store.database import Database
from touchbase.store.models import Touchpoint


def _at(days: int, hour: int = 10) -> datetime:
    today = datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days)


def _meeting(user: ApiUser, title: str, days: int, **fields: Any) -> dict[str, Any]:
    return user.meeting(title, _at(days), **fields)


def _contact(user: ApiUser, name: str, *emails: str) -> dict[str, Any]:
    made = user.api.post("/api/contacts", json={"name": name, "emails": list(emails)})
    assert made.status_code == 201, made.text
    return dict(made.json())


def _timeline(user: ApiUser, contact: dict[str, Any]) -> dict[str, Any]:
    found = user.api.get(f"/api/contacts/{contact['id']}/timeline")
    assert found.status_code == 200, found.text
    return dict(found.json())


def _titles(items: list[dict[str, Any]]) -> list[str]:
    return [i["event"]["title"] if i["kind"] == "meeting" else i["outcome"] for i in items]


def test_meetings_join_a_contacts_timeline_by_any_of_their_emails(app: AppHarness) -> None:
    alice = app.user()
    dana = _contact(alice, "Dana Scully", "dana@acme.example", "dana@fbi.example")
    _meeting(alice, "Intro call", -20, attendees=["Dana@Acme.example"])
    _meeting(alice, "Follow-up", -3, attendees=["dana@fbi.example"])
    _meeting(alice, "Proposal review", 5, attendees=["dana@acme.example"])
    _meeting(alice, "Linked by hand", 9, contactId=dana["id"])
    _meeting(alice, "Someone else", -1, attendees=["eli@globex.example"])
    alice.google.post(
        "/events",
        json={
            "summary": "Made in Google",
            "start": {"dateTime": _at(-7).isoformat()},
            "end": {"dateTime": (_at(-7) + timedelta(hours=1)).isoformat()},
            "attendees": [{"email": "dana@acme.example"}, {"email": "alice@example.com"}],
        },
    )
    assert sync(alice)["status"] == "succeeded"
    timeline = _timeline(alice, dana)
    assert _titles(timeline["upcoming"]) == ["Proposal review", "Linked by hand"]
    assert _titles(timeline["past"]) == ["Follow-up", "Made in Google", "Intro call"]
    last = datetime.fromisoformat(timeline["lastContacted"])
    assert last == _at(-3) + timedelta(minutes=30)
    listed = alice.api.get("/api/contacts").json()["items"]
    assert listed[0]["lastContacted"] == timeline["lastContacted"]


def test_a_guest_removed_in_google_leaves_the_timeline(app: AppHarness) -> None:
    alice = app.user()
    dana = _contact(alice, "Dana Scully", "dana@acme.example")
    made = _meeting(alice, "Intro call", 4, attendees=["dana@acme.example"])
    assert _titles(_timeline(alice, dana)["upcoming"]) == ["Intro call"]
    alice.google.patch(f"/events/{made['googleEventId']}", json={"attendees": []})
    assert sync(alice)["status"] == "succeeded"
    assert _timeline(alice, dana)["upcoming"] == []
    email_added = alice.api.patch(
        f"/api/contacts/{dana['id']}", json={"emails": ["dana@acme.example", "d@x.example"]}
    )
    assert email_added.status_code == 200
    _meeting(alice, "Second call", 6, attendees=["d@x.example"])
    assert _titles(_timeline(alice, dana)["upcoming"]) == ["Second call"]


def test_a_meeting_a_contact_declined_is_no_meeting_with_them(app: AppHarness) -> None:
    alice = app.user()
    dana = _contact(alice, "Dana Scully", "dana@acme.example")
    eli = _contact(alice, "Eli Vance", "eli@globex.example")
    _meeting(alice, "Intro call", -10, attendees=["dana@acme.example"])
    guests = [{"email": "dana@acme.example"}, {"email": "eli@globex.example"}]
    demo = _meeting(alice, "Demo", -2, attendees=[g["email"] for g in guests])
    made_in_google = alice.google.post(
        "/events",
        json={
            "summary": "Offsite",
            "start": {"dateTime": _at(-1).isoformat()},
            "end": {"dateTime": (_at(-1) + timedelta(hours=1)).isoformat()},
            "attendees": [{"email": "dana@acme.example", "responseStatus": "declined"}],
        },
    )
    assert made_in_google.status_code == 200, made_in_google.text
    # Dana declines the demo too (an answer that reaches touchbase by the sync); Eli comes.
    answered = [{**guests[0], "responseStatus": "declined"}, guests[1]]
    changed = alice.google.patch(f"/events/{demo['googleEventId']}", json={"attendees": answered})
    assert changed.status_code == 200, changed.text
    assert sync(alice)["status"] == "succeeded"
    timeline = _timeline(alice, dana)
    assert _titles(timeline["past"]) == ["Intro call"]
    assert datetime.fromisoformat(timeline["lastContacted"]) == _at(-10) + timedelta(minutes=30)
    assert _last_contacted(alice, dana) == timeline["lastContacted"]
    assert _titles(_timeline(alice, eli)["past"]) == ["Demo"]
    # Accepted after all: the demo is a meeting with her again.
    changed = alice.google.patch(
        f"/events/{demo['googleEventId']}",
        json={"attendees": [{**guests[0], "responseStatus": "accepted"}, guests[1]]},
    )
    assert changed.status_code == 200, changed.text
    assert sync(alice)["status"] == "succeeded"
    assert _titles(_timeline(alice, dana)["past"]) == ["Demo", "Intro call"]


def test_an_invitation_the_user_declined_is_no_meeting_with_anyone(app: AppHarness) -> None:
    alice = app.user()
    dana = _contact(alice, "Dana Scully", "dana@acme.example")
    _meeting(alice, "Intro call", -10, attendees=["dana@acme.example"])

    def invitation(key: str, days: int, alices_answer: str) -> dict[str, Any]:
        return {  # Dana's invitation, as it stands in Alice's calendar
            "_raw": True,
            "id": key,
            "summary": key,
            "start": {"dateTime": _at(days).isoformat()},
            "end": {"dateTime": (_at(days) + timedelta(hours=1)).isoformat()},
            "organizer": {"email": "dana@acme.example"},
            "attendees": [
                {"email": "dana@acme.example", "organizer": True, "responseStatus": "accepted"},
                {"email": alice.email, "self": True, "responseStatus": alices_answer},
            ],
        }

    declined, accepted = (
        invitation("declined0001", -2, "declined"),
        invitation("later00001", 3, "accepted"),
    )
    app.emulator.seed({"users": [{"email": alice.email, "events": [declined, accepted]}]})
    assert sync(alice)["status"] == "succeeded"
    timeline = _timeline(alice, dana)
    assert _titles(timeline["past"]) == ["Intro call"]
    assert _titles(timeline["upcoming"]) == ["later00001"]
    assert datetime.fromisoformat(timeline["lastContacted"]) == _at(-10) + timedelta(minutes=30)
    assert _last_contacted(alice, dana) == timeline["lastContacted"]


def test_a_weekly_meeting_counts_its_last_occurrence_as_the_last_contact(
    app: AppHarness,
) -> None:
    alice = app.user()
    dana = _contact(alice, "Dana Scully", "dana@acme.example")
    _meeting(
        alice,
        "Weekly sync",
        -15,
        attendees=["dana@acme.example"],
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=6"],
        timeZone="UTC",
    )
    timeline = _timeline(alice, dana)
    assert _titles(timeline["past"]) == ["Weekly sync"] * 3
    assert len(timeline["upcoming"]) == 3
    expected = _at(-1) + timedelta(minutes=30)
    assert datetime.fromisoformat(timeline["lastContacted"]) == expected
    listed = alice.api.get("/api/contacts").json()["items"][0]
    assert datetime.fromisoformat(listed["lastContacted"]) == expected


def test_logged_outcomes_and_notes_are_on_the_timeline(app: AppHarness) -> None:
    alice = app.user()
    dana = _contact(alice, "Dana Scully", "dana@acme.example")
    held = _meeting(alice, "Intro call", -10, attendees=["dana@acme.example"])
    missed = _meeting(alice, "Demo", -2, attendees=["dana@acme.example"])
    path = f"/api/contacts/{dana['id']}/interactions"
    logged = alice.api.post(
        path, json={"outcome": "held", "notes": "Budget in Q2.", "eventId": held["id"]}
    )
    assert logged.status_code == 201, logged.text
    assert (
        alice.api.post(path, json={"outcome": "no_show", "eventId": missed["id"]}).status_code
        == 201
    )
    timeline = _timeline(alice, dana)
    demo, intro = timeline["past"]
    assert (demo["held"], [i["outcome"] for i in demo["logged"]]) == (False, ["no_show"])
    assert [i["notes"] for i in intro["logged"]] == ["Budget in Q2."]
    # The no-show is not a contact: the intro call is the last one.
    assert datetime.fromisoformat(timeline["lastContacted"]) == _at(-10) + timedelta(minutes=30)
    listed = alice.api.get("/api/contacts").json()["items"][0]
    assert listed["lastContacted"] == timeline["lastContacted"]
    call = {"outcome": "note", "notes": "Called her.", "occurredAt": _at(-1).isoformat()}
    assert alice.api.post(path, json=call).status_code == 201
    timeline = _timeline(alice, dana)
    assert _titles(timeline["past"]) == ["note", "Demo", "Intro call"]
    assert datetime.fromisoformat(timeline["lastContacted"]) == _at(-1)


def _last_contacted(user: ApiUser, contact: dict[str, Any]) -> str | None:
    """What the timeline, the contact and the list say of the last contact (all the same)."""
    said = {
        _timeline(user, contact)["lastContacted"],
        user.api.get(f"/api/contacts/{contact['id']}").json()["lastContacted"],
        user.api.get("/api/contacts", params={"q": contact["name"]}).json()["items"][0][
            "lastContacted"
        ],
    }
    assert len(said) == 1, said
    return None if None in said else min(str(s) for s in said)


def _completed_at(database_url: str, touchpoint_id: str, when: datetime) -> None:
    """What a touchpoint marked done at `when` leaves (the API marks it done now)."""

    async def write() -> None:
        database = Database(database_url)
        try:
            async with database.session() as session:
                await session.execute(
                    update(Touchpoint)
                    .where(Touchpoint.id == touchpoint_id)
                    .values(completed_at=when)
                )
        finally:
            await database.dispose()

    run_in_thread(write())


def test_a_touchpoints_event_is_a_contact_only_once_the_touchpoint_is_done(
    app: AppHarness,
) -> None:
    alice = app.user()
    dana = _contact(alice, "Dana Scully", "dana@acme.example")
    intro = _meeting(alice, "Intro call", -10, attendees=["dana@acme.example"])
    intro_end = _at(-10) + timedelta(minutes=30)

    def planned(days: int, hour: int = 10) -> dict[str, Any]:
        body = {"contactId": dana["id"], "dueAt": _at(days, hour).isoformat()}
        made = alice.api.post("/api/touchpoints", json=body)
        assert made.status_code == 201, made.text
        return dict(made.json())

    def held(touchpoint: dict[str, Any]) -> bool:
        [meeting] = [
            m for m in _timeline(alice, dana)["past"] if m["event"]["id"] == touchpoint["eventId"]
        ]
        return bool(meeting["held"])

    overdue = planned(-3)  # its time went by, and nobody got in touch
    assert not held(overdue)
    assert datetime.fromisoformat(str(_last_contacted(alice, dana))) == intro_end
    for status in ("skipped", "missed"):
        changed = alice.api.patch(f"/api/touchpoints/{overdue['id']}", json={"status": status})
        assert changed.status_code == 200, changed.text
        assert not held(overdue)
        assert datetime.fromisoformat(str(_last_contacted(alice, dana))) == intro_end

    done = planned(-2)
    changed = alice.api.patch(f"/api/touchpoints/{done['id']}", json={"status": "done"})
    assert changed.status_code == 200, changed.text
    assert held(done)
    assert datetime.fromisoformat(str(_last_contacted(alice, dana))) == _at(-2) + timedelta(
        minutes=30
    )

    # Done before its event began, the contact happened otherwise: the event is no meeting.
    early = planned(-1, hour=15)
    changed = alice.api.patch(f"/api/touchpoints/{early['id']}", json={"status": "done"})
    assert changed.status_code == 200, changed.text
    assert held(early)  # done after it began
    _completed_at(app.database_url, early["id"], _at(-2, 9))
    assert not held(early)
    assert datetime.fromisoformat(str(_last_contacted(alice, dana))) == _at(-2) + timedelta(
        minutes=30
    )

    # A meeting logged on a touchpoint's event counts, whatever the touchpoint says.
    logged = planned(-1)
    path = f"/api/contacts/{dana['id']}/interactions"
    body = {"outcome": "held", "eventId": logged["eventId"], "occurredAt": _at(-1).isoformat()}
    assert alice.api.post(path, json=body).status_code == 201
    assert held(logged)
    assert datetime.fromisoformat(str(_last_contacted(alice, dana))) == _at(-1) + timedelta(
        minutes=30
    )
    assert intro["id"] not in {overdue["eventId"], done["eventId"], logged["eventId"]}


def test_nobody_elses_meetings_contacts_or_interactions(app: AppHarness) -> None:
    alice = app.user()
    bob = app.user("bob@example.com")
    dana = _contact(alice, "Dana Scully", "dana@acme.example")
    bobs_dana = _contact(bob, "Dana (Bob's)", "dana@acme.example")
    _meeting(bob, "Bob's call", -2, attendees=["dana@acme.example"])
    bobs_meeting = _meeting(bob, "Bob's next call", 2, attendees=["dana@acme.example"])
    assert _timeline(alice, dana) == {"lastContacted": None, "upcoming": [], "past": []}
    assert alice.api.get(f"/api/contacts/{bobs_dana['id']}/timeline").status_code == 404
    path = f"/api/contacts/{dana['id']}/interactions"
    foreign = alice.api.post(path, json={"outcome": "held", "eventId": bobs_meeting["id"]})
    assert (foreign.status_code, foreign.json()["error"]["details"]["field"]) == (422, "eventId")
    bad = alice.api.post(path, json={"outcome": "maybe"})
    assert bad.status_code == 422
    assert "outcome" in bad.text
    to_bob = alice.api.post(
        f"/api/contacts/{bobs_dana['id']}/interactions", json={"outcome": "note"}
    )
    assert to_bob.status_code == 404


def _listed(user: ApiUser, **params: Any) -> list[str]:
    found = user.api.get("/api/contacts", params=params)
    assert found.status_code == 200, found.text
    return [c["name"] for c in found.json()["items"]]


def test_the_list_pages_by_last_contacted_and_by_next_touchpoint(app: AppHarness) -> None:
    """Each page of a list sorted by last contact (never first) or by next touchpoint (none
    last) is the right slice of the whole order, with or without a search, and carries its
    contacts' dates."""
    alice = app.user()
    ana = _contact(alice, "Ana Acme", "ana@acme.example")
    ben = _contact(alice, "Ben Acme", "ben@acme.example")
    cy = _contact(alice, "Cy Other", "cy@other.example")
    dee = _contact(alice, "Dee Other", "dee@other.example")
    _meeting(alice, "Intro", -5, attendees=["ana@acme.example"])
    _meeting(alice, "Old intro", -20, attendees=["dee@other.example"])
    note = {"outcome": "note", "occurredAt": _at(-1).isoformat()}
    assert alice.api.post(f"/api/contacts/{ben['id']}/interactions", json=note).status_code == 201
    for contact, days in ((ben, 3), (dee, 1)):
        due = (_at(days).date()).isoformat()
        planned = alice.api.post(
            "/api/touchpoints", json={"contactId": contact["id"], "dueDate": due}
        )
        assert planned.status_code == 201, planned.text

    by_contact = {"sort": "last_contacted"}
    assert _listed(alice, **by_contact) == ["Cy Other", "Dee Other", "Ana Acme", "Ben Acme"]
    assert _listed(alice, **by_contact, limit=2) == ["Cy Other", "Dee Other"]
    assert _listed(alice, **by_contact, limit=2, offset=2) == ["Ana Acme", "Ben Acme"]
    assert _listed(alice, **by_contact, q="acme", limit=1, offset=1) == ["Ben Acme"]
    [listed] = alice.api.get(
        "/api/contacts", params={**by_contact, "limit": 1, "offset": 2}
    ).json()["items"]
    assert listed["id"] == ana["id"]
    assert datetime.fromisoformat(listed["lastContacted"]) == _at(-5) + timedelta(minutes=30)

    by_touchpoint = {"sort": "next_touchpoint"}
    assert _listed(alice, **by_touchpoint) == ["Dee Other", "Ben Acme", "Ana Acme", "Cy Other"]
    assert _listed(alice, **by_touchpoint, limit=2, offset=1) == ["Ben Acme", "Ana Acme"]
    assert _listed(alice, **by_touchpoint, q="other") == ["Dee Other", "Cy Other"]
    [first] = alice.api.get("/api/contacts", params={**by_touchpoint, "limit": 1}).json()["items"]
    assert (first["id"], first["nextTouchpoint"]["dueDate"]) == (
        dee["id"],
        _at(1).date().isoformat(),
    )
    assert cy["id"] not in [
        t["contactId"] for t in alice.api.get("/api/touchpoints").json()["items"]
    ]


def test_a_search_matching_tens_of_thousands_sorts_by_last_contact_and_next_touchpoint(
    app: AppHarness,
) -> None:
    """A search that matches more contacts than a statement may bind values (PostgreSQL:
    65,535; SQLite as most builds are compiled: 32,766) still sorts, and was a 500: the keys
    are then read for all the user's contacts, not for a list of the matches' ids."""
    alice = app.user()
    count = 66_000
    rows = [f"Match {n:05d},m{n}@bulk.example" for n in range(count)]
    for start in range(0, count, 5000):
        content = "name,email\n" + "\n".join(rows[start : start + 5000])
        done = alice.api.post("/api/contacts/import", json={"format": "csv", "content": content})
        assert done.status_code == 201, done.text
    other = _contact(alice, "Zed Other", "zed@other.example")
    _meeting(alice, "Intro", -5, attendees=["m1@bulk.example"])
    due = _at(3).date().isoformat()
    planned = alice.api.post("/api/touchpoints", json={"contactId": other["id"], "dueDate": due})
    assert planned.status_code == 201, planned.text
    planned = alice.api.post(
        "/api/touchpoints",
        json={"contactId": _listed_ids(alice, q="match 00002")[0], "dueDate": due},
    )
    assert planned.status_code == 201, planned.text

    by_contact = {"sort": "last_contacted", "q": "match"}
    assert _listed(alice, **by_contact, limit=2) == ["Match 00000", "Match 00002"]
    assert _listed(alice, **by_contact, limit=1, offset=count - 1) == ["Match 00001"]
    by_touchpoint = {"sort": "next_touchpoint", "q": "match"}
    assert _listed(alice, **by_touchpoint, limit=2) == ["Match 00002", "Match 00000"]


def _listed_ids(user: ApiUser, **params: Any) -> list[str]:
    found = user.api.get("/api/contacts", params=params)
    assert found.status_code == 200, found.text
    return [c["id"] for c in found.json()["items"]]
