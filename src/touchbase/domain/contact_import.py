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

from touchbase.domain.contact_export import CADENCE_PROPERTY, unguarded
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
_UTC_OFFSET = re.compile(r"(?:UTC|GMT)?\s*[+-]\d{1,2}(?::?\d{2})?", re.IGNORECASE)


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


# Columns about something else than the contact's own details: a field's kind ("E-mail 1 -
# Type"), a name's reading (Outlook's "Company Yomi", Google's "Phonetic First Name"),
# someone else's (Outlook's "Assistant's Phone").
_NOT_THEIRS = ("yomi", "phonetic", "assistant", "manager", "telex")
# "Email", "E-mail 2 Address", "E-mail 1 - Value", "Work Email", "Email - Home", "Emails";
# not "Mailing City", "Email Opt Out", "Email Domain" or "E-mail Display Name".
_KIND = r"(work|home|other|personal|primary|business|private)?"
_EMAIL = re.compile(_KIND + r"e?mails?\d*(address(es)?|value)?\d*" + _KIND + r"\d*")
_COMPANY = re.compile(r"company(name)?|organi[sz]ation\d*(name)?|org|account(name)?")
# Of several phone columns, the first filled in this order of their headers' words.
_PHONE_PREFERENCE = ("primary", "mobile", "cell", "business", "work", "home")


def _column_of(header: str) -> str | None:
    """Which contact field a CSV column holds, by its header's usual spellings (ours, Google
    Contacts', Outlook's, LinkedIn's, CRMs'), or None to ignore it. `title` is a bare "Title"
    column: a job title unless a more specific one is there too (Outlook's is the name's
    prefix, "Dr.", beside its "Job Title")."""
    key = _key(header)
    if key.endswith(("type", "label")) or any(word in key for word in _NOT_THEIRS):
        return None
    rules: list[tuple[Callable[[str], bool], str]] = [
        (lambda k: k in {"name", "fullname", "displayname", "contact", "contactname"}, "name"),
        (lambda k: k in {"firstname", "givenname"}, "first"),
        (lambda k: k in {"lastname", "familyname", "surname"}, "last"),
        (lambda k: _EMAIL.fullmatch(k) is not None, "emails"),
        (lambda k: "phone" in k or k.startswith(("mobile", "tel", "cell")), "phone"),
        (lambda k: k == "title", "title"),
        (lambda k: "title" in k or k in {"position", "role"}, "job_title"),
        (lambda k: _COMPANY.fullmatch(k) is not None, "company"),
        (lambda k: k in {"timezone", "tz"}, "time_zone"),
        (lambda k: k in {"notes", "note", "comments"}, "notes"),
        (lambda k: k in {"cadence", "keepintouch", "every"}, "cadence"),
    ]
    return next((field for test, field in rules if test(key)), None)


def _phone_rank(header: str) -> int:
    key = _key(header)
    return next((n for n, w in enumerate(_PHONE_PREFERENCE) if w in key), len(_PHONE_PREFERENCE))


# Lines an export may put before its header: LinkedIn's connections begin with three of notes.
MAX_PREAMBLE = 10


def _names_someone(columns: list[str | None]) -> bool:
    return "name" in columns or bool({"first", "last"} & set(columns))


def _readings(line: str) -> list[list[str]]:
    """A line's non-empty cells as each separator would read them."""
    readings = []
    for separator in ",;\t":
        try:
            cells = next(csv.reader([line], delimiter=separator), [])
        except csv.Error:
            cells = [line]
        readings.append([cell.strip() for cell in cells if cell.strip()])
    return readings


def _header_line(text: str) -> int:
    """How many lines come before the header: notes of one cell each may (LinkedIn's three
    lines of them), up to `MAX_PREAMBLE`; the header names a name column (or first and last
    name columns), however its cells are separated."""
    lines = io.StringIO(text)
    for number in range(MAX_PREAMBLE + 1):
        readings = _readings(lines.readline())
        if any(_names_someone([_column_of(cell) for cell in cells]) for cells in readings):
            return number
        if max(len(cells) for cells in readings) > 1:
            break  # a row of the table, and no header before it
    raise ImportFileError(
        "The first row must name the columns, one of them name (or first name and last "
        "name); others can be email, company, title, phone, time zone, notes, cadence."
    )


def _parse_csv(text: str) -> ParsedFile:
    skipped = _header_line(text)
    lines = io.StringIO(text)
    for _ in range(skipped):
        lines.readline()
    rest = lines.read()
    try:
        delimiter = csv.Sniffer().sniff(rest[:4096].partition("\n")[0], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    # Only the delimiter is guessed from the header: quotes are RFC 4180's, a quote inside a
    # quoted cell doubled (the sniffer, seeing no quote in a header, guessed otherwise).
    reader = csv.reader(io.StringIO(rest), csv.excel, delimiter=delimiter)
    try:
        header = next(reader, [])
        columns = _chosen(header)
        records = list(_csv_records(reader, columns, first_row=skipped + 2))
    except csv.Error as exc:
        raise ImportFileError(f"Row {skipped + reader.line_num}: not CSV ({exc}).") from None
    read = {n for n, _ in columns}
    ignored = tuple(h for n, h in enumerate(header) if n not in read and h.strip())
    return ParsedFile(tuple(records), ignored)


def _chosen(header: list[str]) -> list[tuple[int, str]]:
    """The columns read, (position, field), a field's columns in the order their values are
    taken: phones by `_PHONE_PREFERENCE`, the rest as in the file."""
    fields = [_column_of(h) for h in header]
    if "job_title" in fields:
        fields = [None if f == "title" else f for f in fields]
    read = [(n, "title" if f == "job_title" else f) for n, f in enumerate(fields) if f]
    return sorted(read, key=lambda c: _phone_rank(header[c[0]]) if c[1] == "phone" else 0)


def _csv_records(
    rows: Iterable[list[str]], columns: list[tuple[int, str]], *, first_row: int
) -> Iterator[ImportRecord]:
    for count, cells in enumerate(rows):
        _too_many(count + 1)
        if not any(cell.strip() for cell in cells):
            continue
        values: dict[str, list[str]] = {}
        for position, column in columns:
            cell = unguarded(cells[position].strip()) if position < len(cells) else ""
            if cell:
                values.setdefault(column, []).append(cell)
        yield _csv_record(first_row + count, values)


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


def _zone_of(tz: str) -> str | None:
    """A vCard's TZ as the contact's zone: a UTC offset ("-05:00") names no zone."""
    return None if _UTC_OFFSET.fullmatch(tz) else tz


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
        "time_zone": _zone_of(_text((_values(card, "tz") or [""])[0])),
        "notes": "\n".join(_text(n) for n in _values(card, "note")),
    }
    cadence, problems = _cadence(_text((_values(card, CADENCE_PROPERTY.lower()) or [""])[0]))
    return _record(number, {**raw, "cadence": cadence}, problems)
