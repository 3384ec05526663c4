"""Search: every word of a query, each a prefix, over titles, locations, descriptions, guests
and linked contacts, across all time, upcoming and past apart, scoped to the caller."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.app import ApiUser, AppHarness


def _titles(user: ApiUser, q: str, when: str = "upcoming", **params: Any) -> list[str]:
    answer = user.api.get("/api/calendar/search", params={"q": q, "when": when, **params})
    assert answer.status_code == 200, answer.text
    return [e["title"] for e in answer.json()["items"]]


def _event(user: ApiUser, title: str, days: int, **fields: Any) -> dict[str, Any]:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    return user.meeting(title, start, **fields)


def test_search_finds_words_in_every_field_upcoming_and_past_apart(app: AppHarness) -> None:
    alice = app.user()
    dana = alice.api.post("/api/contacts", json={"name": "Dana Scully", "company": "Acme"}).json()
    _event(alice, "Globex demo", 3, location="Berlin office")
    _event(alice, "Globex kickoff", -30, description="<b>Agenda</b>: pricing for Globex")
    _event(alice, "Intro call", 5, contactId=dana["id"])
    _event(alice, "Weekly sync", 1, attendees=["eli@initech.example"])
    _event(alice, "Lunch", 2, description="Bring the Q3 numbers")

    assert _titles(alice, "globex") == ["Globex demo"]
    assert _titles(alice, "globex", "past") == ["Globex kickoff"]
    assert _titles(alice, "the Globex demo") == ["Globex demo"]
    assert _titles(alice, "glob dem") == ["Globex demo"], "each word a prefix"
    assert _titles(alice, "berlin") == ["Globex demo"]
    assert _titles(alice, "pricing", "past") == ["Globex kickoff"]
    assert _titles(alice, "meetings with Dana") == ["Intro call"], "a linked contact"
    assert _titles(alice, "acme") == ["Intro call"]
    assert _titles(alice, "initech") == ["Weekly sync"], "a guest's email"
    assert _titles(alice, "eli") == ["Weekly sync"]
    assert _titles(alice, "q3 numbers") == ["Lunch"]
    assert _titles(alice, "agenda") == []  # upcoming only: the kickoff is past
    assert _titles(alice, "globex berlin pricing") == []  # every word

    alice.api.patch(f"/api/contacts/{dana['id']}", json={"name": "Dana Fox"})
    assert _titles(alice, "fox") == ["Intro call"], "a renamed contact's events follow"
    [demo] = [
        e for e in alice.api.get("/api/calendar/events").json()["items"] if "demo" in e["title"]
    ]
    alice.api.patch(f"/api/calendar/events/{demo['id']}", json={"title": "Initech demo"})
    assert _titles(alice, "globex") == []
    assert _titles(alice, "initech demo") == ["Initech demo"]
    alice.api.delete(f"/api/calendar/events/{demo['id']}")
    assert _titles(alice, "demo") == []


def test_search_is_scoped_paged_and_checked(app: AppHarness) -> None:
    alice, bob = app.user(), app.user("bob@example.com")
    for n in range(5):
        _event(alice, f"Pipeline review {n}", n + 1)
    _event(bob, "Pipeline of Bob", 1)
    first = alice.api.get("/api/calendar/search", params={"q": "pipeline", "maxResults": 2})
    body = first.json()
    assert [e["title"] for e in body["items"]] == ["Pipeline review 0", "Pipeline review 1"]
    seen = [e["title"] for e in body["items"]]
    while "nextPageToken" in body:
        body = alice.api.get(
            "/api/calendar/search",
            params={"q": "pipeline", "maxResults": 2, "pageToken": body["nextPageToken"]},
        ).json()
        seen += [e["title"] for e in body["items"]]
    assert seen == [f"Pipeline review {n}" for n in range(5)]
    assert _titles(bob, "pipeline") == ["Pipeline of Bob"]
    for params, field in [
        ({"q": "  ,;  "}, "q"),
        ({"q": "x", "pageToken": "42"}, "pageToken"),
        ({"q": "x", "when": "someday"}, "when"),
        ({"q": "x" * 201}, "q"),
    ]:
        refused = alice.api.get("/api/calendar/search", params=params)
        assert refused.status_code == 422, (params, refused.text)
        assert refused.json()["error"]["details"]["field"] == field
    quoted = alice.api.get("/api/calendar/search", params={"q": 'review" OR "x* NEAR('})
    assert quoted.status_code == 200, "a query is words, never syntax"
