"""What guests answered in Google is theirs: a guest list changed in touchbase keeps every
answer given, whether touchbase had heard of it yet or not, and only new guests wait for one."""

from __future__ import annotations

from typing import Any

from tests.support.app import ApiUser, AppHarness
from tests.support.sync import sync


def _answers_in_google(user: ApiUser, google_id: str) -> dict[str, str]:
    event = user.google.get(f"/events/{google_id}").json()
    return {a["email"]: a["responseStatus"] for a in event["attendees"]}


def _answer_in_google(user: ApiUser, google_id: str, answers: dict[str, str]) -> None:
    guests = [{"email": email, "responseStatus": said} for email, said in answers.items()]
    answered = user.google.patch(f"/events/{google_id}", json={"attendees": guests})
    assert answered.status_code == 200, answered.text


def _answered_meeting(user: ApiUser, answers: dict[str, str]) -> tuple[dict[str, Any], str]:
    """A meeting made here whose guests answered in Google, as touchbase knows it after a
    sync; and its Google id."""
    event = user.create(attendees=list(answers)).json()
    google_id = event["googleEventId"]
    _answer_in_google(user, google_id, answers)
    assert sync(user)["status"] == "succeeded"
    return user.api.get(f"/api/calendar/events/{event['id']}").json(), google_id


def _guests(user: ApiUser, event: dict[str, Any], emails: list[str]) -> dict[str, Any]:
    changed = user.api.patch(
        f"/api/calendar/events/{event['id']}",
        json={"attendees": emails},
        headers={"If-Match": event["etag"]},
    )
    assert changed.status_code == 200, changed.text
    return dict(changed.json())


def test_a_guest_added_here_leaves_the_others_answers_as_they_are(app: AppHarness) -> None:
    alice = app.user()
    event, google_id = _answered_meeting(
        alice, {"dana@acme.example": "accepted", "eli@globex.example": "declined"}
    )

    changed = _guests(alice, event, ["dana@acme.example", "eli@globex.example", "fran@x.example"])
    expected = {
        "dana@acme.example": "accepted",
        "eli@globex.example": "declined",
        "fran@x.example": "needsAction",
    }
    assert _answers_in_google(alice, google_id) == expected
    assert changed["attendeeResponses"] == expected


def test_an_answer_touchbase_has_not_heard_of_yet_is_kept_too(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create(attendees=["dana@acme.example"]).json()
    google_id = event["googleEventId"]
    # Dana accepts in Google after touchbase last looked: the change below is based on the
    # version before her answer, and meets it when it is pushed.
    _answer_in_google(alice, google_id, {"dana@acme.example": "accepted"})

    changed = _guests(alice, event, ["dana@acme.example", "eli@globex.example"])
    expected = {"dana@acme.example": "accepted", "eli@globex.example": "needsAction"}
    assert _answers_in_google(alice, google_id) == expected
    assert changed["attendeeResponses"] == expected
    assert changed["syncStatus"] == "synced"


def test_a_guest_removed_here_is_gone_and_the_rest_keep_their_answers(app: AppHarness) -> None:
    alice = app.user()
    event, google_id = _answered_meeting(
        alice, {"dana@acme.example": "tentative", "eli@globex.example": "accepted"}
    )

    _guests(alice, event, ["Eli@Globex.example"])
    assert _answers_in_google(alice, google_id) == {"eli@globex.example": "accepted"}


def test_a_guests_comment_and_company_stay_with_their_answer(app: AppHarness) -> None:
    alice = app.user()
    event = alice.create(attendees=["dana@acme.example"]).json()
    google_id = event["googleEventId"]
    answer = {
        "email": "dana@acme.example",
        "responseStatus": "accepted",
        "comment": "Running 5 minutes late",
        "additionalGuests": 1,
    }
    answered = alice.google.patch(f"/events/{google_id}", json={"attendees": [answer]})
    assert answered.status_code == 200, answered.text
    assert sync(alice)["status"] == "succeeded"
    event = alice.api.get(f"/api/calendar/events/{event['id']}").json()

    _guests(alice, event, ["dana@acme.example", "eli@globex.example"])
    guests = alice.google.get(f"/events/{google_id}").json()["attendees"]
    assert {k: guests[0].get(k) for k in answer} == answer
