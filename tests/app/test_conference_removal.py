"""A video call taken off an event (`conference: null`): here and in Google, a Meet asked for
and not made yet included; for a series, as far as its scope reaches; and a call changed in
Google meanwhile is a conflict, not lost."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.support.app import ApiUser, AppHarness, wait_for
from tests.support.conferences import WINDOW, from_google, meet_of, weekly_with_meet, zoom
from tests.support.sync import sync

MEET = {"createRequest": {"requestId": "r1", "conferenceSolutionKey": {"type": "hangoutsMeet"}}}


def _take_off(user: ApiUser, event: dict[str, Any], **params: str) -> dict[str, Any]:
    answer = user.api.patch(
        f"/api/calendar/events/{event['id']}",
        params=params,
        json={"conference": None},
        headers={"If-Match": event["etag"]},
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _listed(user: ApiUser) -> list[dict[str, Any]]:
    return list(user.api.get("/api/calendar/events", params=WINDOW).json()["items"])


def test_a_meet_or_an_add_ons_call_is_taken_off_here_and_in_google(app: AppHarness) -> None:
    alice = app.user()
    for conference in (MEET, zoom("https://zoom.us/j/123456789")):
        event = from_google(alice, conference)
        assert event["conference"] is not None
        taken = _take_off(alice, event)
        assert (taken["conference"], taken["syncStatus"]) == (None, "synced")
        in_google = alice.google.get(f"/events/{event['googleEventId']}").json()
        assert "conferenceData" not in in_google
        assert "hangoutLink" not in in_google
        again = alice.api.patch(f"/api/calendar/events/{event['id']}", json={"conference": None})
        assert again.json()["etag"] == taken["etag"], "nothing left to take off"
    assert sync(alice)["status"] == "succeeded"
    assert [e["conference"] for e in _listed(alice)] == [None, None]
    audit = alice.api.get("/api/audit", params={"eventId": event["id"]}).json()["items"]
    assert audit[0]["changes"]["conference"]["after"] is None, audit[0]


def test_a_meet_asked_for_is_called_off_before_google_makes_it(app: AppHarness) -> None:
    alice = app.user()
    app.emulator.fault(method="POST", path="/events$", status=503, times=1000)
    made = alice.meeting("Call with Dana", datetime(2027, 3, 10, 15, tzinfo=UTC), addMeet=True)
    assert (made["syncStatus"], made["meetRequested"]) == ("pending", True)
    called_off = _take_off(alice, made)
    assert (called_off["meetRequested"], called_off["conference"]) == (False, None)
    app.emulator.http.delete(app.emulator.url + "/_emulator/faults")
    path = f"/api/calendar/events/{made['id']}"
    wait_for(lambda: alice.api.get(path).json()["syncStatus"] == "synced", what="the push")
    [in_google] = alice.google_events()
    assert "conferenceData" not in in_google


def test_a_call_is_taken_off_with_null_only(app: AppHarness) -> None:
    alice = app.user()
    event = from_google(alice, MEET)
    path = f"/api/calendar/events/{event['id']}"
    for wrong in ({"url": "https://zoom.us/j/1", "name": "Zoom"}, "https://zoom.us/j/1", False):
        refused = alice.api.patch(path, json={"title": "Renamed", "conference": wrong})
        assert refused.status_code == 422, refused.text
        assert "conference" in refused.text
    kept = alice.api.get(path).json()
    assert (kept["title"], kept["conference"], kept["etag"]) == (
        "Call with Dana",
        event["conference"],
        event["etag"],
    )


def test_a_call_is_replaced_by_a_new_meet(app: AppHarness) -> None:
    """Both at once: the Zoom call goes, a Meet of Google's takes its place."""
    alice = app.user()
    event = from_google(alice, zoom("https://zoom.us/j/123456789"))
    path = f"/api/calendar/events/{event['id']}"
    answer = alice.api.patch(path, json={"conference": None, "addMeet": True})
    assert answer.status_code == 200, answer.text
    [in_google] = alice.google_events()
    assert answer.json()["conference"] == {"url": meet_of(in_google), "name": "Google Meet"}


def test_a_series_loses_its_call_as_far_as_the_scope_reaches(app: AppHarness) -> None:
    alice = app.user()
    series = weekly_with_meet(alice, 4)
    meet = series["conference"]
    third = _listed(alice)[2]
    _take_off(alice, third, scope="following")
    assert sync(alice)["status"] == "succeeded"
    assert [e["conference"] for e in _listed(alice)] == [meet, meet, None, None]
    parts = [
        (e["start"]["dateTime"], e.get("hangoutLink"))
        for e in alice.google_events()
        if e.get("recurrence") and e["status"] != "cancelled"
    ]
    assert [link for _, link in sorted(parts)] == [meet["url"], None], parts

    first = _listed(alice)[0]
    _take_off(alice, first, scope="all")
    assert sync(alice)["status"] == "succeeded"
    assert [e["conference"] for e in _listed(alice)] == [None] * 4


def test_a_meet_asked_for_on_an_occurrence_for_the_whole_series_goes_on_the_series(
    app: AppHarness,
) -> None:
    alice = app.user()
    made = alice.create(
        title="Weekly with Dana",
        startTime="2027-03-10T15:00:00+00:00",
        endTime="2027-03-10T15:30:00+00:00",
        timeZone="UTC",
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"],
    )
    assert made.status_code == 201, made.text
    second = _listed(alice)[1]
    asked = alice.api.patch(
        f"/api/calendar/events/{second['id']}", params={"scope": "all"}, json={"addMeet": True}
    )
    assert asked.status_code == 200, asked.text
    assert sync(alice)["status"] == "succeeded"
    [series] = [e for e in alice.google_events() if e.get("recurrence")]
    link = meet_of(series)
    assert [e["conference"] for e in _listed(alice)] == [{"url": link, "name": "Google Meet"}] * 3


def test_a_call_taken_off_here_and_changed_in_google_is_a_conflict(app: AppHarness) -> None:
    alice = app.user()
    event = from_google(alice, zoom("https://zoom.us/j/111"))
    changed = alice.google.patch(  # in Google, before touchbase has heard of it
        f"/events/{event['googleEventId']}",
        params={"conferenceDataVersion": "1"},
        json={"conferenceData": zoom("https://zoom.us/j/222")},
    )
    assert changed.status_code == 200, changed.text
    taken = alice.api.patch(f"/api/calendar/events/{event['id']}", json={"conference": None})
    assert taken.status_code == 409, taken.text
    conflict = taken.json()["error"]["details"]["conflict"]
    assert conflict["fields"] == ["conference"]
    assert (conflict["local"]["conference"], conflict["remote"]["conference"]["url"]) == (
        None,
        "https://zoom.us/j/222",
    )
    path = f"/api/calendar/events/{event['id']}/conflict"
    choice = {"resolution": "merge", "fields": {"conference": "remote"}}
    kept = alice.api.post(path, json=choice)
    assert kept.status_code == 200, kept.text
    assert (kept.json()["syncStatus"], kept.json()["conference"]["url"]) == (
        "synced",
        "https://zoom.us/j/222",
    )
    in_google = alice.google.get(f"/events/{event['googleEventId']}").json()
    assert in_google["conferenceData"]["entryPoints"][1]["uri"] == "https://zoom.us/j/222"


def test_a_call_taken_off_in_google_while_edited_here_stays_off(app: AppHarness) -> None:
    alice = app.user()
    event = from_google(alice, MEET)
    off = alice.google.patch(  # in Google, before touchbase has heard of it
        f"/events/{event['googleEventId']}",
        params={"conferenceDataVersion": "1"},
        json={"conferenceData": None},
    )
    assert off.status_code == 200, off.text
    path = f"/api/calendar/events/{event['id']}"
    renamed = alice.api.patch(
        path, json={"title": "Call with Dana (pricing)"}, headers={"If-Match": event["etag"]}
    )
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["syncStatus"], renamed.json()["conference"]) == ("synced", None)
    in_google = alice.google.get(f"/events/{event['googleEventId']}").json()
    assert (in_google["summary"], "conferenceData" in in_google) == (
        "Call with Dana (pricing)",
        False,
    )
