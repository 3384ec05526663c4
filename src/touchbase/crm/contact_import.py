"""Importing contacts from a CSV or vCard file: a preview that says, per record, whether it is
new, already a contact (matched by an email, or by its name when it has none; skipped) or
invalid (each problem named), and an import that writes every new contact in one transaction,
or nothing when any record is invalid; their cadences' first touchpoints are planned after."""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.actors import Actor
from touchbase.calendar.services import CalendarServices
from touchbase.calendar.sync import STATISTICS_AFTER
from touchbase.crm import cadence
from touchbase.crm.contacts import audit_imported, emails_kept_unique
from touchbase.domain.contact_import import (
    ImportFileError,
    ImportFormat,
    ImportRecord,
    ParsedFile,
    parse_contacts,
)
from touchbase.domain.validation import FieldProblem
from touchbase.errors import InvalidImportError
from touchbase.store import contacts as contact_store
from touchbase.store.turns import taking_turns

log = logging.getLogger("touchbase.crm")
RecordStatus = Literal["new", "exists", "invalid"]
# Contacts written per step of an import, the event loop serving other requests between steps
# (a whole file of 5,000 at once held it 0.8 s).
WRITE_CHUNK = 250


class PreviewRow(msgspec.Struct, frozen=True):
    """One record and what importing would do with it (`existing`: the contact whose email
    it has)."""

    record: ImportRecord
    status: RecordStatus
    problems: tuple[FieldProblem, ...] = ()
    existing: str | None = None


class ImportPreview(msgspec.Struct, frozen=True):
    """Every record of the file, what would happen to it, and the columns not read."""

    rows: tuple[PreviewRow, ...]
    ignored_columns: tuple[str, ...]
    imported: int = 0

    def count(self, status: RecordStatus) -> int:
        """How many records have this status."""
        return sum(1 for row in self.rows if row.status == status)


async def preview_import(
    services: CalendarServices, user_id: str, kind: ImportFormat, text: str
) -> ImportPreview:
    """What importing the file would do; writes nothing."""
    parsed = await _parsed(kind, text)
    async with services.db.read() as session:
        return await _preview(session, user_id, parsed)


async def import_contacts(
    services: CalendarServices, actor: Actor, kind: ImportFormat, text: str
) -> ImportPreview:
    """Add the file's new contacts, all in one transaction with their audit entries; any
    invalid record -> InvalidImportError listing them, and nothing is added. A cadence's first
    touchpoint is planned after, in short transactions of its own (`cadence.plan_owed`); the
    contacts note that they owe it, so a process that dies first leaves it to the cadence job.
    The file is read before the transaction, which only judges and writes: 5,000 contacts
    hold SQLite's write lock about 0.2 s."""
    parsed = await _parsed(kind, text)
    now = services.clock()
    with emails_kept_unique(_added_meanwhile_error):
        async with services.db.session() as session:
            preview = await _preview(session, actor.user_id, parsed)
            if invalid := [row for row in preview.rows if row.status == "invalid"]:
                raise _invalid_error(invalid)
            new = [row.record.fields for row in preview.rows if row.status == "new"]
            async for start in taking_turns(range(0, len(new), WRITE_CHUNK), every=1):
                chunk = new[start : start + WRITE_CHUNK]
                ids = await contact_store.insert_contacts(session, actor.user_id, chunk, now=now)
                await audit_imported(session, actor, zip(ids, chunk, strict=True), now=now)
    if len(new) >= STATISTICS_AFTER:
        await services.db.refresh_statistics()
    if any(fields.cadence is not None for fields in new):
        try:
            await cadence.plan_owed(services, actor, until_none_owed=True)
        except Exception:  # the contacts are in, and still owe: the cadence job plans them
            log.exception("planning the cadences of an import by user %s failed", actor.user_id)
    return msgspec.structs.replace(preview, imported=len(new))


def _added_meanwhile_error() -> InvalidImportError:
    return InvalidImportError(
        "A contact with one of these emails was added meanwhile; nothing was imported.",
        field="content",
        action="Preview the file again.",
    )


async def _parsed(kind: ImportFormat, text: str) -> ParsedFile:
    """The file's records, or InvalidImportError naming `content`."""
    try:  # pure work on the text, up to 0.15 s: in a thread, the loop keeps its turns
        return await asyncio.to_thread(parse_contacts, kind, text)
    except ImportFileError as exc:
        raise InvalidImportError(str(exc), field="content") from None


async def _preview(session: AsyncSession, user_id: str, parsed: ParsedFile) -> ImportPreview:
    all_emails = tuple({e for r in parsed.records for e in r.fields.emails})
    taken = await contact_store.emails_of_others(session, user_id, all_emails, other_than=None)
    unreachable = tuple({r.fields.name for r in parsed.records if not r.fields.emails})
    known = await contact_store.named(session, user_id, unreachable)
    seen: dict[str, int] = {}
    rows = []
    for record in parsed.records:
        rows.append(_judged(record, taken, known, seen))
        for email in record.fields.emails:
            seen.setdefault(email, record.row)
    return ImportPreview(tuple(rows), parsed.ignored_columns)


def _judged(
    record: ImportRecord, taken: dict[str, str], known: dict[str, str], seen: dict[str, int]
) -> PreviewRow:
    """A record is already a contact when one of its emails is a contact's, or, having none
    (most of a LinkedIn export), when a contact has its name: importing a file again adds
    nothing."""
    problems = list(record.problems)
    problems += [
        FieldProblem(f"emails[{n}]", f"{email} is also on row {seen[email]}")
        for n, email in enumerate(record.fields.emails)
        if email in seen
    ]
    if problems:
        return PreviewRow(record, "invalid", tuple(problems))
    existing = next((taken[e] for e in record.fields.emails if e in taken), None)
    if not record.fields.emails:
        existing = known.get(record.fields.name)
    return PreviewRow(record, "exists" if existing else "new", existing=existing)


def _invalid_error(invalid: list[PreviewRow]) -> InvalidImportError:
    first = invalid[0]
    problem = first.problems[0]
    return InvalidImportError(
        f"Row {first.record.row}: {problem.field}: {problem.message}. "
        f"{len(invalid)} row(s) have problems; nothing was imported.",
        field="content",
        details={
            "rows": [
                {
                    "row": row.record.row,
                    "problems": [{"field": p.field, "message": p.message} for p in row.problems],
                }
                for row in invalid
            ]
        },
    )
