"""The server's methods and parameters agree with the discovery document Google ships, and
it serves that document so clients can discover the API at run time."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import googleapiclient
import httpx
import pytest
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build

from tests.conformance.conftest import ALICE, timed
from tests.support.servers import EmulatorControl
from touchbase_emulator.listing import NOT_WITH_SYNC_TOKEN
from touchbase_emulator.routing import NOT_IMPLEMENTED

DISCOVERY = Path(googleapiclient.__file__).parent / "discovery_cache/documents/calendar.v3.json"


def _methods() -> dict[str, dict[str, Any]]:
    doc = json.loads(DISCOVERY.read_text())
    found: dict[str, dict[str, Any]] = {}

    def walk(resources: dict[str, Any]) -> None:
        for resource in resources.values():
            for method in resource.get("methods", {}).values():
                found[method["id"]] = method
            walk(resource.get("resources", {}))

    walk(doc["resources"])
    assert doc["servicePath"] == "calendar/v3/"
    assert doc["batchPath"] == "batch/calendar/v3"
    return found


START, END = "2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z"
WEBHOOK = "http://127.0.0.1:9/hook"  # nothing listens: notifications are simply lost
RULE = "user:bob@example.com"


def _fixture(raw: httpx.Client) -> dict[str, str]:
    """A secondary calendar with an event, a series, an acl rule and a watch channel."""
    calendar = raw.post("/calendars", json={"summary": "Walk"}).json()["id"]
    events = f"/calendars/{calendar}/events"
    event = raw.post(events, json=timed(START, END)).json()["id"]
    series = raw.post(
        events,
        json={
            "summary": "Weekly",
            "start": {"dateTime": "2027-03-02T09:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2027-03-02T10:00:00", "timeZone": "UTC"},
            "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"],
        },
    ).json()["id"]
    rule = {"role": "reader", "scope": {"type": "user", "value": "bob@example.com"}}
    assert raw.post(f"/calendars/{calendar}/acl", json=rule).status_code == 200
    channel = raw.post(
        f"{events}/watch", json={"id": "walk-1", "type": "web_hook", "address": WEBHOOK}
    ).json()
    return {
        "calendarId": calendar,
        "eventId": event,
        "series": series,
        "ruleId": RULE,
        "setting": "timezone",
        "resourceId": channel["resourceId"],
    }


def _channel(channel_id: str) -> dict[str, Any]:
    return {"id": channel_id, "type": "web_hook", "address": WEBHOOK}


# A plausible call of each method: query parameters and body (path parameters come from the
# fixture). Methods absent here are called with no query and no body.
CALLS: dict[str, tuple[dict[str, str], Any]] = {
    "calendar.acl.insert": (
        {},
        {"role": "writer", "scope": {"type": "user", "value": "carol@example.com"}},
    ),
    "calendar.acl.update": (
        {},
        {"role": "writer", "scope": {"type": "user", "value": "bob@example.com"}},
    ),
    "calendar.acl.patch": ({}, {"role": "writer"}),
    "calendar.acl.watch": ({}, _channel("walk-acl")),
    "calendar.calendarList.insert": ({}, {"id": "{calendarId}", "colorId": "2"}),
    "calendar.calendarList.update": ({}, {"colorId": "3"}),
    "calendar.calendarList.patch": ({}, {"hidden": True}),
    "calendar.calendarList.watch": ({}, _channel("walk-list")),
    "calendar.calendars.insert": ({}, {"summary": "Another"}),
    "calendar.calendars.update": ({}, {"summary": "Renamed", "timeZone": "Europe/Berlin"}),
    "calendar.calendars.patch": ({}, {"description": "Shared with the team"}),
    "calendar.calendars.transferOwnership": (
        {"newDataOwner": "bob@example.com", "useAdminAccess": "true"},
        None,
    ),
    "calendar.channels.stop": ({}, {"id": "walk-1", "resourceId": "{resourceId}"}),
    "calendar.events.import": ({}, timed(START, END, iCalUID="walk@example.com")),
    "calendar.events.insert": ({}, timed(START, END)),
    "calendar.events.instances": ({}, None),
    "calendar.events.move": ({"destination": "primary"}, None),
    "calendar.events.patch": ({}, {"summary": "Patched"}),
    "calendar.events.quickAdd": ({"text": "Lunch with Dana tomorrow 12pm"}, None),
    "calendar.events.update": ({}, timed(START, END, summary="Updated")),
    "calendar.events.watch": ({}, _channel("walk-2")),
    "calendar.freebusy.query": (
        {},
        {"timeMin": START, "timeMax": END, "items": [{"id": "{calendarId}"}]},
    ),
    "calendar.settings.watch": ({}, _channel("walk-settings")),
}


def _filled(value: Any, fixture: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**fixture) if value.startswith("{") else value
    if isinstance(value, dict):
        return {k: _filled(v, fixture) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, fixture) for v in value]
    return value


@pytest.mark.parametrize("method_id", sorted(_methods()))
def test_every_method_google_ships_is_implemented_or_answers_501(
    raw: httpx.Client, method_id: str
) -> None:
    """Walk the discovery document google-api-python-client ships: no method is a 404."""
    method = _methods()[method_id]
    fixture = _fixture(raw)
    names = (
        {**fixture, "eventId": fixture["series"]} if method_id.endswith("instances") else fixture
    )
    path = "/" + re.sub(r"\{(\w+)\}", lambda m: names[m.group(1)], method["path"])
    query, body = CALLS.get(method_id, ({}, None))
    response = raw.request(method["httpMethod"], path, params=query, json=_filled(body, fixture))
    if method_id in NOT_IMPLEMENTED:
        assert response.status_code == 501, response.text
        error = response.json()["error"]
        assert error["code"] == 501
        assert error["errors"][0]["reason"] == "notImplemented"
        assert NOT_IMPLEMENTED[method_id] in error["message"]
    else:
        assert 200 <= response.status_code < 300, f"{method_id}: {response.text}"


def test_the_served_document_is_the_one_google_ships(emulator: EmulatorControl) -> None:
    served = httpx.get(emulator.url + "/discovery/v1/apis/calendar/v3/rest").json()
    shipped = json.loads(DISCOVERY.read_text())
    assert served["rootUrl"] == emulator.url + "/"
    assert served["baseUrl"] == emulator.url + "/calendar/v3/"
    assert served["resources"] == shipped["resources"]
    assert served["schemas"] == shipped["schemas"]
    v2 = httpx.get(emulator.url + "/$discovery/rest", params={"version": "v3"}).json()
    assert v2["rootUrl"] == emulator.url + "/"
    assert httpx.get(emulator.url + "/discovery/v1/apis/drive/v3/rest").status_code == 404


def test_a_client_discovering_the_api_at_run_time_works(emulator: EmulatorControl) -> None:
    """google-api-python-client without its shipped copy: it reads the emulator's document
    and sends every call to the rootUrl found there."""
    service = build(
        "calendar",
        "v3",
        credentials=Credentials(emulator.token(ALICE)),
        static_discovery=False,
        cache_discovery=False,
        discoveryServiceUrl=emulator.url + "/discovery/v1/apis/{api}/{apiVersion}/rest",
    )
    created = service.events().insert(calendarId="primary", body=timed(START, END)).execute()
    fetched = service.events().get(calendarId="primary", eventId=created["id"]).execute()
    assert fetched["summary"] == "Meeting"


def test_list_parameters_exist_in_discovery() -> None:
    params = _methods()["calendar.events.list"]["parameters"]
    ours = {
        "maxResults",
        "pageToken",
        "syncToken",
        "timeMin",
        "timeMax",
        "singleEvents",
        "showDeleted",
        "orderBy",
        "q",
        "iCalUID",
        "updatedMin",
        "privateExtendedProperty",
        "sharedExtendedProperty",
        "timeZone",
    }
    assert ours <= set(params)
    assert set(NOT_WITH_SYNC_TOKEN) <= set(params)
    assert params["orderBy"]["enum"] == ["startTime", "updated"]
    assert params["maxResults"]["default"] == "250"


def test_write_parameters_exist_in_discovery() -> None:
    methods = _methods()
    for name in ("insert", "update", "patch", "delete"):
        assert "sendUpdates" in methods[f"calendar.events.{name}"]["parameters"]
    send_updates = methods["calendar.events.insert"]["parameters"]["sendUpdates"]
    assert send_updates["enum"] == ["all", "externalOnly", "none"]
    assert "destination" in methods["calendar.events.move"]["parameters"]
    assert "originalStart" in methods["calendar.events.instances"]["parameters"]
