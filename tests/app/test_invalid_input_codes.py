"""Input refused is answered with the error of what it was about: a contact's, a touchpoint's,
an interaction's, an import's, a setting's, an event's. The same code whether the request's
schema refused it or a later check did, so a client can tell them apart by `code` alone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.app import ApiUser, AppHarness

# (case, method, path ({contact}: a contact of the user's), body or query, code, field)
REFUSED: list[tuple[str, str, str, dict[str, Any], str, str]] = [
    (
        "contact without a name",
        "POST",
        "/api/contacts",
        {"name": ""},
        "CRM_INVALID_CONTACT",
        "name",
    ),
    (
        "contact's email not one",
        "POST",
        "/api/contacts",
        {"name": "Eli", "emails": ["eli"]},
        "CRM_INVALID_CONTACT",
        "emails[0]",
    ),
    (
        "cadence of no weeks",
        "PATCH",
        "/api/contacts/{contact}",
        {"cadence": {"every": 0, "unit": "week"}},
        "CRM_INVALID_CONTACT",
        "cadence.every",
    ),
    (
        "cadence of 121 months",
        "PATCH",
        "/api/contacts/{contact}",
        {"cadence": {"every": 121, "unit": "month"}},
        "CRM_INVALID_CONTACT",
        "cadence.every",
    ),
    (
        "contact in the server's own zone",
        "PATCH",
        "/api/contacts/{contact}",
        {"timeZone": "localtime"},
        "CRM_INVALID_CONTACT",
        "timeZone",
    ),
    ("contacts page of none", "GET", "/api/contacts", {"limit": 0}, "CRM_INVALID_CONTACT", "limit"),
    (
        "import of another format",
        "POST",
        "/api/contacts/import",
        {"format": "xml", "content": "<a/>"},
        "CRM_INVALID_IMPORT",
        "format",
    ),
    (
        "interaction of no known outcome",
        "POST",
        "/api/contacts/{contact}/interactions",
        {"outcome": "maybe"},
        "CRM_INVALID_INTERACTION",
        "outcome",
    ),
    (
        "interaction about a meeting that is not one",
        "POST",
        "/api/contacts/{contact}/interactions",
        {"outcome": "held", "eventId": "no-such-event"},
        "CRM_INVALID_INTERACTION",
        "eventId",
    ),
    (
        "touchpoint in the year 9999",
        "POST",
        "/api/touchpoints",
        {"contactId": "{contact}", "dueDate": "9999-12-31"},
        "CRM_INVALID_TOUCHPOINT",
        "dueDate",
    ),
    (
        "touchpoint of no one",
        "POST",
        "/api/touchpoints",
        {"contactId": "no-such-contact", "dueDate": "2030-01-07"},
        "CRM_INVALID_TOUCHPOINT",
        "contactId",
    ),
    (
        "guest emails neither asked nor sent",
        "PATCH",
        "/api/settings",
        {"guestEmails": "maybe"},
        "INVALID_SETTING",
        "guestEmails",
    ),
    (
        "pages in a zone counting leap seconds",
        "PATCH",
        "/api/settings",
        {"timeZone": "right/Europe/Berlin"},
        "INVALID_SETTING",
        "timeZone",
    ),
    (
        "event without a title",
        "POST",
        "/api/calendar/events",
        {"startTime": "2030-01-07T09:00:00Z", "endTime": "2030-01-07T10:00:00Z"},
        "CALENDAR_INVALID_EVENT",
        "title",
    ),
]


def _with_contact(value: Any, contact_id: str) -> Any:
    if isinstance(value, str):
        return value.replace("{contact}", contact_id)
    if isinstance(value, dict):
        return {k: _with_contact(v, contact_id) for k, v in value.items()}
    return value


def _everything(user: ApiUser) -> list[Any]:
    return [
        user.api.get("/api/contacts", params={"archived": archived}).json()
        for archived in (False, True)
    ] + [
        user.api.get("/api/touchpoints").json(),
        user.api.get("/api/settings").json(),
        user.api.get("/api/calendar/events").json(),
        user.api.get("/api/audit").json(),
    ]


@pytest.mark.parametrize(
    ("case", "method", "path", "sent", "code", "field"), REFUSED, ids=[c[0] for c in REFUSED]
)
def test_refused_input_is_named_by_what_it_was_about_and_changes_nothing(
    app: AppHarness, case: str, method: str, path: str, sent: dict[str, Any], code: str, field: str
) -> None:
    alice = app.user()
    dana = alice.api.post("/api/contacts", json={"name": "Dana"}).json()
    before = _everything(alice)
    url = _with_contact(path, dana["id"])
    headers = {"If-Match": dana["etag"]}
    if method == "GET":
        answer = alice.api.get(url, params=sent)
    else:
        answer = alice.api.request(
            method, url, json=_with_contact(sent, dana["id"]), headers=headers
        )
    assert answer.status_code == 422, (case, answer.text)
    error = answer.json()["error"]
    assert (error["code"], error["details"]["field"]) == (code, field), error
    assert error["message"]
    assert "Value error" not in answer.text
    assert _everything(alice) == before
