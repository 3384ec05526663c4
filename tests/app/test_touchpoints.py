"""Touchpoints through the API: each makes its calendar event exactly once (at its time, or
the first free slot of the working hours), follows it both ways, and the cadence plans the
next one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.support.app import ApiUser, AppHarness
from tests.support.sync import sync


def _today() -> date:
    """Today in UTC, when asked (the suite may cross midnight)."""
    return datetime.now(UTC).date()


def _day(days: int) -> date:
    return _today() + timedelta(days=days)


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(_day(days), datetime.min.time(), tzinfo=UTC).replace(
        hour=hour, minute=minute
    )


def _working(day: date) -> date:
    """The first working day (Monday to Friday, the default) from `day`."""
    return day + timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def _contact(user: ApiUser, name: str = "Dana Scully", **fields: Any) -> dict[str, Any]:
    made = user.api.post("/api/contacts", json={"name": name, **fields})
    assert made.status_code == 201, made.text
    return dict(made.json())


def _plan(user: ApiUser, contact: dict[str, Any], **fields: Any) -> dict[str, Any]:
    made = user.api.post("/api/touchpoints", json={"contactId": contact["id"], **fields})
    assert made.status_code == 201, made.text
    return dict(made.json())


def _busy(user: ApiUser, start: datetime, minutes: int) -> None:
    end = start + timedelta(minutes=minutes)
    made = user.create(title="Busy", startTime=start.isoformat(), endTime=end.isoformat())
    assert made.status_code == 201, made.text


def _in_google(user: ApiUser, touchpoint: dict[str, Any]) -> list[dict[str, Any]]:
    """The live events in Google that carry this touchpoint's id."""
    return [
        e
        for e in user.google_events()
        if e.get("status") != "cancelled"
        and e.get("extendedProperties", {}).get("private", {}).get("touchbaseTouchpointId")
        == touchpoint["id"]
    ]


def _get(user: ApiUser, touchpoint: dict[str, Any]) -> dict[str, Any]:
    return dict(user.api.get(f"/api/touchpoints/{touchpoint['id']}").json())


def test_a_day_only_touchpoint_takes_the_first_free_slot_once(app: AppHarness) -> None:
    alice = app.user()
    dana = _contact(alice)
    _busy(alice, _at(3, 9), 60)
    _busy(alice, _at(3, 10), 20)
    _busy(alice, _at(3, 11), 60)
    body = {"contactId": dana["id"], "dueDate": _day(3).isoformat(), "message": "Ask about Q2"}
    key = {"Idempotency-Key": "plan-dana-1"}
    first = alice.api.post("/api/touchpoints", json=body, headers=key)
    again = alice.api.post("/api/touchpoints", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201), first.text
    touchpoint = first.json()
    assert again.json()["id"] == touchpoint["id"]
    assert touchpoint["dueAt"] == _at(3, 10, 30).isoformat(), "after 10:20, on the quarter hour"
    assert (touchpoint["status"], touchpoint["anyTime"], touchpoint["needsDate"]) == (
        "planned",
        True,
        False,
    )
    [event] = _in_google(alice, touchpoint)
    assert event["start"]["dateTime"].startswith(_day(3).isoformat() + "T10:30:00")
    assert event["description"] == "Ask about Q2"
    listed = alice.api.get(f"/api/calendar/events/{touchpoint['eventId']}").json()
    assert (listed["contactId"], listed["touchpointId"]) == (dana["id"], touchpoint["id"])


def test_a_day_only_touchpoint_goes_where_the_contacts_working_day_meets_the_users(
    app: AppHarness,
) -> None:
    """Alice's hours are 09:00-17:00 in her calendar's zone (UTC here); Dana is in New York,
    where 09:00 UTC is 04:00 or 05:00: the call goes to Dana's 09:00, planned or moved."""
    alice = app.user()
    dana = _contact(alice, timeZone="America/New_York")
    day = _working(_day(3))
    touchpoint = _plan(alice, dana, dueDate=day.isoformat())
    assert datetime.fromisoformat(touchpoint["dueAt"]) == _nine_in_new_york(day)
    [event] = _in_google(alice, touchpoint)
    assert datetime.fromisoformat(event["start"]["dateTime"]) == _nine_in_new_york(day)
    later = _working(day + timedelta(days=1))
    moved = alice.api.patch(
        f"/api/touchpoints/{touchpoint['id']}",
        json={"dueDate": later.isoformat()},
        headers={"If-Match": touchpoint["etag"]},
    )
    assert moved.status_code == 200, moved.text
    assert datetime.fromisoformat(moved.json()["dueAt"]) == _nine_in_new_york(later)
    ann = _contact(alice, "Ann Perkins")  # no zone: Alice's first free slot
    assert (
        _plan(alice, ann, dueDate=day.isoformat())["dueAt"]
        == _at((day - _today()).days, 9).isoformat()
    )


def _nine_in_new_york(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo("America/New_York")).replace(
        hour=9
    )


def test_an_invitation_the_user_declined_leaves_its_time_free(app: AppHarness) -> None:
    alice = app.user()
    dana = _contact(alice)
    declined = {
        "_raw": True,
        "id": "declined0001",
        "summary": "Vendor webinar",
        "start": {"dateTime": _at(3, 9).isoformat()},
        "end": {"dateTime": _at(3, 10).isoformat()},
        "organizer": {"email": "vendor@x.example"},
        "attendees": [{"email": alice.email, "self": True, "responseStatus": "declined"}],
    }
    app.emulator.seed({"users": [{"email": alice.email, "events": [declined]}]})
    assert sync(alice)["status"] == "succeeded"
    touchpoint = _plan(alice, dana, dueDate=_day(3).isoformat())
    assert touchpoint["dueAt"] == _at(3, 9).isoformat()


def test_an_event_shown_as_free_leaves_its_time_free(app: AppHarness) -> None:
    alice = app.user()
    dana = _contact(alice)
    _busy(alice, _at(3, 9), 60)
    free = alice.google.post(
        "/events",
        json={
            "summary": "Lunch, if nothing else comes up",
            "start": {"dateTime": _at(3, 10).isoformat()},
            "end": {"dateTime": _at(3, 11).isoformat()},
            "transparency": "transparent",
        },
    )
    assert free.status_code == 200, free.text
    assert sync(alice)["status"] == "succeeded"
    touchpoint = _plan(alice, dana, dueDate=_day(3).isoformat())
    assert touchpoint["dueAt"] == _at(3, 10).isoformat()


def test_a_working_location_leaves_its_time_free(app: AppHarness) -> None:
    """Google's "working from the office, 9 to 5" says where the user is, not that they are
    busy: a touchpoint still takes 9:00."""
    alice = app.user()
    dana = _contact(alice)
    office = alice.google.post(
        "/events",
        json={
            "summary": "Office",
            "eventType": "workingLocation",
            "start": {"dateTime": _at(3, 9).isoformat()},
            "end": {"dateTime": _at(3, 17).isoformat()},
        },
    )
    assert office.status_code == 200, office.text
    assert sync(alice)["status"] == "succeeded"
    touchpoint = _plan(alice, dana, dueDate=_day(3).isoformat())
    assert touchpoint["dueAt"] == _at(3, 9).isoformat()


def test_a_full_day_makes_an_all_day_event_and_a_timed_one_keeps_its_time(
    app: AppHarness,
) -> None:
    alice = app.user()
    dana = _contact(alice)
    _busy(alice, _at(2, 9), 8 * 60)
    full = _plan(alice, dana, dueDate=_day(2).isoformat())
    [event] = _in_google(alice, full)
    assert event["start"] == {"date": _day(2).isoformat()}
    timed = _plan(alice, dana, dueAt=_at(2, 12).isoformat(), durationMinutes=45)
    [event] = _in_google(alice, timed)
    start = datetime.fromisoformat(event["start"]["dateTime"])
    end = datetime.fromisoformat(event["end"]["dateTime"])
    assert (start, end - start) == (_at(2, 12), timedelta(minutes=45))


def test_the_touchpoint_follows_its_event_moved_or_deleted_in_google(app: AppHarness) -> None:
    alice = app.user()
    dana = _contact(alice)
    touchpoint = _plan(alice, dana, dueAt=_at(4, 14).isoformat())
    [event] = _in_google(alice, touchpoint)
    moved = {"dateTime": _at(6, 16).isoformat()}
    until = {"dateTime": (_at(6, 16) + timedelta(minutes=30)).isoformat()}
    alice.google.patch(f"/events/{event['id']}", json={"start": moved, "end": until})
    assert sync(alice)["status"] == "succeeded"
    after = _get(alice, touchpoint)
    assert (after["dueDate"], after["dueAt"]) == (_day(6).isoformat(), _at(6, 16).isoformat())
    alice.google.delete(f"/events/{event['id']}")
    assert sync(alice)["status"] == "succeeded"
    after = _get(alice, touchpoint)
    assert (after["status"], after["needsDate"], after["eventId"]) == ("planned", True, None)
    due = alice.api.get("/api/touchpoints/due").json()
    assert [t["id"] for t in due["needsDate"]] == [touchpoint["id"]]
    assert _in_google(alice, touchpoint) == [], "not silently made again"
    again = alice.api.patch(
        f"/api/touchpoints/{touchpoint['id']}", json={"dueDate": _day(8).isoformat()}
    )
    assert again.status_code == 200, again.text
    assert again.json()["needsDate"] is False
    [remade] = _in_google(alice, touchpoint)
    assert remade["id"] != event["id"]
    assert remade["start"]["dateTime"].startswith(_day(8).isoformat() + "T09:00:00")


def test_rescheduling_here_moves_the_event(app: AppHarness) -> None:
    alice = app.user()
    dana = _contact(alice)
    touchpoint = _plan(alice, dana, dueDate=_day(5).isoformat())
    [event] = _in_google(alice, touchpoint)
    path = f"/api/touchpoints/{touchpoint['id']}"
    moved = alice.api.patch(
        path, json={"dueAt": _at(5, 15).isoformat()}, headers={"If-Match": touchpoint["etag"]}
    )
    assert moved.status_code == 200, moved.text
    [after] = _in_google(alice, touchpoint)
    assert after["id"] == event["id"]
    assert datetime.fromisoformat(after["start"]["dateTime"]) == _at(5, 15)
    stale = alice.api.patch(path, json={"message": "x"}, headers={"If-Match": touchpoint["etag"]})
    assert stale.status_code == 412


def test_done_plans_the_next_by_cadence_and_skip_deletes_the_event(app: AppHarness) -> None:
    alice = app.user()
    dana = _contact(alice, cadence={"every": 2, "unit": "week"})
    first = _plan(alice, dana, dueAt=_at(0, 8).isoformat())
    done = alice.api.patch(f"/api/touchpoints/{first['id']}", json={"status": "done"})
    assert (done.status_code, done.json()["status"]) == (200, "done"), done.text
    assert len(_in_google(alice, first)) == 1, "the meeting that happened stays"
    planned = alice.api.get(
        "/api/touchpoints", params={"contactId": dana["id"], "status": "planned"}
    ).json()["items"]
    [following] = planned
    second = _working(_day(14))
    assert (following["dueDate"], following["origin"]) == (second.isoformat(), "cadence")
    assert len(_in_google(alice, following)) == 1
    skipped = alice.api.patch(f"/api/touchpoints/{following['id']}", json={"status": "skipped"})
    assert skipped.status_code == 200, skipped.text
    assert _in_google(alice, following) == []
    [third] = alice.api.get(
        "/api/touchpoints", params={"contactId": dana["id"], "status": "planned"}
    ).json()["items"]
    assert third["dueDate"] == _working(second + timedelta(days=14)).isoformat()
    contact = alice.api.get(f"/api/contacts/{dana['id']}").json()
    assert contact["nextTouchpoint"]["id"] == third["id"]


def test_deleting_a_touchpoint_deletes_its_event(app: AppHarness) -> None:
    alice = app.user()
    dana = _contact(alice)
    touchpoint = _plan(alice, dana, dueDate=_day(3).isoformat())
    assert len(_in_google(alice, touchpoint)) == 1
    assert alice.api.delete(f"/api/touchpoints/{touchpoint['id']}").status_code == 204
    assert _in_google(alice, touchpoint) == []
    assert alice.api.get(f"/api/touchpoints/{touchpoint['id']}").status_code == 404


def test_the_due_view_groups_overdue_today_and_this_week(app: AppHarness) -> None:
    alice = app.user()
    dana = _contact(alice)
    eli = _contact(alice, "Eli Vance")
    late = _plan(alice, dana, dueAt=(datetime.now(UTC) - timedelta(days=2)).isoformat())
    now_ish = datetime.now(UTC) + timedelta(minutes=5)
    soon = _plan(alice, eli, dueDate=_day(4).isoformat())
    later = _plan(alice, eli, dueDate=_day(20).isoformat())
    due = alice.api.get("/api/touchpoints/due").json()
    assert [t["id"] for t in due["overdue"]] == [late["id"]]
    assert [t["id"] for t in due["thisWeek"]] == [soon["id"]]
    assert later["id"] not in str(due)
    if now_ish.date() == _today():  # not across midnight
        today = _plan(alice, dana, dueAt=now_ish.isoformat())
        due = alice.api.get("/api/touchpoints/due").json()
        assert [t["id"] for t in due["today"]] == [today["id"]]


def test_a_contacts_next_touchpoint_date_plans_moves_and_clears(app: AppHarness) -> None:
    alice = app.user()
    dana = _contact(alice)
    path = f"/api/contacts/{dana['id']}"
    planned = alice.api.patch(path, json={"nextTouchpointDate": _day(6).isoformat()})
    assert planned.status_code == 200, planned.text
    first = planned.json()["nextTouchpoint"]
    assert first["dueDate"] == _day(6).isoformat()
    moved = alice.api.patch(path, json={"nextTouchpointDate": _at(7, 13).isoformat()})
    second = moved.json()["nextTouchpoint"]
    assert (second["id"], second["dueAt"]) == (first["id"], _at(7, 13).isoformat())
    assert len(_in_google(alice, second)) == 1
    cleared = alice.api.patch(path, json={"nextTouchpointDate": None})
    assert cleared.json()["nextTouchpoint"] is None
    assert _in_google(alice, second) == []


def test_planning_many_at_once_batches_google_calls_all_or_none(app: AppHarness) -> None:
    alice = app.user()
    people = [_contact(alice, f"Person {n}") for n in range(120)]
    days = [_day(2 + n % 8).isoformat() for n in range(120)]  # 15 a day: each has a slot
    items = [{"contactId": p["id"], "dueDate": d} for p, d in zip(people, days, strict=True)]
    broken = [*items[:5], {**items[5], "durationMinutes": 1}]
    refused = alice.api.post("/api/touchpoints/batch", json={"items": broken})
    assert refused.status_code == 422
    assert alice.api.get("/api/touchpoints").json()["items"] == []
    made = alice.api.post("/api/touchpoints/batch", json={"items": items})
    assert made.status_code == 201, made.text
    body = made.json()
    assert len(body["items"]) == 120
    assert body["googleRequests"] <= 120 // 50 + 2
    starts = [(t["dueDate"], t["dueAt"]) for t in body["items"]]
    assert len(set(starts)) == 120, "each in a slot of its own"
    tagged = [
        e
        for e in alice.google_events()
        if e.get("extendedProperties", {}).get("private", {}).get("touchbaseTouchpointId")
    ]
    assert len(tagged) == 120


def test_a_batch_with_a_timed_touchpoint_still_sees_the_days_meetings(app: AppHarness) -> None:
    alice = app.user()
    dana, eli = _contact(alice), _contact(alice, "Eli Wallace")
    _busy(alice, _at(4, 9), 60)
    items = [
        {"contactId": dana["id"], "dueAt": _at(4, 15).isoformat()},
        {"contactId": eli["id"], "dueDate": _day(4).isoformat()},
    ]
    made = alice.api.post("/api/touchpoints/batch", json={"items": items})
    assert made.status_code == 201, made.text
    timed, day_only = made.json()["items"]
    assert timed["dueAt"] == _at(4, 15).isoformat()
    # The first free slot after the meeting at 9:00 (the timed one, placed first, was the only
    # thing known of the day: the day's events were never read).
    assert day_only["dueAt"] == _at(4, 10).isoformat()


def test_nobody_elses_touchpoints_or_contacts(app: AppHarness) -> None:
    alice = app.user()
    bob = app.user("bob@example.com")
    bobs = _contact(bob, "Bob's contact")
    theirs = _plan(bob, bobs, dueDate=_day(3).isoformat())
    assert alice.api.get(f"/api/touchpoints/{theirs['id']}").status_code == 404
    patch = alice.api.patch(f"/api/touchpoints/{theirs['id']}", json={"status": "done"})
    assert patch.status_code == 404
    assert alice.api.delete(f"/api/touchpoints/{theirs['id']}").status_code == 404
    planned = alice.api.post(
        "/api/touchpoints", json={"contactId": bobs["id"], "dueDate": _day(3).isoformat()}
    )
    assert (planned.status_code, planned.json()["error"]["details"]["field"]) == (422, "contactId")
    mine = {"contactId": _contact(alice, "Alice's contact")["id"], "dueDate": _day(3).isoformat()}
    batch = alice.api.post(
        "/api/touchpoints/batch", json={"items": [mine, {**mine, "contactId": bobs["id"]}]}
    )
    assert (batch.status_code, batch.json()["error"]["details"]["field"]) == (
        422,
        "items[1].contactId",
    )
    assert alice.api.get("/api/touchpoints").json()["items"] == []
    assert [t["contactName"] for t in bob.api.get("/api/touchpoints").json()["items"]] == [
        "Bob's contact"
    ]
    no_day = alice.api.post("/api/touchpoints", json={"contactId": _contact(alice)["id"]})
    assert (no_day.status_code, no_day.json()["error"]["details"]["field"]) == (422, "dueDate")


def test_working_hours_place_day_only_touchpoints_and_cadences_skip_days_off(
    app: AppHarness,
) -> None:
    alice = app.user()
    assert alice.api.get("/api/settings").json()["workingHours"] == {
        "start": "09:00",
        "end": "17:00",
        "days": [0, 1, 2, 3, 4],
    }
    for hours, field in [
        ({"start": "18:00", "end": "08:00"}, "workingHours.end"),
        ({"start": "9am", "end": "17:00"}, "workingHours.start"),
        ({"start": "09:00", "end": "17:00", "days": []}, "workingHours.days"),
        ({"start": "09:00", "end": "17:00", "days": [7]}, "workingHours.days"),
    ]:
        refused = alice.api.patch("/api/settings", json={"workingHours": hours})
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["details"]["field"] == field
    saturday = _day(1) + timedelta(days=(5 - _day(1).weekday()) % 7)
    changed = alice.api.patch(
        "/api/settings",
        json={"workingHours": {"start": "13:30", "end": "18:00", "days": [0, 1, 2, 3]}},
    )
    assert changed.status_code == 200, changed.text
    dana = _contact(alice)
    planned = _plan(alice, dana, dueDate=saturday.isoformat())  # a day given is kept
    cadence = {"cadence": {"every": 1, "unit": "day"}}
    assert alice.api.patch(f"/api/contacts/{dana['id']}", json=cadence).status_code == 200
    assert _get(alice, planned)["dueDate"] == saturday.isoformat(), "planned by hand: kept"
    assert (
        planned["dueAt"]
        == datetime.combine(saturday, datetime.min.time(), UTC)
        .replace(hour=13, minute=30)
        .isoformat()
    )
    alice.api.patch(f"/api/touchpoints/{planned['id']}", json={"status": "skipped"})
    [following] = alice.api.get(
        "/api/touchpoints", params={"contactId": dana["id"], "status": "planned"}
    ).json()["items"]
    assert following["dueDate"] == (saturday + timedelta(days=2)).isoformat(), "Monday"
    audit = alice.api.get("/api/audit").json()["items"]
    assert any(entry["action"] == "settings_update" for entry in audit)


def test_working_hours_and_days_are_in_the_users_own_zone(app: AppHarness) -> None:
    """A user whose calendar is in UTC but who set the pages to Los Angeles: 9 to 5 is
    9 to 5 in Los Angeles, and a touchpoint at 2 AM UTC is due the day before there."""
    alice = app.user()
    los_angeles = ZoneInfo("America/Los_Angeles")
    set_zone = alice.api.patch("/api/settings", json={"timeZone": "America/Los_Angeles"})
    assert set_zone.status_code == 200, set_zone.text
    dana = _contact(alice)
    day = _working(_day(3))

    planned = _plan(alice, dana, dueDate=day.isoformat())
    nine = datetime.combine(day, datetime.min.time(), tzinfo=los_angeles).replace(hour=9)
    assert planned["dueAt"] == nine.astimezone(UTC).isoformat()
    late = _plan(alice, _contact(alice, "Eli Vance"), dueAt=_at(5, 2).isoformat())
    assert late["dueDate"] == _day(4).isoformat()
    assert _get(alice, late)["dueDate"] == _day(4).isoformat()


def _planned(user: ApiUser, contact: dict[str, Any]) -> list[dict[str, Any]]:
    found = user.api.get(
        "/api/touchpoints", params={"contactId": contact["id"], "status": "planned"}
    )
    return list(found.json()["items"])


def test_a_cadence_plans_the_first_touchpoint_and_a_held_meeting_resets_its_clock(
    app: AppHarness,
) -> None:
    alice = app.user()
    met = _at(-10, 10)
    made = alice.create(
        title="Intro",
        startTime=met.isoformat(),
        endTime=(met + timedelta(minutes=30)).isoformat(),
        attendees=["dana@acme.example"],
    )
    assert made.status_code == 201, made.text
    dana = _contact(alice, emails=["dana@acme.example"], cadence={"every": 3, "unit": "week"})
    [first] = _planned(alice, dana)
    assert (first["dueDate"], first["origin"]) == (_working(_day(11)).isoformat(), "cadence")
    assert len(_in_google(alice, first)) == 1

    monthly = {"cadence": {"every": 4, "unit": "week"}}
    assert alice.api.patch(f"/api/contacts/{dana['id']}", json=monthly).status_code == 200
    [moved] = _planned(alice, dana)
    assert (moved["id"], moved["dueDate"]) == (first["id"], _working(_day(18)).isoformat())

    logged = alice.api.post(
        f"/api/contacts/{dana['id']}/interactions", json={"outcome": "held", "notes": "Lunch"}
    )
    assert logged.status_code == 201, logged.text
    [reset] = _planned(alice, dana)
    assert (reset["id"], reset["dueDate"]) == (first["id"], _working(_day(28)).isoformat())
    [event] = _in_google(alice, reset)
    assert event["start"]["dateTime"].startswith(reset["dueDate"])

    noshow = {"outcome": "no_show", "occurredAt": _at(0, 9).isoformat()}
    assert alice.api.post(f"/api/contacts/{dana['id']}/interactions", json=noshow).is_success
    assert [t["dueDate"] for t in _planned(alice, dana)] == [reset["dueDate"]]

    eli = _contact(alice, "Eli Wallace", cadence={"every": 1, "unit": "week"})
    [eli_first] = _planned(alice, eli)
    assert eli_first["dueDate"] == _working(_day(7)).isoformat(), "never met: from today"


def test_a_touchpoints_event_deleted_with_its_outcome_in_one_change(app: AppHarness) -> None:
    alice = app.user()
    eli = _contact(alice, "Eli Vance", cadence={"every": 1, "unit": "week"})
    [first] = _planned(alice, eli)
    path = f"/api/touchpoints/{first['id']}"
    refused = alice.api.patch(path, json={"deleteEvent": True})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["details"]["field"] == "status"
    assert len(_in_google(alice, first)) == 1, "nothing changed"
    done = alice.api.patch(path, json={"status": "done", "deleteEvent": True})
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["eventId"]) == ("done", None)
    assert _in_google(alice, first) == []
    [following] = _planned(alice, eli)
    assert len(_in_google(alice, following)) == 1, "the cadence planned the next"


def test_deleting_a_done_touchpoint_keeps_its_meeting_naming_no_touchpoint(
    app: AppHarness,
) -> None:
    alice = app.user()
    dana = _contact(alice)
    planned = _plan(alice, dana, dueAt=_at(-1, 10).isoformat())
    [event] = _in_google(alice, planned)
    path = f"/api/touchpoints/{planned['id']}"
    assert alice.api.patch(path, json={"status": "done"}).status_code == 200
    assert alice.api.delete(path).status_code == 204
    assert _in_google(alice, planned) == [], "no event names the deleted touchpoint"
    kept = [e for e in alice.google_events() if e["id"] == event["id"]]
    assert [e["status"] for e in kept] == ["confirmed"], "the meeting that happened stays"


def test_a_touchpoint_marked_done_is_the_last_contact_until_planned_again(
    app: AppHarness,
) -> None:
    alice = app.user()
    met = alice.meeting("Old call", _at(-60, 10), attendees=["dana@acme.example"])
    dana = _contact(alice, emails=["dana@acme.example"])
    path = f"/api/contacts/{dana['id']}"
    assert alice.api.get(path).json()["lastContacted"] == met["endTime"]
    touchpoint = _plan(alice, dana, dueAt=_at(3, 15).isoformat())

    before = datetime.now(UTC)
    done = alice.api.patch(f"/api/touchpoints/{touchpoint['id']}", json={"status": "done"})
    assert done.status_code == 200, done.text
    when = datetime.fromisoformat(done.json()["completedAt"])
    assert before <= when <= datetime.now(UTC)
    assert datetime.fromisoformat(alice.api.get(path).json()["lastContacted"]) == when
    timeline = alice.api.get(f"{path}/timeline").json()
    assert datetime.fromisoformat(timeline["lastContacted"]) == when
    [listed] = alice.api.get("/api/contacts", params={"sort": "last_contacted"}).json()["items"]
    assert datetime.fromisoformat(listed["lastContacted"]) == when

    # Marked done while its meeting goes on: the user is in touch now, not once it ends.
    now = datetime.now(UTC)
    going_on = _plan(alice, dana, dueAt=(now - timedelta(minutes=10)).isoformat())
    event = alice.api.get(f"/api/calendar/events/{going_on['eventId']}").json()
    assert (
        datetime.fromisoformat(event["startTime"]) < now < datetime.fromisoformat(event["endTime"])
    )
    done = alice.api.patch(f"/api/touchpoints/{going_on['id']}", json={"status": "done"})
    assert done.status_code == 200, done.text
    during = datetime.fromisoformat(done.json()["completedAt"])
    assert datetime.fromisoformat(alice.api.get(path).json()["lastContacted"]) == during
    timeline = alice.api.get(f"{path}/timeline").json()
    assert datetime.fromisoformat(timeline["lastContacted"]) == during
    undone = alice.api.patch(
        f"/api/touchpoints/{going_on['id']}", json={"dueAt": _at(5, 15).isoformat()}
    )
    assert undone.status_code == 200, undone.text

    again = alice.api.patch(
        f"/api/touchpoints/{touchpoint['id']}", json={"dueDate": _day(4).isoformat()}
    )
    assert (again.status_code, again.json()["status"]) == (200, "planned"), again.text
    assert alice.api.get(path).json()["lastContacted"] == met["endTime"]
    assert alice.api.get(f"{path}/timeline").json()["lastContacted"] == met["endTime"]
