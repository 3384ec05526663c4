"""The server's methods and parameters agree with the discovery document Google ships."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import googleapiclient
import pytest

from touchbase_emulator.routing import ROUTES
from touchbase_emulator.listing import NOT_WITH_SYNC_TOKEN

DISCOVERY = Path(googleapiclient.__file__).parent / "discovery_cache/documents/calendar.v3.json"
IMPLEMENTED = {
    "calendar.calendarList.list",
    "calendar.calendarList.get",
    "calendar.calendars.get",
    "calendar.calendars.insert",
    "calendar.events.insert",
    "calendar.events.get",
    "calendar.events.list",
    "calendar.events.update",
    "calendar.events.patch",
    "calendar.events.delete",
    "calendar.events.instances",
    "calendar.events.move",
    "calendar.events.import",
    "calendar.events.watch",
    "calendar.channels.stop",
}


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


@pytest.mark.parametrize("method_id", sorted(IMPLEMENTED))
def test_each_method_is_routed_at_googles_path_and_verb(method_id: str) -> None:
    method = _methods()[method_id]
    path = "/calendar/v3/" + re.sub(r"\{[^}]+\}", "x0000", method.get("flatPath", method["path"]))
    routed = [r for r in ROUTES if r.pattern.fullmatch(path) and r.verb == method["httpMethod"]]
    assert routed, f"{method_id}: {method['httpMethod']} {path} is not routed"
    suffix = method_id.split(".", 1)[1]
    assert routed[0].method_id.lower() == ("calendar.v3." + suffix).lower()


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
