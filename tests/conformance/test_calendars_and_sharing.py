"""Calendars (update, patch, delete, clear), each user's calendar list, sharing by acl rules,
and a user's settings."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from googleapiclient.errors import HttpError

from tests.conformance.conftest import ALICE, BOB, ServiceFactory, reason_of, timed

START, END = "2027-04-01T09:00:00Z", "2027-04-01T10:00:00Z"


def _status(error: pytest.ExceptionInfo[HttpError]) -> int:
    return int(error.value.resp.status)


def test_a_calendar_made_by_a_client_can_be_changed_and_removed(alice: Any) -> None:
    made = alice.calendars().insert(body={"summary": "Projects"}).execute()
    assert made["dataOwner"] == ALICE
    patched = (
        alice.calendars()
        .patch(calendarId=made["id"], body={"description": "Big ones", "location": "Berlin"})
        .execute()
    )
    assert (patched["summary"], patched["description"], patched["location"]) == (
        "Projects",
        "Big ones",
        "Berlin",
    )
    updated = (
        alice.calendars()
        .update(calendarId=made["id"], body={"summary": "Work", "timeZone": "Europe/Berlin"})
        .execute()
    )
    assert updated["summary"] == "Work"
    assert updated["timeZone"] == "Europe/Berlin"
    assert updated.get("description", "") == ""  # update replaces the whole resource
    assert updated["etag"] != made["etag"]
    alice.calendars().delete(calendarId=made["id"]).execute()
    with pytest.raises(HttpError) as gone:
        alice.calendars().get(calendarId=made["id"]).execute()
    assert _status(gone) == 404
    listed = alice.calendarList().list().execute()
    assert made["id"] not in [entry["id"] for entry in listed["items"]]


def test_the_primary_calendar_is_cleared_not_deleted(alice: Any) -> None:
    with pytest.raises(HttpError) as refused:
        alice.calendars().delete(calendarId="primary").execute()
    assert _status(refused) == 400
    first = alice.events().insert(calendarId="primary", body=timed(START, END)).execute()
    synced = alice.events().list(calendarId="primary").execute()
    alice.calendars().clear(calendarId="primary").execute()
    assert alice.events().list(calendarId="primary").execute()["items"] == []
    changes = alice.events().list(calendarId="primary", syncToken=synced["nextSyncToken"]).execute()
    assert [(e["id"], e["status"]) for e in changes["items"]] == [(first["id"], "cancelled")]


def test_a_calendar_update_needs_a_summary_and_a_real_zone(raw: httpx.Client) -> None:
    made = raw.post("/calendars", json={"summary": "Side"}).json()
    no_summary = raw.put(f"/calendars/{made['id']}", json={"description": "x"})
    assert no_summary.status_code == 400
    assert reason_of(no_summary) == "required"
    bad_zone = raw.patch(f"/calendars/{made['id']}", json={"timeZone": "Mars/Olympus"})
    assert bad_zone.status_code == 400
    assert raw.get(f"/calendars/{made['id']}").json()["summary"] == "Side"


def test_a_user_keeps_their_own_colours_and_visibility_on_their_list(alice: Any) -> None:
    made = alice.calendars().insert(body={"summary": "Gym"}).execute()
    entry = alice.calendarList().get(calendarId=made["id"]).execute()
    assert entry["accessRole"] == "owner"
    patched = (
        alice.calendarList()
        .patch(calendarId=made["id"], body={"colorId": "7", "summaryOverride": "Workouts"})
        .execute()
    )
    assert (patched["colorId"], patched["backgroundColor"]) == ("7", "#42d692")
    assert patched["summaryOverride"] == "Workouts"
    rgb = (
        alice.calendarList()
        .patch(
            calendarId=made["id"],
            body={"backgroundColor": "#16a766", "foregroundColor": "#ffffff"},
            colorRgbFormat=True,
        )
        .execute()
    )
    assert (rgb["backgroundColor"], rgb["colorId"]) == ("#16a766", "8")  # the nearest colour
    hidden = alice.calendarList().update(calendarId=made["id"], body={"hidden": True}).execute()
    assert hidden["hidden"] is True
    assert "summaryOverride" not in hidden  # update replaces what the user had set
    visible = [e["id"] for e in alice.calendarList().list().execute()["items"]]
    assert made["id"] not in visible
    every = [e["id"] for e in alice.calendarList().list(showHidden=True).execute()["items"]]
    assert made["id"] in every
    alice.calendarList().delete(calendarId=made["id"]).execute()
    every = [e["id"] for e in alice.calendarList().list(showHidden=True).execute()["items"]]
    assert made["id"] not in every
    assert alice.calendars().get(calendarId=made["id"]).execute()["summary"] == "Gym"
    again = alice.calendarList().insert(body={"id": made["id"]}).execute()
    assert again["id"] == made["id"]


def test_sharing_gives_exactly_the_role_granted(service_for: ServiceFactory) -> None:
    alice, bob = service_for(ALICE), service_for(BOB)
    shared = alice.calendars().insert(body={"summary": "Team"}).execute()["id"]
    alice.events().insert(calendarId=shared, body=timed(START, END)).execute()
    with pytest.raises(HttpError) as hidden:
        bob.events().list(calendarId=shared).execute()
    assert _status(hidden) == 404
    rule = (
        alice.acl()
        .insert(calendarId=shared, body={"role": "reader", "scope": {"type": "user", "value": BOB}})
        .execute()
    )
    assert rule["id"] == f"user:{BOB}"
    seen = bob.events().list(calendarId=shared).execute()
    assert ([e["summary"] for e in seen["items"]], seen["accessRole"]) == (["Meeting"], "reader")
    with pytest.raises(HttpError) as read_only:
        bob.events().insert(calendarId=shared, body=timed(START, END)).execute()
    assert _status(read_only) == 403
    entry = bob.calendarList().insert(body={"id": shared}).execute()
    assert entry["accessRole"] == "reader"
    alice.acl().patch(calendarId=shared, ruleId=rule["id"], body={"role": "writer"}).execute()
    bob.events().insert(calendarId=shared, body=timed(START, END, summary="Bob's")).execute()
    with pytest.raises(HttpError) as not_owner:
        bob.acl().list(calendarId=shared).execute()
    assert _status(not_owner) == 403
    roles = {r["id"]: r["role"] for r in alice.acl().list(calendarId=shared).execute()["items"]}
    assert roles == {f"user:{ALICE}": "owner", f"user:{BOB}": "writer"}
    alice.acl().delete(calendarId=shared, ruleId=rule["id"]).execute()
    with pytest.raises(HttpError) as revoked:
        bob.events().list(calendarId=shared).execute()
    assert _status(revoked) == 404


def test_the_owner_rule_cannot_be_changed(raw: httpx.Client) -> None:
    owner_rule = f"/calendars/primary/acl/user:{ALICE}"
    assert raw.get(owner_rule).json()["role"] == "owner"
    assert raw.delete(owner_rule).status_code == 403
    downgraded = raw.post(
        "/calendars/primary/acl", json={"role": "reader", "scope": {"type": "user", "value": ALICE}}
    )
    assert downgraded.status_code == 403
    assert reason_of(downgraded) == "cannotChangeOwnAcl"


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"scope": {"type": "user", "value": BOB}}, "role"),
        ({"role": "admin", "scope": {"type": "user", "value": BOB}}, "role"),
        ({"role": "reader"}, "scope.type"),
        ({"role": "reader", "scope": {"type": "planet", "value": "x"}}, "scope.type"),
        ({"role": "reader", "scope": {"type": "user"}}, "scope.value"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(
    raw: httpx.Client, body: dict[str, Any], location: str
) -> None:
    answer = raw.post("/calendars/primary/acl", json=body)
    assert answer.status_code == 400
    assert answer.json()["error"]["errors"][0]["location"] == location


def test_a_calendar_shared_with_everyone_is_readable_by_anyone(
    service_for: ServiceFactory,
) -> None:
    alice, bob = service_for(ALICE), service_for(BOB)
    alice.acl().insert(
        calendarId="primary", body={"role": "freeBusyReader", "scope": {"type": "default"}}
    ).execute()
    with pytest.raises(HttpError) as details:
        bob.events().list(calendarId=ALICE).execute()
    assert _status(details) == 403  # free/busy only: no event details
    assert bob.calendars().get(calendarId=ALICE).execute()["id"] == ALICE


def test_settings_are_googles_defaults_with_the_users_time_zone(
    raw_for: Any, emulator: Any
) -> None:
    emulator.seed({"users": [{"email": "zoe@example.com", "timeZone": "Asia/Tokyo"}]})
    raw = raw_for("zoe@example.com")
    items = {s["id"]: s["value"] for s in raw.get("/users/me/settings").json()["items"]}
    assert items["timezone"] == "Asia/Tokyo"
    assert items["weekStart"] == "0"
    assert raw.get("/users/me/settings/timezone").json()["value"] == "Asia/Tokyo"
    assert raw.get("/users/me/settings/noSuchSetting").status_code == 404


def test_who_organized_and_who_created_an_event(service_for: ServiceFactory) -> None:
    alice, bob = service_for(ALICE), service_for(BOB)
    team = alice.calendars().insert(body={"summary": "Team"}).execute()["id"]
    alice.acl().insert(
        calendarId=team, body={"role": "writer", "scope": {"type": "user", "value": BOB}}
    ).execute()
    by_bob = bob.events().insert(calendarId=team, body=timed(START, END)).execute()
    assert by_bob["organizer"] == {"email": team, "displayName": "Team", "self": True}
    assert by_bob["creator"]["email"] == BOB
    by_alice = alice.events().insert(calendarId="primary", body=timed(START, END)).execute()
    assert by_alice["organizer"]["email"] == by_alice["creator"]["email"] == ALICE
    moved = (
        alice.events().move(calendarId=team, eventId=by_bob["id"], destination="primary").execute()
    )
    assert moved["organizer"]["email"] == ALICE
    assert moved["creator"]["email"] == BOB


def test_self_marks_the_calendar_the_copy_is_on(service_for: ServiceFactory) -> None:
    alice = service_for(ALICE)
    body = timed(
        START,
        END,
        attendees=[{"email": ALICE}, {"email": BOB, "self": True}],  # `self` is Google's to set
    )
    made = alice.events().insert(calendarId="primary", body=body).execute()
    assert [a.get("self", False) for a in made["attendees"]] == [True, False]
    assert made["organizer"]["self"] is True
