"""Whatever a client sends, the server answers 2xx or a 4xx in Google's envelope, never 500."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.servers import EmulatorControl

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)
times = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "date": st.one_of(st.just("2027-01-01"), st.text(max_size=12), json_values),
            "dateTime": st.one_of(
                st.just("2027-01-01T10:00:00Z"),
                st.just("2027-01-01T10:00:00"),
                st.text(max_size=25),
                json_values,
            ),
            "timeZone": st.one_of(st.just("Europe/Berlin"), st.text(max_size=15), json_values),
        },
    ),
)
event_fields = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(alphabet="abcdefuvwxyz0129-", max_size=12), json_values),
        "summary": json_values,
        "description": json_values,
        "location": json_values,
        "start": times,
        "end": times,
        "status": json_values,
        "visibility": json_values,
        "recurrence": st.one_of(
            json_values,
            st.lists(
                st.sampled_from(
                    [
                        "RRULE:FREQ=DAILY;COUNT=2",
                        "RRULE:FREQ=WEEKLY;UNTIL=20270301",
                        "EXDATE:20270102",
                        "RDATE;VALUE=DATE:20270105",
                        "RRULE:",
                        "EXDATE;TZID=Nowhere:20270101T100000",
                        "RRULE:FREQ=MONTHLY;BYDAY=XX",
                    ]
                ),
                max_size=3,
            ),
        ),
        "attendees": st.one_of(
            json_values,
            st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "email": st.one_of(st.just("a@b.co"), json_values),
                        "responseStatus": st.one_of(st.just("accepted"), json_values),
                    },
                ),
                max_size=2,
            ),
        ),
        "extendedProperties": st.one_of(
            json_values,
            st.fixed_dictionaries(
                {},
                optional={
                    "private": st.one_of(
                        json_values, st.dictionaries(st.text(max_size=50), json_values, max_size=2)
                    )
                },
            ),
        ),
        "reminders": json_values,
        "guestsCanModify": json_values,
    },
)
list_params = st.dictionaries(
    st.sampled_from(
        [
            "maxResults",
            "timeMin",
            "timeMax",
            "singleEvents",
            "orderBy",
            "q",
            "showDeleted",
            "pageToken",
            "syncToken",
            "timeZone",
            "updatedMin",
            "privateExtendedProperty",
            "iCalUID",
        ]
    ),
    st.text(max_size=25),
    max_size=4,
)

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _check(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["code"] == response.status_code
        assert error["errors"][0]["reason"]


@pytest.fixture(scope="module")
def fuzz_client(emulator_url: str) -> httpx.Client:
    token = EmulatorControl(emulator_url).token("fuzz@example.com")
    return httpx.Client(
        base_url=emulator_url + "/calendar/v3",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10.0,
    )


@FUZZ
@given(body=event_fields)
def test_insert_never_fails_with_500(fuzz_client: httpx.Client, body: dict[str, Any]) -> None:
    response = fuzz_client.post("/calendars/primary/events", content=json.dumps(body))
    _check(response)
    if response.status_code == 200:
        event = response.json()
        _check(
            fuzz_client.get(
                "/calendars/primary/events",
                params={"singleEvents": "true", "timeMin": "2026-12-01T00:00:00Z"},
            )
        )
        _check(
            fuzz_client.patch(f"/calendars/primary/events/{event['id']}", content=json.dumps(body))
        )
        _check(fuzz_client.get(f"/calendars/primary/events/{event['id']}/instances"))


@FUZZ
@given(params=list_params)
def test_list_never_fails_with_500(fuzz_client: httpx.Client, params: dict[str, str]) -> None:
    _check(fuzz_client.get("/calendars/primary/events", params=params))


def _maybe(*specific: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(json_values, *specific)


scopes = _maybe(
    st.fixed_dictionaries(
        {},
        optional={
            "type": _maybe(st.sampled_from(["user", "group", "domain", "default"])),
            "value": _maybe(st.just("bob@example.com")),
        },
    )
)
conference = _maybe(
    st.fixed_dictionaries(
        {},
        optional={
            "createRequest": _maybe(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "requestId": _maybe(st.just("r1")),
                        "conferenceSolutionKey": _maybe(st.just({"type": "hangoutsMeet"})),
                        "status": json_values,
                    },
                )
            ),
            "entryPoints": _maybe(st.lists(json_values, max_size=2)),
        },
    )
)
VALID_TIMES = {
    "start": {"dateTime": "2027-01-01T10:00:00Z"},
    "end": {"dateTime": "2027-01-01T11:00:00Z"},
}
# (verb, path, query, the body's fields: each a value from json_values or its own strategy)
TARGETS: list[tuple[str, str, dict[str, str], dict[str, st.SearchStrategy[Any]]]] = [
    (
        verb,
        path,
        {},
        dict.fromkeys(("summary", "description", "location", "timeZone"), json_values),
    )
    for verb, path in (("POST", "/calendars"), ("PATCH", "/calendars/primary"))
] + [
    (
        "PATCH",
        "/users/me/calendarList/primary",
        {"colorRgbFormat": "true"},
        dict.fromkeys(
            (
                "colorId",
                "backgroundColor",
                "foregroundColor",
                "hidden",
                "selected",
                "summaryOverride",
                "defaultReminders",
                "notificationSettings",
            ),
            json_values,
        ),
    ),
    (
        "POST",
        "/users/me/calendarList",
        {},
        {"id": _maybe(st.just("primary")), "colorId": json_values},
    ),
    ("POST", "/calendars/primary/acl", {}, {"role": _maybe(st.just("reader")), "scope": scopes}),
    (
        "POST",
        "/freeBusy",
        {},
        {
            "timeMin": _maybe(st.just("2027-01-01T00:00:00Z")),
            "timeMax": _maybe(st.just("2027-01-02T00:00:00Z")),
            "timeZone": json_values,
            "items": _maybe(st.lists(st.fixed_dictionaries({}, optional={"id": json_values}))),
        },
    ),
    (
        "POST",
        "/calendars/primary/events",
        {"conferenceDataVersion": "1", "supportsAttachments": "true"},
        {
            "conferenceData": conference,
            "attachments": _maybe(st.lists(json_values, max_size=2)),
            "colorId": json_values,
            "iCalUID": json_values,
            "sequence": json_values,
            "source": json_values,
            "outOfOfficeProperties": json_values,
        },
    ),
    (
        "POST",
        "/users/me/settings/watch",
        {},
        {
            "id": json_values,
            "type": _maybe(st.just("web_hook")),
            "address": json_values,
            "expiration": json_values,
        },
    ),
]
calls = st.sampled_from(TARGETS).flatmap(
    lambda target: st.tuples(st.just(target), st.fixed_dictionaries({}, optional=target[3]))
)


@FUZZ
@given(call=calls, text=st.text(max_size=60))
def test_calendars_sharing_free_busy_and_opt_in_fields_never_fail_with_500(
    fuzz_client: httpx.Client, call: tuple[Any, dict[str, Any]], text: str
) -> None:
    (verb, path, query, _), body = call
    if path.endswith("/events"):
        body = {**VALID_TIMES, **body}  # valid times, so the opt-in fields are reached
    _check(fuzz_client.request(verb, path, params=query, content=json.dumps(body)))
    _check(fuzz_client.post("/calendars/primary/events/quickAdd", params={"text": text}))
