"""Every reference in a body is the caller's own: another user's object is a 422 naming the
field (in a body) or a 404 (in a path), and nothing is written."""

from __future__ import annotations

import pytest

from tests.support.app import ApiUser, AppHarness


def _contact(user: ApiUser, name: str) -> str:
    answer = user.api.post("/api/contacts", json={"name": name})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


@pytest.mark.parametrize("whose", ["another user's", "nobody's"])
def test_an_event_cannot_name_a_contact_that_is_not_yours(app: AppHarness, whose: str) -> None:
    alice, bob = app.user("alice@example.com"), app.user("bob@example.com")
    theirs = _contact(alice, "Dana") if whose == "another user's" else "no-such-contact"
    mine = _contact(bob, "Sam")

    created = bob.create(title="Call", contactId=theirs)
    assert created.status_code == 422, created.text
    assert created.json()["error"]["details"]["field"] == "contactId"
    assert bob.api.get("/api/calendar/events").json()["items"] == []

    event = bob.create(title="Call", contactId=mine).json()
    url = f"/api/calendar/events/{event['id']}"
    patched = bob.api.patch(url, json={"contactId": theirs}, headers={"If-Match": event["etag"]})
    assert patched.status_code == 422, patched.text
    assert patched.json()["error"]["details"]["field"] == "contactId"
    assert bob.api.get(url).json()["contactId"] == mine
    assert bob.api.get(url).json()["etag"] == event["etag"]


def test_another_users_objects_are_404_by_path(app: AppHarness) -> None:
    alice, bob = app.user("alice@example.com"), app.user("bob@example.com")
    dana = _contact(alice, "Dana")
    event = alice.create(title="Alice's meeting").json()
    url = f"/api/calendar/events/{event['id']}"
    assert bob.api.get(f"/api/contacts/{dana}").status_code == 404
    assert bob.api.get(url).status_code == 404
    assert bob.api.patch(url, json={"title": "mine now"}).status_code == 404
    assert bob.api.delete(url).status_code == 404
    resolve = bob.api.post(f"{url}/conflict", json={"resolution": "keep_local"})
    assert resolve.status_code == 404
    assert bob.api.get("/api/audit", params={"eventId": event["id"]}).json()["items"] == []
    assert alice.api.get(url).json()["title"] == "Alice's meeting"
