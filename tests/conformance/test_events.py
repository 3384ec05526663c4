"""Events: insert, get, update, patch, delete, import, move; ids, etags and concurrency."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from googleapiclient.errors import HttpError

from tests.conformance.conftest import reason_of, timed

START, END = "2027-01-10T09:00:00Z", "2027-01-10T10:00:00Z"


def test_insert_with_client_id_then_get(alice: Any) -> None:
    created = (
        alice.events().insert(calendarId="primary", body=timed(START, END, id="abc12345")).execute()
    )
    assert created["id"] == "abc12345"
    assert created["status"] == "confirmed"
    assert created["etag"].startswith('"')
    assert created["etag"].endswith('"')
    fetched = alice.events().get(calendarId="primary", eventId="abc12345").execute()
    assert fetched == created


def test_server_chooses_base32hex_id_when_none_given(alice: Any) -> None:
    created = alice.events().insert(calendarId="primary", body=timed(START, END)).execute()
    assert set(created["id"]) <= set("0123456789abcdefghijklmnopqrstuv")
    assert len(created["id"]) >= 5


@pytest.mark.parametrize(
    "bad_id", ["ab12", "0fd5a2e4-8c2b-4b6b-9f3a-1c2d3e4f5a6b", "ABCDE12345", "wxyz12345"]
)
def test_invalid_client_ids_are_refused(raw: httpx.Client, bad_id: str) -> None:
    response = raw.post("/calendars/primary/events", json=timed(START, END, id=bad_id))
    assert response.status_code == 400
    assert reason_of(response) == "invalid"


def test_taken_id_answers_409_duplicate(raw: httpx.Client) -> None:
    body = timed(START, END, id="dup000001")
    assert raw.post("/calendars/primary/events", json=body).status_code == 200
    again = raw.post("/calendars/primary/events", json=body)
    assert again.status_code == 409
    assert reason_of(again) == "duplicate"


def test_every_write_changes_the_etag(alice: Any) -> None:
    event = alice.events().insert(calendarId="primary", body=timed(START, END)).execute()
    etags = {event["etag"]}
    for title in ("one", "two", "three"):
        event = (
            alice.events()
            .patch(calendarId="primary", eventId=event["id"], body={"summary": title})
            .execute()
        )
        etags.add(event["etag"])
    assert len(etags) == 4


def test_if_match_with_stale_etag_answers_412(alice: Any) -> None:
    event = alice.events().insert(calendarId="primary", body=timed(START, END)).execute()
    alice.events().patch(calendarId="primary", eventId=event["id"], body={"summary": "x"}).execute()
    request = alice.events().patch(calendarId="primary", eventId=event["id"], body={"summary": "y"})
    request.headers["If-Match"] = event["etag"]
    with pytest.raises(HttpError) as caught:
        request.execute()
    assert caught.value.resp.status == 412
    error = caught.value.error_details[0]
    assert error["reason"] == "conditionNotMet"
    assert error["location"] == "If-Match"


def test_if_match_with_current_etag_succeeds_for_patch_update_delete(alice: Any) -> None:
    event = alice.events().insert(calendarId="primary", body=timed(START, END)).execute()
    patch = alice.events().patch(calendarId="primary", eventId=event["id"], body={"summary": "p"})
    patch.headers["If-Match"] = event["etag"]
    event = patch.execute()
    update = alice.events().update(
        calendarId="primary", eventId=event["id"], body=timed(START, END, summary="u")
    )
    update.headers["If-Match"] = event["etag"]
    event = update.execute()
    assert event["summary"] == "u"
    delete = alice.events().delete(calendarId="primary", eventId=event["id"])
    delete.headers["If-Match"] = event["etag"]
    delete.execute()


def test_delete_with_stale_etag_answers_412_and_keeps_event(raw: httpx.Client) -> None:
    event = raw.post("/calendars/primary/events", json=timed(START, END)).json()
    raw.patch(f"/calendars/primary/events/{event['id']}", json={"summary": "changed"})
    response = raw.delete(
        f"/calendars/primary/events/{event['id']}", headers={"If-Match": event["etag"]}
    )
    assert response.status_code == 412
    assert raw.get(f"/calendars/primary/events/{event['id']}").json()["status"] == "confirmed"


def test_if_none_match_answers_304_until_changed(raw: httpx.Client) -> None:
    event = raw.post("/calendars/primary/events", json=timed(START, END)).json()
    path = f"/calendars/primary/events/{event['id']}"
    unchanged = raw.get(path, headers={"If-None-Match": event["etag"]})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    raw.patch(path, json={"summary": "new"})
    changed = raw.get(path, headers={"If-None-Match": event["etag"]})
    assert changed.status_code == 200
    assert changed.json()["summary"] == "new"


def test_deleted_event_is_cancelled_and_keeps_its_id(alice: Any, raw: httpx.Client) -> None:
    event = (
        alice.events()
        .insert(calendarId="primary", body=timed(START, END, id="gone00001"))
        .execute()
    )
    alice.events().delete(calendarId="primary", eventId="gone00001").execute()
    fetched = raw.get("/calendars/primary/events/gone00001")
    assert fetched.status_code == 200
    assert fetched.json()["status"] == "cancelled"
    assert fetched.json()["etag"] != event["etag"]
    reinsert = raw.post("/calendars/primary/events", json=timed(START, END, id="gone00001"))
    assert (reinsert.status_code, reason_of(reinsert)) == (409, "duplicate")
    again = raw.delete("/calendars/primary/events/gone00001")
    assert (again.status_code, reason_of(again)) == (410, "deleted")


def test_unknown_event_is_404_not_found(raw: httpx.Client) -> None:
    response = raw.get("/calendars/primary/events/nosuchevent")
    assert (response.status_code, reason_of(response)) == (404, "notFound")


def test_patch_merges_extended_properties_and_null_removes(alice: Any) -> None:
    body = timed(START, END, extendedProperties={"private": {"contactId": "c1", "keep": "k"}})
    event = alice.events().insert(calendarId="primary", body=body).execute()
    patched = (
        alice.events()
        .patch(
            calendarId="primary",
            eventId=event["id"],
            body={"extendedProperties": {"private": {"contactId": None, "touchpointId": "t9"}}},
        )
        .execute()
    )
    assert patched["extendedProperties"]["private"] == {"keep": "k", "touchpointId": "t9"}
    assert patched["summary"] == "Meeting"
    cleared = (
        alice.events()
        .patch(calendarId="primary", eventId=event["id"], body={"location": "Room 1"})
        .execute()
    )
    assert cleared["location"] == "Room 1"
    removed = (
        alice.events()
        .patch(calendarId="primary", eventId=event["id"], body={"location": None})
        .execute()
    )
    assert "location" not in removed


def test_update_drops_fields_it_does_not_send(alice: Any) -> None:
    body = timed(START, END, location="Room", extendedProperties={"private": {"contactId": "c1"}})
    event = alice.events().insert(calendarId="primary", body=body).execute()
    updated = (
        alice.events()
        .update(calendarId="primary", eventId=event["id"], body=timed(START, END, summary="Only"))
        .execute()
    )
    assert updated["summary"] == "Only"
    assert "location" not in updated
    assert "extendedProperties" not in updated


def test_extended_property_limits(alice: Any) -> None:
    long_key, long_value = "k" * 45, "v" * 2000
    body = timed(START, END, extendedProperties={"private": {long_key: "x", "ok": long_value}})
    event = alice.events().insert(calendarId="primary", body=body).execute()
    assert event["extendedProperties"]["private"] == {"ok": "v" * 1024}


def test_attendees_get_a_response_status(alice: Any) -> None:
    body = timed(
        START,
        END,
        attendees=[
            {"email": "carol@example.com"},
            {"email": "dave@example.com", "responseStatus": "accepted"},
        ],
    )
    event = alice.events().insert(calendarId="primary", body=body).execute()
    statuses = {a["email"]: a["responseStatus"] for a in event["attendees"]}
    assert statuses == {"carol@example.com": "needsAction", "dave@example.com": "accepted"}


def test_sequence_and_updated_move_forward(alice: Any) -> None:
    event = alice.events().insert(calendarId="primary", body=timed(START, END)).execute()
    assert event["sequence"] == 0
    assert event["updated"].endswith("Z")
    assert len(event["updated"]) == 24
    retitled = (
        alice.events()
        .patch(calendarId="primary", eventId=event["id"], body={"summary": "t"})
        .execute()
    )
    assert retitled["sequence"] == 0
    moved = (
        alice.events()
        .patch(
            calendarId="primary",
            eventId=event["id"],
            body={
                "start": {"dateTime": "2027-01-10T11:00:00Z"},
                "end": {"dateTime": "2027-01-10T12:00:00Z"},
            },
        )
        .execute()
    )
    assert moved["sequence"] == 1
    assert moved["updated"] >= retitled["updated"] >= event["updated"]


def test_date_times_keep_their_time_zone(alice: Any) -> None:
    body = {
        "summary": "Berlin",
        "start": {"dateTime": "2027-07-01T10:00:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2027-07-01T08:30:00Z", "timeZone": "Europe/Berlin"},
    }
    event = alice.events().insert(calendarId="primary", body=body).execute()
    assert event["start"] == {"dateTime": "2027-07-01T10:00:00+02:00", "timeZone": "Europe/Berlin"}
    assert event["end"]["dateTime"] == "2027-07-01T10:30:00+02:00"


def test_all_day_events_use_dates_with_exclusive_end(alice: Any) -> None:
    body = {"summary": "Offsite", "start": {"date": "2027-02-01"}, "end": {"date": "2027-02-03"}}
    event = alice.events().insert(calendarId="primary", body=body).execute()
    assert event["start"] == {"date": "2027-02-01"}
    assert event["end"] == {"date": "2027-02-03"}


def test_import_inserts_then_updates_by_ical_uid(alice: Any) -> None:
    body = timed(START, END, iCalUID="meeting-42@crm.example", summary="v1")
    first = alice.events().import_(calendarId="primary", body=body).execute()
    body["summary"] = "v2"
    second = alice.events().import_(calendarId="primary", body=body).execute()
    assert second["id"] == first["id"]
    assert second["summary"] == "v2"
    assert second["iCalUID"] == "meeting-42@crm.example"


def test_a_guests_copy_keeps_its_organizer_and_cannot_set_what_every_copy_shares(
    alice: Any, raw: httpx.Client
) -> None:
    carol = {"email": "carol@elsewhere.example"}
    body = timed(START, END, iCalUID="review-7@elsewhere.example", organizer=carol)
    copy = alice.events().import_(calendarId="primary", body=body).execute()
    assert copy["organizer"] == carol  # no `self`: the copy is a guest's, not Carol's
    refused = raw.patch(f"/calendars/primary/events/{copy['id']}", json={"guestsCanModify": True})
    assert refused.status_code == 403
    assert reason_of(refused) == "forbiddenForNonOrganizer"

    own = alice.events().insert(calendarId="primary", body=timed(START, END)).execute()
    assert own["organizer"]["self"] is True
    allowed = raw.patch(f"/calendars/primary/events/{own['id']}", json={"guestsCanModify": True})
    assert allowed.status_code == 200, allowed.text


def test_a_birthday_takes_a_new_title_only_and_no_delete(raw: httpx.Client) -> None:
    """As Google answers (400 eventTypeRestriction): a birthday's title, colour, reminders
    and day may change; its description, a private property and a delete may not."""
    body = {
        "summary": "Dana's birthday",
        "eventType": "birthday",
        "start": {"date": "2027-03-14"},
        "end": {"date": "2027-03-15"},
        "recurrence": ["RRULE:FREQ=YEARLY"],
    }
    made = raw.post("/calendars/primary/events", json=body).json()
    path = f"/calendars/primary/events/{made['id']}"
    renamed = raw.patch(path, json={"summary": "Dana Scully's birthday"})
    assert renamed.status_code == 200, renamed.text
    for change in (
        {"description": "cake"},
        {"extendedProperties": {"private": {"contact": "c1"}}},
        {"eventType": "default"},
    ):
        refused = raw.patch(path, json=change)
        assert refused.status_code == 400, change
    assert reason_of(raw.patch(path, json={"description": "cake"})) == "eventTypeRestriction"
    deleted = raw.delete(path)
    assert (deleted.status_code, reason_of(deleted)) == (400, "eventTypeRestriction")
    assert raw.get(path).json()["summary"] == "Dana Scully's birthday"


def test_an_event_gmail_made_takes_its_colour_and_status_only(raw: httpx.Client) -> None:
    made = raw.post(
        "/calendars/primary/events", json=timed(START, END, summary="Flight", eventType="fromGmail")
    ).json()
    path = f"/calendars/primary/events/{made['id']}"
    assert raw.patch(path, json={"colorId": "5"}).status_code == 200
    refused = raw.patch(path, json={"summary": "Flight to Berlin"})
    assert (refused.status_code, reason_of(refused)) == (400, "eventTypeRestriction")
    assert raw.delete(path).status_code == 204


def test_move_to_another_calendar_keeps_id(alice: Any, raw: httpx.Client) -> None:
    other = alice.calendars().insert(body={"summary": "Side"}).execute()
    event = alice.events().insert(calendarId="primary", body=timed(START, END)).execute()
    moved = (
        alice.events()
        .move(calendarId="primary", eventId=event["id"], destination=other["id"])
        .execute()
    )
    assert moved["id"] == event["id"]
    assert raw.get(f"/calendars/primary/events/{event['id']}").json()["status"] == "cancelled"
    fetched = alice.events().get(calendarId=other["id"], eventId=event["id"]).execute()
    assert fetched["status"] == "confirmed"


def test_calendars_insert_get_and_calendar_list(alice: Any) -> None:
    created = alice.calendars().insert(body={"summary": "Team", "timeZone": "Asia/Tokyo"}).execute()
    assert created["id"].endswith("@group.calendar.google.com")
    assert alice.calendars().get(calendarId=created["id"]).execute()["timeZone"] == "Asia/Tokyo"
    entries = alice.calendarList().list().execute()["items"]
    by_id = {e["id"]: e for e in entries}
    assert by_id["alice@example.com"]["primary"] is True
    assert by_id[created["id"]]["summary"] == "Team"
    assert all(e["accessRole"] == "owner" for e in entries)
