"""Contacts as a file to take elsewhere, or to import again: CSV (a spreadsheet's) or vCard.

The CSV's columns are the ones the import reads first (and two it ignores: when the user was
last in touch, the next touchpoint). A spreadsheet runs a cell that begins with "=", "+",
"-" or "@" as a formula, and a contact's details may come from anyone (an imported file, a
form): such a cell is written with a leading "'", which spreadsheets show as text and the
import takes off again (`unguarded`). A phone number's "+" is left as it is."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import vobject  # type: ignore[import-untyped]

from touchbase.domain.contacts import Cadence, ContactFields

CSV_HEADER = (
    "Name",
    "Emails",
    "Company",
    "Title",
    "Phone",
    "Time zone",
    "Cadence",
    "Notes",
    "Last contacted",
    "Next touchpoint",
)
CADENCE_PROPERTY = "X-TOUCHBASE-CADENCE"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PHONE_LIKE = re.compile(r"\+?[\d\s().\-/]+(?:\s*(?:x|ext\.?)\s*\d+)?", re.IGNORECASE)


@dataclass(frozen=True)
class ExportedContact:
    """One contact's row: their details, and the two dates a keep-in-touch list is about."""

    fields: ContactFields
    last_contacted: datetime | None = None
    next_touchpoint: date | datetime | None = None


def cadence_text(cadence: Cadence | None) -> str:
    """ "every 2 weeks", "every week"; "" for none (as the import reads it)."""
    if cadence is None:
        return ""
    if cadence.every == 1:
        return f"every {cadence.unit}"
    return f"every {cadence.every} {cadence.unit}s"


def guarded(cell: str) -> str:
    """A cell a spreadsheet shows as the text it is, never runs as a formula."""
    if cell.startswith(_FORMULA_START) and not _PHONE_LIKE.fullmatch(cell):
        return "'" + cell
    return cell


def unguarded(cell: str) -> str:
    """A cell as `guarded` had it (a "'" before what would be a formula taken off)."""
    if cell.startswith("'") and cell[1:].startswith(_FORMULA_START):
        return cell[1:]
    return cell


def to_csv(contacts: Iterable[ExportedContact]) -> str:
    """The contacts as CSV, with a byte-order mark (Excel reads UTF-8 by it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for contact in contacts:
        writer.writerow([guarded(cell) for cell in _cells(contact)])
    return "\ufeff" + out.getvalue()


def _cells(contact: ExportedContact) -> list[str]:
    fields = contact.fields
    return [
        fields.name,
        ", ".join(fields.emails),
        fields.company,
        fields.title,
        fields.phone,
        fields.time_zone or "",
        cadence_text(fields.cadence),
        fields.notes,
        contact.last_contacted.isoformat() if contact.last_contacted else "",
        contact.next_touchpoint.isoformat() if contact.next_touchpoint else "",
    ]


def to_vcard(contacts: Iterable[ExportedContact]) -> str:
    """The contacts as vCard 3.0 cards, one after another."""
    return "".join(_card(contact.fields).serialize() for contact in contacts)


def _card(fields: ContactFields) -> vobject.base.Component:
    card = vobject.vCard()
    card.add("fn").value = fields.name
    given, _, family = fields.name.rpartition(" ")
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    for email in fields.emails:
        line = card.add("email")
        line.value, line.type_param = email, "INTERNET"
    if fields.company:
        card.add("org").value = [fields.company]
    for name, value in (
        ("title", fields.title),
        ("tel", fields.phone),
        ("tz", fields.time_zone or ""),
        ("note", fields.notes),
        (CADENCE_PROPERTY.lower(), cadence_text(fields.cadence)),
    ):
        if value:
            card.add(name).value = value
    return card
