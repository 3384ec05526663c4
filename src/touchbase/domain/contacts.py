"""What makes a contact valid: cleaned fields, and every problem named by its field."""

from __future__ import annotations

from typing import Literal, cast, get_args

import msgspec

from touchbase.domain.sanitize import clean_line
from touchbase.domain.validation import FieldProblem, is_valid_email, is_valid_time_zone
from touchbase.domain.zone_names import zone_read

MAX_NAME = 200
MAX_LINE = 200
MAX_PHONE = 50
MAX_NOTES = 20_000
MAX_EMAILS = 10
MAX_CADENCE = {"day": 3650, "week": 520, "month": 120}
CadenceUnit = Literal["day", "week", "month"]


class Cadence(msgspec.Struct, frozen=True):
    """Keep in touch every `every` days, weeks or months."""

    every: int
    unit: CadenceUnit


def cadence_from(every: int | None, unit: str | None) -> Cadence | None:
    """The cadence a contact's stored columns hold, if any."""
    if every and unit in get_args(CadenceUnit):
        return Cadence(every, cast(CadenceUnit, unit))
    return None


class ContactFields(msgspec.Struct, frozen=True):
    """A contact's own details, as the user gives them."""

    name: str
    emails: tuple[str, ...] = ()
    company: str = ""
    title: str = ""
    phone: str = ""
    time_zone: str | None = None
    notes: str = ""
    cadence: Cadence | None = None


class ContactValidationError(ValueError):
    """The contact is invalid; `problems` lists every invalid field."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = tuple(problems)


def cleaned(fields: ContactFields) -> ContactFields:
    """One-line fields without control characters or breaks; emails lower-case, each once,
    in the order given; the time zone as the IANA name it means, as people write it ("EST",
    "Pacific Time", "Berlin"); notes kept as written, less control characters."""
    emails = dict.fromkeys(clean_line(e).lower() for e in fields.emails if clean_line(e))
    return msgspec.structs.replace(
        fields,
        name=clean_line(fields.name),
        emails=tuple(emails),
        company=clean_line(fields.company),
        title=clean_line(fields.title),
        phone=clean_line(fields.phone),
        time_zone=zone_read(clean_line(fields.time_zone)) if fields.time_zone else None,
        notes="".join(c for c in fields.notes if c in "\n\t" or c.isprintable()).strip(),
    )


def validate_contact(fields: ContactFields) -> None:
    """ContactValidationError naming every invalid field of a cleaned contact."""
    problems = [
        *_text("name", fields.name, MAX_NAME, required=True),
        *_text("company", fields.company, MAX_LINE),
        *_text("title", fields.title, MAX_LINE),
        *_text("phone", fields.phone, MAX_PHONE),
        *_text("notes", fields.notes, MAX_NOTES),
        *_emails(fields.emails),
    ]
    if fields.time_zone is not None and not is_valid_time_zone(fields.time_zone):
        problems.append(
            FieldProblem("timeZone", "not a time zone (Europe/Berlin, Berlin, Eastern Time)")
        )
    if fields.cadence is not None:
        most = MAX_CADENCE[fields.cadence.unit]
        if not 1 <= fields.cadence.every <= most:
            problems.append(
                FieldProblem("cadence.every", f"from 1 to {most} for {fields.cadence.unit}s")
            )
    if problems:
        raise ContactValidationError(problems)


def _text(field: str, value: str, most: int, *, required: bool = False) -> list[FieldProblem]:
    if required and not value:
        return [FieldProblem(field, "required")]
    if len(value) > most:
        return [FieldProblem(field, f"at most {most} characters")]
    return []


def _emails(emails: tuple[str, ...]) -> list[FieldProblem]:
    if len(emails) > MAX_EMAILS:
        return [FieldProblem("emails", f"at most {MAX_EMAILS} addresses")]
    return [
        FieldProblem(f"emails[{n}]", f"{address!r} is not an email address")
        for n, address in enumerate(emails)
        if not is_valid_email(address)
    ]
