"""Other people's calendars and events with a touchbase user: Bob's calendar shared with them,
Carol's meetings they are invited to (in the emulator)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.support.app import ApiUser, AppHarness
from tests.support.sync import sync

BOB = "bob@example.com"
CAROL = "carol@elsewhere.example"


def google_as(app: AppHarness, email: str) -> httpx.Client:
    """Google Calendar's API as `email` (all their calendars, not only the primary)."""
    token = app.emulator.token(email)
    return httpx.Client(
        base_url=app.emulator.url + "/calendar/v3",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def meeting(start: datetime, title: str, *guests: str) -> dict[str, Any]:
    """An hour's meeting from `start` with these guests, as Google's API takes it."""
    return {
        "summary": title,
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": (start + timedelta(hours=1)).isoformat()},
        "attendees": [{"email": g} for g in guests],
    }


def shared_with(
    app: AppHarness,
    alice: ApiUser,
    role: str,
    *meetings: dict[str, Any],
    bobs_primary: bool = False,
) -> tuple[str, dict[str, Any]]:
    """Bob's calendar holding these meetings (a new one, or his primary), shared with Alice
    with `role`, added to her calendar list and synced by her touchbase: its Google id and
    her touchbase's calendar."""
    bob = google_as(app, BOB)
    if bobs_primary:
        shared = BOB
    else:
        shared = bob.post("/calendars", json={"summary": "Bob's clients"}).json()["id"]
    for each in meetings:
        assert bob.post(f"/calendars/{shared}/events", json=each).status_code == 200
    scope = {"type": "user", "value": alice.email}
    rule = bob.post(f"/calendars/{shared}/acl", json={"role": role, "scope": scope})
    assert rule.status_code == 200, rule.text
    added = google_as(app, alice.email).post("/users/me/calendarList", json={"id": shared})
    assert added.status_code == 200, added.text
    listed = alice.api.get("/api/calendar/calendars").json()["items"]
    calendar = next(c for c in listed if c["googleCalendarId"] == shared)
    choice = {"syncEnabled": True}
    chosen = alice.api.patch(f"/api/calendar/calendars/{calendar['id']}", json=choice)
    assert chosen.status_code == 200, chosen.text
    assert sync(alice)["status"] == "succeeded"
    return shared, calendar


def invitation(user: ApiUser, at: datetime, title: str, **extra: Any) -> dict[str, Any]:
    """Carol's meeting with the user, as Google keeps the user's copy of it in their primary
    calendar (Carol organizes it), synced: the event as touchbase's API shows it."""
    body = {
        **meeting(at, title, CAROL, user.email),
        "iCalUID": f"{uuid.uuid4().hex}@elsewhere.example",
        "organizer": {"email": CAROL},
        **extra,
    }
    copied = user.google.post("/events/import", json=body)
    assert copied.status_code == 200, copied.text
    assert sync(user)["status"] == "succeeded"
    window = {"start": at.isoformat(), "end": (at + timedelta(hours=1)).isoformat()}
    listed = user.api.get("/api/calendar/events", params=window).json()["items"]
    return next(e for e in listed if e["googleEventId"] == copied.json()["id"])
