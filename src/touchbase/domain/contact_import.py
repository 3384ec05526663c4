"""Reading contacts out of a CSV file (a spreadsheet, a CRM's or Google Contacts' export) or a
vCard file: each record becomes a contact's fields or the problems that stop it, named by
field. Untrusted text: sizes are capped and any parse failure is the file's problem."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal

import msgspec
import vobject  # type: ignore[import-untyped]

from touchbase.domain.contacts import (
    Cadence,
    ContactFields,
    ContactValidationError,
    cleaned,
    validate_contact,
)
from touchbase.domain.validation import FieldProblem

MAX_IMPORT_CHARS = 900_000  # under the API's 1 MiB body
MAX_IMPORT_ROWS = 5_000
ImportFormat = Literal["csv", "vcard"]
_CADENCE = re.compile(r"^(?:every\s+)?(\d{1,4})?\s*(day|week|month)s?$")
_EMAIL_SEPARATORS = re.compile(r"\s*(?::::|;|,)\s*|\s+")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not CSV or vCard, no name column, too large)."""


class ImportRecord(msgspec.Struct, frozen=True):
    """One record of the file: `row` is its spreadsheet row (the header is row 1) or the
    vCard's number in the file; `fields` are cleaned, valid only if `problems` is empty."""

    row: int
    fields: ContactFields
    problems: tuple[FieldProblem, ...] = ()


class ParsedFile(msgspec.Struct, frozen=True):
    """What a file holds: its records and the CSV columns not read."""

    records: tuple[ImportRecord, ...]
    ignored_columns: tuple[str, ...] = ()


def parse_contacts(kind: ImportFormat, text: str) -> ParsedFile:
    """The records of a CSV or vCard file, or ImportFileError saying why none can be read."""
    if len(text) > MAX_IMPORT_CHARS:
        raise ImportFileError(f"The file is over {MAX_IMPORT_CHARS:,} characters; split it.")
    text = text.removeprefix("\ufeff")
    parsed = _parse_csv(text) if kind == "csv" else _parse_vcard(text)
    if not parsed.records:
        raise ImportFileError("The file holds no contacts.")
    return parsed


def _record(row: int, raw: dict[str, Any], extra: list[FieldProblem]) -> ImportRecord:
    fields = cleaned(ContactFields(**raw))
    problems = list(extra)
    try:
        validate_contact(fields)
    except ContactValidationError as exc:
        problems = list(exc.problems) + problems
    return ImportRecord(row, fields, tuple(problems))


def _too_many(count: int) -> None:
    if count > MAX_IMPORT_ROWS:
        raise ImportFileError(f"The file has over {MAX_IMPORT_ROWS:,} contacts; split it.")


# --- CSV ------------------------------------------------------------------------------------


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _column_of(header: str) -> str | None:
    """Which contact field a CSV column holds, by its header's usual spellings (ours, Google
    Contacts', Outlook's, CRMs'), or None to ignore it."""
    key = _key(header)
    if key.endswith(("type", "label")):
        return None
    rules: list[tuple[Callable[[str], bool], str]] = [
        (lambda k: k in {"name", "fullname", "displayname", "contact", "contactname"}, "name"),
        (lambda k: k in {"firstname", "givenname"}, "first"),
        (lambda k: k in {"lastname", "familyname", "surname"}, "last"),
        (lambda k: k.startswith(("email", "mail")), "emails"),
        (lambda k: "title" in k or k in {"position", "role"}, "title"),
        (lambda k: k.startswith(("company", "organization", "organisation", "org")), "company"),
        (lambda k: k.startswith(("phone", "mobile", "tel", "cell")), "phone"),
        (lambda k: k in {"timezone", "tz"}, "time_zone"),
        (lambda k: k in {"notes", "note", "comments"}, "notes"),
        (lambda k: k in {"cadence", "keepintouch", "every"}, "cadence"),
    ]
    return next((field for test, field in rules if test(key)), None)


def _parse_csv(text: str) -> ParsedFile:
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096].partition("\n")[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader, [])
        columns = [_column_of(h) for h in header]
        if "name" not in columns and not {"first", "last"} & set(columns):
            raise ImportFileError(
                "The first row must name the columns, one of them name (or first name and "
                "last name); others can be email, company, title, phone, time zone, notes, "
                "cadence."
            )
        records = list(_csv_records(reader, columns))
    except csv.Error as exc:
        raise ImportFileError(f"Row {reader.line_num}: not CSV ({exc}).") from None
    ignored = tuple(h for h, c in zip(header, columns, strict=True) if c is None and h.strip())
    return ParsedFile(tuple(records), ignored)


def _csv_records(rows: Iterable[list[str]], columns: list[str | None]) -> Iterator[ImportRecord]:
    for count, cells in enumerate(rows, start=1):
        _too_many(count)
        if not any(cell.strip() for cell in cells):
            continue
        values: dict[str, list[str]] = {}
        for column, cell in zip(columns, cells, strict=False):
            if column and cell.strip():
                values.setdefault(column, []).append(cell.strip())
        yield _csv_record(count + 1, values)


def _csv_record(row: int, values: dict[str, list[str]]) -> ImportRecord:
    joined = {k: " ".join(v) for k, v in values.items()}
    name = joined.get("name") or " ".join(
        part for part in (joined.get("first", ""), joined.get("last", "")) if part
    )
    emails = [e for cell in values.get("emails", []) for e in _EMAIL_SEPARATORS.split(cell) if e]
    raw = {
        "name": name,
        "emails": tuple(emails),
        "company": joined.get("company", ""),
        "title": joined.get("title", ""),
        "phone": values.get("phone", [""])[0],
        "time_zone": joined.get("time_zone"),
        "notes": "\n".join(values.get("notes", [])),
    }
    cadence, problems = _cadence(joined.get("cadence", ""))
    return _record(row, {**raw, "cadence": cadence}, problems)


def _cadence(text: str) -> tuple[Cadence | None, list[FieldProblem]]:
    """ "every 2 weeks", "3 months", "week" -> a cadence; "" -> none."""
    if not text:
        return None, []
    found = _CADENCE.match(text.strip().lower())
    if not found:
        return None, [FieldProblem("cadence", f"{text!r}: write it as 'every 2 weeks'")]
    every, unit = found.groups()
    return msgspec.convert({"every": int(every or 1), "unit": unit}, Cadence), []


# --- vCard ----------------------------------------------------------------------------------


def _parse_vcard(text: str) -> ParsedFile:
    records: list[ImportRecord] = []
    try:
        for number, card in enumerate(vobject.readComponents(text), start=1):
            _too_many(number)
            records.append(_vcard_record(number, card))
    except ImportFileError:
        raise
    except Exception as exc:  # any way the parser fails on untrusted text is the file's fault
        raise ImportFileError(f"Not a vCard file: {exc}"[:300]) from None
    return ParsedFile(tuple(records))


def _values(card: Any, name: str) -> list[Any]:
    return [line.value for line in card.contents.get(name, [])]


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(_text(v) for v in value if v)
    return str(value or "").strip()


def _vcard_record(number: int, card: Any) -> ImportRecord:
    if card.name != "VCARD":
        return ImportRecord(number, ContactFields(name=""), (FieldProblem("card", "not a vCard"),))
    name = _text((_values(card, "fn") or [""])[0])
    if not name and (names := _values(card, "n")):
        parts = (names[0].prefix, names[0].given, names[0].additional, names[0].family)
        name = " ".join(_text(p) for p in parts if _text(p))
    org = (_values(card, "org") or [""])[0]
    raw = {
        "name": name,
        "emails": tuple(_text(e) for e in _values(card, "email")),
        "company": _text(org[0] if isinstance(org, list) and org else org),
        "title": _text((_values(card, "title") or [""])[0]),
        "phone": _text((_values(card, "tel") or [""])[0]),
        "time_zone": _text((_values(card, "tz") or [""])[0]) or None,
        "notes": "\n".join(_text(n) for n in _values(card, "note")),
    }
    if raw["time_zone"] and "/" not in raw["time_zone"]:
        raw["time_zone"] = None  # a UTC offset ("-05:00") names no zone; leave it unset
    return _record(number, raw, [])
