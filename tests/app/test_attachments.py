"""The files attached to a meeting in Google (a deck, an agenda: Drive files) are shown with
it, as https links only whatever Google sends, and kept by a copy made here (the new series
of "this and following")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.support.app import ApiUser, AppHarness
from tests.support.sync import sync

WINDOW = {"timeMin": "2027-03-01T00:00:00Z", "timeMax": "2027-04-01T00:00:00Z"}
DECK = {
    "fileUrl": "https://docs.google.com/presentation/d/1abc/edit",
    "title": "Q3 pricing deck",
    "mimeType": "application/vnd.google-apps.presentation",
}


def _with_files(user: ApiUser, files: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """A meeting made in Google with these files attached, synced: the API's first of it."""
    made = user.google.post(
        "/events",
        params={"supportsAttachments": "true"},
        json={
            "summary": "Pricing review",
            "start": {"dateTime": "2027-03-03T15:00:00Z", "timeZone": "UTC"},
            "end": {"dateTime": "2027-03-03T15:30:00Z", "timeZone": "UTC"},
            "attachments": files,
            **fields,
        },
    )
    assert made.status_code == 200, made.text
    assert sync(user)["status"] == "succeeded"
    listed = user.api.get("/api/calendar/events", params=WINDOW).json()["items"]
    return next(e for e in listed if e["googleEventId"].startswith(made.json()["id"]))


def test_the_files_attached_in_google_are_shown_as_https_links_only(app: AppHarness) -> None:
    alice = app.user()
    files = [
        DECK,
        {"fileUrl": "javascript:alert(document.cookie)", "title": "Click me"},
        {"fileUrl": "http://example.com/plain.pdf", "title": "Plain"},
        {"fileUrl": "https://drive.google.com/file/d/2", "title": "Notes\u202e\n" * 100},
    ]
    event = _with_files(alice, files)
    assert [(f["url"], f["mimeType"]) for f in event["attachments"]] == [
        (DECK["fileUrl"], DECK["mimeType"]),
        ("https://drive.google.com/file/d/2", ""),
    ]
    assert event["attachments"][0]["title"] == "Q3 pricing deck"
    notes = event["attachments"][1]["title"]
    assert "\n" not in notes
    assert "\u202e" not in notes
    assert len(notes) <= 256
    plain = alice.meeting("Lunch", datetime(2027, 3, 9, 12, tzinfo=UTC))
    assert plain["attachments"] == []


def test_a_file_attached_in_google_is_a_new_version_here(app: AppHarness) -> None:
    alice = app.user()
    event = _with_files(alice, [])
    attached = alice.google.patch(
        f"/events/{event['googleEventId']}",
        params={"supportsAttachments": "true"},
        json={"attachments": [DECK]},
    )
    assert attached.status_code == 200, attached.text
    assert sync(alice)["status"] == "succeeded"
    now = alice.api.get(f"/api/calendar/events/{event['id']}").json()
    assert [f["title"] for f in now["attachments"]] == ["Q3 pricing deck"]
    assert now["etag"] != event["etag"]


def test_a_split_series_keeps_its_files_on_its_new_part(app: AppHarness) -> None:
    alice = app.user()
    _with_files(alice, [DECK], recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"])
    split = alice.split_from(2, WINDOW, title="Pricing review (new team)")
    assert [f["url"] for f in split["attachments"]] == [DECK["fileUrl"]]
    [tail] = [e for e in alice.google_events() if e["summary"] == "Pricing review (new team)"]
    assert [(f["fileUrl"], f["title"]) for f in tail["attachments"]] == [
        (DECK["fileUrl"], DECK["title"])
    ]
