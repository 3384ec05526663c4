"""A meeting's video call comes from Google (a Meet, or one an add-on such as Zoom made) and
is offered to join: kept as https only, whatever Google sends, and never lost to an edit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.app import AppHarness, wait_for
from tests.support.conferences import WINDOW, from_google, meet_of, weekly_with_meet, zoom
from tests.support.inprocess import calendar_services, connected_user
from tests.support.servers import EmulatorControl
from tests.support.sync import sync
from touchbase.calendar.events import create_calendar_event
from touchbase.calendar.listing import list_calendar_events
from touchbase.calendar.sync import perform_two_way_sync
from touchbase.domain import CalendarEvent, EventTime


def test_a_meet_made_in_google_is_offered_and_kept_through_an_edit(app: AppHarness) -> None:
    alice = app.user()
    meet = {"createRequest": {"requestId": "r1", "conferenceSolutionKey": {"type": "hangoutsMeet"}}}
    event = from_google(
        alice,
        meet,
        start={"dateTime": "2027-03-10T15:00:00Z", "timeZone": "UTC"},
        end={"dateTime": "2027-03-10T15:30:00Z", "timeZone": "UTC"},
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"],
    )
    [google] = alice.google_events()
    assert event["conference"] == {"url": google["hangoutLink"], "name": "Google Meet"}
    assert event["conference"]["url"].startswith("https://meet.google.com/")
    occurrences = alice.api.get("/api/calendar/events", params=WINDOW).json()["items"]
    assert [e["conference"] for e in occurrences] == [event["conference"]] * 3

    path = f"/api/calendar/events/{event['id']}"
    moved = alice.api.patch(
        path,
        params={"scope": "all"},
        json={"title": "Weekly with Dana"},
        headers={"If-Match": event["etag"]},
    )
    assert (moved.status_code, moved.json()["syncStatus"]) == (200, "synced"), moved.text
    assert moved.json()["conference"] == event["conference"]
    [google] = alice.google_events()
    assert (google["summary"], google["hangoutLink"]) == (
        "Weekly with Dana",
        event["conference"]["url"],
    )


def test_a_series_split_at_this_and_following_keeps_its_meet_on_both_parts(
    app: AppHarness,
) -> None:
    """Google's own "this and following" keeps the call on the new series: so does touchbase's
    split, whose new series it makes by inserting it (with the Meet copied, not a new one)."""
    alice = app.user()
    made = weekly_with_meet(alice, 4)
    meet = made["conference"]
    assert meet["url"].startswith("https://meet.google.com/")
    third = alice.api.get("/api/calendar/events", params=WINDOW).json()["items"][2]
    split = alice.api.patch(
        f"/api/calendar/events/{third['id']}",
        params={"scope": "following"},
        json={
            "title": "Weekly with Dana (new time)",
            "startTime": "2027-03-24T16:00:00+00:00",
            "endTime": "2027-03-24T16:30:00+00:00",
        },
    )
    assert (split.status_code, split.json()["syncStatus"]) == (200, "synced"), split.text
    assert split.json()["conference"] == meet
    series = {
        e["summary"]: e.get("hangoutLink")
        for e in alice.google_events()
        if e.get("recurrence") and e["status"] != "cancelled"
    }
    assert series == {"Weekly with Dana": meet["url"], "Weekly with Dana (new time)": meet["url"]}
    assert sync(alice)["status"] == "succeeded"
    listed = alice.api.get("/api/calendar/events", params=WINDOW).json()["items"]
    assert [e["conference"] for e in listed] == [meet] * 4


def test_an_add_ons_video_link_is_offered_with_its_name(app: AppHarness) -> None:
    alice = app.user()
    event = from_google(alice, zoom("https://zoom.us/j/123456789?pwd=abc"))
    assert event["conference"] == {
        "url": "https://zoom.us/j/123456789?pwd=abc",
        "name": "Zoom Meeting",
    }


def test_only_an_https_video_link_from_google_is_kept(app: AppHarness) -> None:
    """Google's data is untrusted: a link a "Join" button would run as script, one a network
    could change on the way, or one of any length, is no video call; a name is one line."""
    alice = app.user()
    for uri in (
        "javascript:alert(document.cookie)",
        "http://zoom.us/j/1",
        "https://zoom.us/j/1 onclick=alert(1)",
        "https://zoom.us/j/" + "9" * 5000,
    ):
        assert from_google(alice, zoom(uri))["conference"] is None, uri
    named = from_google(alice, zoom("https://zoom.us/j/2", name="Zoom\u202e\nMeeting" * 20))
    assert named["conference"]["url"] == "https://zoom.us/j/2"
    assert "\n" not in named["conference"]["name"]
    assert "\u202e" not in named["conference"]["name"]
    assert len(named["conference"]["name"]) <= 80
    listed = alice.api.get("/api/calendar/events", params=WINDOW).json()["items"]
    assert len(listed) == 5, "each event synced, with or without its call"


def test_an_event_without_a_call_has_none(app: AppHarness) -> None:
    alice = app.user()
    made = alice.meeting("Lunch", datetime(2027, 3, 10, 12, tzinfo=UTC))
    assert made["conference"] is None


def test_a_meet_is_asked_for_with_a_new_event_or_added_to_one(app: AppHarness) -> None:
    alice = app.user()
    start = datetime(2027, 3, 10, 15, tzinfo=UTC)
    made = alice.meeting("Call with Dana", start, addMeet=True)
    [google] = alice.google_events()
    assert made["conference"] == {"url": meet_of(google), "name": "Google Meet"}
    assert (made["syncStatus"], made["meetRequested"]) == ("synced", False)

    later = alice.meeting("Demo for Acme", start.replace(hour=17))
    assert later["conference"] is None
    path = f"/api/calendar/events/{later['id']}"
    added = alice.api.patch(path, json={"addMeet": True}, headers={"If-Match": later["etag"]})
    assert added.status_code == 200, added.text
    in_google = {e["summary"]: e for e in alice.google_events()}
    assert added.json()["conference"]["url"] == meet_of(in_google["Demo for Acme"])
    assert meet_of(in_google["Demo for Acme"]) != meet_of(in_google["Call with Dana"])
    again = alice.api.patch(path, json={"addMeet": True})  # it has one: nothing to do
    assert again.json()["conference"] == added.json()["conference"]
    assert again.json()["etag"] == added.json()["etag"]


def test_a_create_asking_for_a_meet_replayed_with_its_key_makes_one_event(
    app: AppHarness,
) -> None:
    """Each try draws its own request id: the key's check reads "a Meet asked for"."""
    alice = app.user()
    headers = {"Idempotency-Key": "form-submit-1"}
    body = {
        "title": "Once",
        "startTime": "2027-03-10T09:00:00Z",
        "endTime": "2027-03-10T10:00:00Z",
        "addMeet": True,
    }
    first = alice.api.post("/api/calendar/events", json=body, headers=headers)
    again = alice.api.post("/api/calendar/events", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert first.json()["id"] == again.json()["id"]
    assert again.json()["conference"] == first.json()["conference"]
    assert len(alice.google_events()) == 1
    other = alice.api.post("/api/calendar/events", json={**body, "addMeet": False}, headers=headers)
    assert other.status_code == 422, "the key with another request"


def test_a_meet_asked_for_while_google_is_down_is_made_once_when_it_is_back(
    app: AppHarness,
) -> None:
    """Each waiting change goes out when Google is back, asking for its own Meet."""
    alice = app.user()
    app.emulator.fault(method="POST", path="/events$", status=503, times=1000)
    start = datetime(2027, 3, 10, 15, tzinfo=UTC)
    made = [
        alice.meeting(title, start.replace(hour=hour), addMeet=True)
        for title, hour in (("Call with Dana", 15), ("Call with Eli", 16))
    ]
    assert [(e["syncStatus"], e["conference"], e["meetRequested"]) for e in made] == [
        ("pending", None, True)
    ] * 2
    app.emulator.http.delete(app.emulator.url + "/_emulator/faults")
    paths = [f"/api/calendar/events/{e['id']}" for e in made]
    wait_for(
        lambda: all(alice.api.get(p).json()["syncStatus"] == "synced" for p in paths),
        what="the push",
    )
    google = {e["summary"]: meet_of(e) for e in alice.google_events()}
    shown = [alice.api.get(p).json() for p in paths]
    assert [(e["conference"]["url"], e["meetRequested"]) for e in shown] == [
        (google["Call with Dana"], False),
        (google["Call with Eli"], False),
    ]
    assert len(set(google.values())) == 2


def test_a_meet_is_refused_where_google_cannot_make_one(app: AppHarness) -> None:
    """A calendar kept on touchbase only has no Google to make it; an event someone else
    organizes is theirs to add one to; a birthday is Google's. Nothing is written."""
    solo = app.user("solo@example.com", connect=False)
    assert solo.api.post("/api/calendar/local").status_code in (200, 201)
    refused = solo.create(addMeet=True)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["details"]["field"] == "addMeet"
    assert solo.api.get("/api/calendar/events", params=WINDOW).json()["items"] == []

    alice = app.user()
    birthday = from_google(
        alice,
        {},
        eventType="birthday",
        start={"date": "2027-03-14"},
        end={"date": "2027-03-15"},
        recurrence=["RRULE:FREQ=YEARLY"],
        transparency="transparent",
    )
    path = f"/api/calendar/events/{birthday['id']}"
    assert alice.api.patch(path, json={"addMeet": True}).status_code == 403


async def test_meets_asked_for_go_out_in_one_batch(
    database_url: str, emulator: EmulatorControl
) -> None:
    """Changes that waited for Google go out together in a sync's batch: each part asks for
    its Meet (the batch part's query carries conferenceDataVersion=1)."""
    async with calendar_services(database_url, emulator.url) as services:
        actor = await connected_user(services, "alice@example.com")
        emulator.fault(method="POST", path="/events$", status=503, times=10_000)
        start = datetime(2027, 3, 10, 15, tzinfo=UTC)
        for n in range(3):
            at = start + timedelta(hours=n)
            event = CalendarEvent(
                title=f"Call {n}",
                start=EventTime.at(at),
                end=EventTime.at(at + timedelta(minutes=30)),
                conference_request=f"request-{n}",
            )
            assert (await create_calendar_event(services, actor, event)).sync_status == "pending"
        emulator.http.delete(emulator.url + "/_emulator/faults")
        emulator.http.delete(emulator.url + "/_emulator/stats")
        result = await perform_two_way_sync(services, actor.user_id)
        assert (result.status, result.counts["pushed"]) == ("succeeded", 3)
        assert emulator.stats()["httpRequests"] == 2, "a listing and one batch"
        listed = (
            await list_calendar_events(services, actor.user_id, time_min=None, time_max=None)
        ).items
        calls = {r.event.conference.url for r in listed if r.event.conference}
        assert len(calls) == 3
        assert not any(r.event.wants_conference for r in listed)


def test_a_meet_added_in_google_is_a_new_version_here(app: AppHarness) -> None:
    """The API's etag changes with every change made in Google: a Meet added there is one."""
    alice = app.user()
    made = alice.meeting("Call with Dana", datetime(2027, 3, 10, 15, tzinfo=UTC))
    added = alice.google.patch(
        f"/events/{made['googleEventId']}",
        params={"conferenceDataVersion": "1"},
        json={"conferenceData": {"createRequest": {"requestId": "in-google"}}},
    )
    assert added.status_code == 200, added.text
    assert sync(alice)["status"] == "succeeded"
    now = alice.api.get(f"/api/calendar/events/{made['id']}").json()
    assert now["conference"]["url"] == meet_of(added.json())
    assert now["etag"] != made["etag"]


def test_an_occurrence_changed_before_its_series_meet_was_made_shares_that_meet(
    app: AppHarness,
) -> None:
    """The Meet is the series' to ask for: an occurrence changed alone meanwhile inherits it,
    and asks for no second one of its own."""
    alice = app.user()
    app.emulator.fault(method="POST", path="/events$", status=503, times=1000)
    series = weekly_with_meet(alice, 3)
    assert series["syncStatus"] == "pending"
    second = alice.api.get("/api/calendar/events", params=WINDOW).json()["items"][1]
    moved = alice.api.patch(
        f"/api/calendar/events/{second['id']}",
        params={"scope": "instance"},
        json={"title": "Weekly with Dana (agenda: pricing)"},
    )
    assert moved.status_code == 200, moved.text
    app.emulator.http.delete(app.emulator.url + "/_emulator/faults")
    wait_for(
        lambda: (
            {
                e["syncStatus"]
                for e in alice.api.get("/api/calendar/events", params=WINDOW).json()["items"]
            }
            == {"synced"}
        ),
        what="the series and its occurrence in Google",
    )
    instances = alice.google.get("/events", params={"singleEvents": "true", **WINDOW}).json()[
        "items"
    ]
    assert len({meet_of(e) for e in instances}) == 1, instances
