"""An event Google sends that touchbase cannot read (a rule past its limits, one with no
occurrence at all) is not shown; its calendar names it, with why, until it is read, deleted
in Google, or a full listing no longer has it: the run that met it is not the only trace."""

from __future__ import annotations

from typing import Any

from tests.support.app import ApiUser, AppHarness
from tests.support.sync import sync

HOURLY = {
    "start": {"dateTime": "2027-01-04T09:00:00", "timeZone": "UTC"},
    "end": {"dateTime": "2027-01-04T10:00:00", "timeZone": "UTC"},
}


def _unread(user: ApiUser) -> list[dict[str, Any]]:
    [calendar] = user.api.get("/api/calendar/calendars").json()["items"]
    return list(calendar["unreadEvents"])


def _seed(app: AppHarness, user: ApiUser, event_id: str, title: str, rule: str) -> None:
    raw = {"_raw": True, "id": event_id, "summary": title, **HOURLY, "recurrence": [rule]}
    app.emulator.seed({"users": [{"email": user.email, "events": [raw]}]})


def test_an_unread_event_is_named_until_it_is_read_or_gone(app: AppHarness) -> None:
    alice = app.user()
    _seed(app, alice, "unread0001", "Board call", "RRULE:FREQ=DAILY;COUNT=1000000")
    _seed(app, alice, "unread0002", "Never", "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30")
    assert sync(alice)["counts"]["errors"] == 2
    unread = _unread(alice)
    assert [(e["googleEventId"], e["title"]) for e in unread] == [
        ("unread0001", "Board call"),
        ("unread0002", "Never"),
    ]
    assert "COUNT" in unread[0]["error"]
    # A later run that meets neither keeps naming them.
    alice.create(title="Something else")
    assert sync(alice)["counts"]["errors"] == 0
    assert [e["googleEventId"] for e in _unread(alice)] == ["unread0001", "unread0002"]

    # Fixed in Google: read, shown, and no longer named.
    fixed = alice.google.patch(
        "/events/unread0001", json={"recurrence": ["RRULE:FREQ=DAILY;COUNT=3"]}
    )
    assert fixed.status_code == 200, fixed.text
    sync(alice)
    assert [e["googleEventId"] for e in _unread(alice)] == ["unread0002"]
    listed = alice.api.get("/api/calendar/events", params={"start": "2027-01-04T00:00:00Z"})
    assert "Board call" in {e["title"] for e in listed.json()["items"]}

    # Gone from Google without a trace (purged): a full listing no longer has it.
    app.emulator.post("/purge", {"calendarId": alice.email, "eventId": "unread0002"})
    app.emulator.post("/sync-tokens/expire")
    assert sync(alice)["calendars"][0]["full"] is True
    assert _unread(alice) == []


def test_an_unread_event_deleted_in_google_is_no_longer_named(app: AppHarness) -> None:
    alice = app.user()
    _seed(app, alice, "unread0003", "Odd", "RRULE:FREQ=DAILY;COUNT=1000000")
    sync(alice)
    assert [e["title"] for e in _unread(alice)] == ["Odd"]
    assert alice.google.delete("/events/unread0003").status_code == 204
    sync(alice)
    assert _unread(alice) == []
    bob = app.user("bob@example.com")
    assert _unread(bob) == [], "each calendar names its own"
