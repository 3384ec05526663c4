"""Every writable field of an event comes back as it was written; iCalUID, conferenceData and
attachments as Google treats them (the latter two only when the request opts in)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from googleapiclient.errors import HttpError

from tests.conformance.conftest import reason_of, timed

START, END = "2027-02-01T09:00:00Z", "2027-02-01T10:00:00Z"
EVERY_FIELD: dict[str, Any] = {
    "summary": "Quarterly review",
    "description": "<b>Agenda</b>: numbers",
    "location": "Room 4",
    "colorId": "5",
    "transparency": "transparent",
    "visibility": "private",
    "guestsCanModify": True,
    "guestsCanInviteOthers": False,
    "guestsCanSeeOtherGuests": False,
    "anyoneCanAddSelf": True,
    "attendeesOmitted": False,
    "privateCopy": False,
    "endTimeUnspecified": False,
    "status": "tentative",
    "reminders": {
        "useDefault": False,
        "overrides": [{"method": "email", "minutes": 1440}, {"method": "popup", "minutes": 10}],
    },
    "attendees": [
        {"email": "dana@example.com", "displayName": "Dana", "optional": True},
        {"email": "eli@example.com", "responseStatus": "accepted", "comment": "Will be late"},
    ],
    "extendedProperties": {"private": {"crm": "42"}, "shared": {"team": "sales"}},
    "source": {"url": "https://crm.example.com/deals/42", "title": "Deal 42"},
    "gadget": {"title": "Old gadget", "type": "html"},
    "eventLabelId": "label-1",
}


def _kept(sent: dict[str, Any], got: dict[str, Any]) -> None:
    for key, value in sent.items():
        if key == "attendees":
            for wanted, seen in zip(value, got["attendees"], strict=True):
                assert {**{"responseStatus": "needsAction"}, **wanted} == seen
        else:
            assert got[key] == value, key


def test_every_writable_field_round_trips_through_insert_get_and_update(alice: Any) -> None:
    events = alice.events()
    created = events.insert(calendarId="primary", body=timed(START, END, **EVERY_FIELD)).execute()
    _kept(EVERY_FIELD, created)
    fetched = events.get(calendarId="primary", eventId=created["id"]).execute()
    assert fetched == created
    updated = events.update(
        calendarId="primary", eventId=created["id"], body={**fetched, "colorId": "11"}
    ).execute()
    _kept({**EVERY_FIELD, "colorId": "11"}, updated)
    patched = events.patch(
        calendarId="primary", eventId=created["id"], body={"visibility": "public"}
    ).execute()
    _kept({**EVERY_FIELD, "colorId": "11", "visibility": "public"}, patched)


def test_a_colour_not_in_the_palette_is_refused(raw: httpx.Client) -> None:
    answer = raw.post("/calendars/primary/events", json=timed(START, END, colorId="12"))
    assert answer.status_code == 400
    assert answer.json()["error"]["errors"][0]["location"] == "colorId"
    palette = raw.get("/colors").json()
    assert sorted(palette["event"], key=int) == [str(n) for n in range(1, 12)]
    assert len(palette["calendar"]) == 24


def test_a_client_ical_uid_is_kept_and_unique(alice: Any) -> None:
    body = timed(START, END, iCalUID="meeting-42@crm.example.com")
    created = alice.events().insert(calendarId="primary", body=body).execute()
    assert created["iCalUID"] == "meeting-42@crm.example.com"
    listed = alice.events().list(calendarId="primary", iCalUID=created["iCalUID"]).execute()
    assert [e["id"] for e in listed["items"]] == [created["id"]]
    with pytest.raises(HttpError) as again:
        alice.events().insert(calendarId="primary", body=body).execute()
    assert again.value.resp.status == 409
    changed = (
        alice.events()
        .update(
            calendarId="primary",
            eventId=created["id"],
            body={**created, "iCalUID": "another@crm.example.com"},
        )
        .execute()
    )
    assert changed["iCalUID"] == "meeting-42@crm.example.com"  # set once, at creation


def _meet_request(request_id: str) -> dict[str, Any]:
    return {
        "createRequest": {
            "requestId": request_id,
            "conferenceSolutionKey": {"type": "hangoutsMeet"},
        }
    }


def test_a_meet_conference_is_made_on_request_with_a_stable_link(alice: Any) -> None:
    created = (
        alice.events()
        .insert(
            calendarId="primary",
            body=timed(START, END, conferenceData=_meet_request("req-1")),
            conferenceDataVersion=1,
        )
        .execute()
    )
    conference = created["conferenceData"]
    assert conference["createRequest"]["status"] == {"statusCode": "success"}
    assert conference["conferenceSolution"]["key"] == {"type": "hangoutsMeet"}
    video = conference["entryPoints"][0]
    assert video["entryPointType"] == "video"
    assert video["uri"] == "https://meet.google.com/" + conference["conferenceId"]
    assert created["hangoutLink"] == video["uri"]
    fetched = alice.events().get(calendarId="primary", eventId=created["id"]).execute()
    assert fetched["conferenceData"] == conference
    again = (
        alice.events()
        .patch(
            calendarId="primary",
            eventId=created["id"],
            body={"conferenceData": _meet_request("req-1")},
            conferenceDataVersion=1,
        )
        .execute()
    )
    assert again["hangoutLink"] == created["hangoutLink"]  # the same request: the same room
    other = (
        alice.events()
        .patch(
            calendarId="primary",
            eventId=created["id"],
            body={"conferenceData": _meet_request("req-2")},
            conferenceDataVersion=1,
        )
        .execute()
    )
    assert other["hangoutLink"] != created["hangoutLink"]


def test_without_the_version_conference_data_is_ignored_and_kept(alice: Any) -> None:
    plain = (
        alice.events()
        .insert(calendarId="primary", body=timed(START, END, conferenceData=_meet_request("r")))
        .execute()
    )
    assert "conferenceData" not in plain
    assert "hangoutLink" not in plain
    made = (
        alice.events()
        .insert(
            calendarId="primary",
            body=timed(START, END, conferenceData=_meet_request("r")),
            conferenceDataVersion=1,
        )
        .execute()
    )
    renamed = (
        alice.events()
        .update(calendarId="primary", eventId=made["id"], body=timed(START, END, summary="Renamed"))
        .execute()
    )
    assert renamed["conferenceData"] == made["conferenceData"]  # version 0 leaves it alone
    removed = (
        alice.events()
        .update(
            calendarId="primary",
            eventId=made["id"],
            body=timed(START, END, summary="No call"),
            conferenceDataVersion=1,
        )
        .execute()
    )
    assert "conferenceData" not in removed
    assert "hangoutLink" not in removed


def test_only_meet_conferences_can_be_created(raw: httpx.Client) -> None:
    body = timed(START, END, conferenceData=_meet_request("r"))
    body["conferenceData"]["createRequest"]["conferenceSolutionKey"]["type"] = "eventHangout"
    answer = raw.post("/calendars/primary/events", params={"conferenceDataVersion": "1"}, json=body)
    assert answer.status_code == 400
    assert reason_of(answer) == "invalid"
    bad = raw.post("/calendars/primary/events", params={"conferenceDataVersion": "2"}, json=body)
    assert bad.status_code == 400


ATTACHMENT = {
    "fileUrl": "https://drive.google.com/open?id=abc",
    "title": "Deck.pdf",
    "mimeType": "application/pdf",
}


def test_attachments_are_kept_when_the_client_supports_them(alice: Any) -> None:
    ignored = (
        alice.events()
        .insert(calendarId="primary", body=timed(START, END, attachments=[ATTACHMENT]))
        .execute()
    )
    assert "attachments" not in ignored
    kept = (
        alice.events()
        .insert(
            calendarId="primary",
            body=timed(START, END, attachments=[ATTACHMENT]),
            supportsAttachments=True,
        )
        .execute()
    )
    assert kept["attachments"] == [ATTACHMENT]
    renamed = (
        alice.events()
        .patch(
            calendarId="primary", eventId=kept["id"], body={"summary": "Renamed", "attachments": []}
        )
        .execute()
    )
    assert renamed["attachments"] == [ATTACHMENT]  # not opted in: the list is not touched
    emptied = (
        alice.events()
        .patch(
            calendarId="primary",
            eventId=kept["id"],
            body={"attachments": []},
            supportsAttachments=True,
        )
        .execute()
    )
    assert emptied.get("attachments", []) == []


def test_an_attachment_needs_a_file_url(raw: httpx.Client) -> None:
    answer = raw.post(
        "/calendars/primary/events",
        params={"supportsAttachments": "true"},
        json=timed(START, END, attachments=[{"title": "no url"}]),
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["errors"][0]["location"] == "attachments[0].fileUrl"
