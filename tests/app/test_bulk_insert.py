"""A bulk insert stores exactly what the ORM reads back, on SQLite and PostgreSQL: values given
once for every row or found the same in every row, columns left to their NULL default, and
rows spread over several statements."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from touchbase.calendar.pull_applier import AUDIT_TABLE, EVENTS_TABLE
from touchbase.domain import CalendarEvent, EventTime
from touchbase.store.accounts import create_user, new_id, upsert_calendar
from touchbase.store.bulk import PARAMETERS_PER_STATEMENT, insert_rows
from touchbase.store.database import Database
from touchbase.store.models import AuditEntry, Event

NOW = datetime(2027, 3, 1, 12, 30, 15, 250_000, tzinfo=UTC)


def _event(n: int) -> CalendarEvent:
    start = datetime(2027, 1, 1, tzinfo=UTC) + timedelta(hours=n)
    return CalendarEvent(
        title=f"Event {n}", start=EventTime.at(start), end=EventTime.at(start + timedelta(hours=1))
    )


async def _insert_and_read(
    url: str, count: int
) -> tuple[list[Event], list[AuditEntry], tuple[str, str]]:
    db = Database(url)
    try:
        async with db.session() as session:
            user = await create_user(session, "bulk@example.com", now=NOW)
            calendar = await upsert_calendar(
                session,
                user_id=user.id,
                google_calendar_id="bulk@example.com",
                summary="Bulk",
                time_zone="UTC",
                is_primary=True,
            )
            events = [_event(n) for n in range(count)]
            await insert_rows(
                session,
                EVENTS_TABLE,
                [
                    {
                        "id": new_id(),
                        "google_event_id": f"g{n}",
                        "idempotency_key": None,
                        "local": event,
                        "base": None,
                        "etag": f'"{n}"',
                        "start_at": event.start.date_time,
                        "end_at": event.end.date_time,
                        "contact_id": "c1" if n % 2 else None,
                        "recurring_event_id": None,
                        "is_touchpoint": False,
                        "sync_status": "synced",
                        "pending_op": None,
                        "push_attempts": 0,
                        "next_push_at": None,
                        "push_lease_until": None,
                        "created_at": NOW,
                    }
                    for n, event in enumerate(events)
                ],
                # given once, for every row
                {
                    "user_id": user.id,
                    "calendar_id": calendar.id,
                    "deleted": False,
                    "send_updates": "none",
                    "last_error": None,
                    "updated_at": NOW,
                },
            )
            await insert_rows(
                session,
                AUDIT_TABLE,
                [
                    {
                        "user_id": user.id,
                        "event_id": None,
                        "action": "sync_create",
                        "source": "sync",
                        "actor": "google",
                        "at": NOW,
                        "changes": {"n": n},
                    }
                    for n in range(count)
                ],
            )
        async with db.session() as session:
            rows = list(await session.scalars(select(Event).order_by(Event.start_at)))
            audit = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        return rows, audit, (user.id, calendar.id)
    finally:
        await db.dispose()


def test_a_bulk_insert_reads_back_as_written(database_url: str) -> None:
    count = PARAMETERS_PER_STATEMENT // 4  # more rows than one statement of events holds
    rows, audit, (user_id, calendar_id) = asyncio.run(_insert_and_read(database_url, count))
    assert len(rows) == count
    for n, row in enumerate(rows):
        event = _event(n)
        assert (row.google_event_id, row.etag) == (f"g{n}", f'"{n}"')
        assert (row.user_id, row.calendar_id) == (user_id, calendar_id)
        assert (row.start_at, row.end_at) == (event.start.date_time, event.end.date_time)
        assert row.contact_id == ("c1" if n % 2 else None)
        assert (row.created_at, row.updated_at) == (NOW, NOW)
        assert (row.sync_status, row.deleted, row.is_touchpoint, row.push_attempts) == (
            "synced",
            False,
            False,
            0,
        )
        assert (row.pending_op, row.stored_base, row.idempotency_key, row.last_error) == (
            None,
            None,
            None,
            None,
        )
        assert row.local["title"] == f"Event {n}"
    assert [(a.user_id, a.action, a.at, a.changes) for a in audit] == [
        (user_id, "sync_create", NOW, {"n": n}) for n in range(count)
    ]
