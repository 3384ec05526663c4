"""Google's discovery document of Calendar v3: the emulator's list of methods, their paths,
verbs and scopes, and the document it serves so that clients can discover it at run time.

`calendar.v3.json` is the document google-api-python-client 2.202.0 ships (revision 20261030),
unchanged. Routing comes from it, so a method Google documents is never a 404 here: it runs
its handler, or answers 501 when the emulator does not implement it.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DOCUMENT = Path(__file__).with_name("calendar.v3.json")
SERVICE_PATH = "calendar/v3/"


@dataclass(frozen=True)
class Method:
    """One method of the API, as the discovery document describes it."""

    id: str  # "calendar.events.quickAdd"
    verb: str
    path: str  # relative to the service path: "calendars/{calendarId}/events/quickAdd"
    scopes: frozenset[str]

    @property
    def pattern(self) -> re.Pattern[str]:
        """The full request path, each {parameter} one path segment."""
        return re.compile("/" + SERVICE_PATH + re.sub(r"\{[^}]+\}", "([^/]+)", self.path))

    @property
    def google_name(self) -> str:
        """The name Google reports in errors and quotas: "calendar.v3.Events.QuickAdd"."""
        _, resource, name = self.id.split(".")
        return f"calendar.v3.{resource[0].upper()}{resource[1:]}.{name[0].upper()}{name[1:]}"


@functools.cache
def document() -> dict[str, Any]:
    """The discovery document as shipped."""
    loaded: dict[str, Any] = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    return loaded


def methods() -> list[Method]:
    """Every method of the document (nested resources included)."""
    found: list[Method] = []

    def walk(resources: dict[str, Any]) -> None:
        for resource in resources.values():
            for raw in resource.get("methods", {}).values():
                found.append(
                    Method(raw["id"], raw["httpMethod"], raw["path"], frozenset(raw["scopes"]))
                )
            walk(resource.get("resources", {}))

    walk(document()["resources"])
    return found


def served(root_url: str) -> dict[str, Any]:
    """The document with its URLs pointing at the emulator at `root_url` ("http://h:p/")."""
    doc = copy.deepcopy(document())
    doc["rootUrl"] = root_url
    doc["baseUrl"] = root_url + SERVICE_PATH
    doc["mtlsRootUrl"] = root_url
    return doc
