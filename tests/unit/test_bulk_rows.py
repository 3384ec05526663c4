"""Bulk inserts store datetimes exactly as SQLAlchemy's SQLite dialect does (window queries
compare them as text), and JSON as text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Table
from sqlalchemy.dialects import sqlite

from touchbase.domain import CalendarEvent, EventTime
from touchbase.store.bulk import _sqlite_datetime, driver_values
from touchbase.store.codec import event_from_json, event_to_json
from touchbase.store.models import Event

EVENTS: Table = Event.__table__  # type: ignore[assignment]

OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@given(st.datetimes(timezones=st.just(UTC) | OFFSETS))
def test_bulk_datetimes_match_the_dialect(value: datetime) -> None:
    dialect = sqlite.dialect()
    processor = sqlite.DATETIME().bind_processor(dialect)
    assert processor is not None
    expected = processor(value.astimezone(UTC).replace(tzinfo=None))
    assert _sqlite_datetime(value) == expected


def test_none_stays_none() -> None:
    assert _sqlite_datetime(None) is None


def test_rows_become_driver_tuples_a_column_at_a_time() -> None:
    now = datetime(2027, 1, 1, 9, tzinfo=UTC)
    shared = {"title": "Kickoff"}  # one event's JSON as both local and base: encoded once
    rows: list[dict[str, Any]] = [
        {"id": "a", "local": shared, "base": shared, "created_at": now, "last_error": None},
        {
            "id": "b",
            "local": {"title": "Review"},
            "base": None,
            "created_at": now + timedelta(hours=1),
            "last_error": {"code": "X"},
        },
    ]
    columns, values = driver_values(EVENTS, rows, "sqlite")
    assert columns == ["id", "local", "base", "created_at", "last_error"]
    assert values == [
        ("a", '{"title":"Kickoff"}', '{"title":"Kickoff"}', "2027-01-01 09:00:00.000000", None),
        ("b", '{"title":"Review"}', None, "2027-01-01 10:00:00.000000", '{"code":"X"}'),
    ]
    # PostgreSQL's driver takes datetimes as they are.
    assert driver_values(EVENTS, rows, "postgresql")[1][1][3] == now + timedelta(hours=1)


def test_an_event_struct_is_stored_as_its_codec_json() -> None:
    start = datetime(2027, 1, 1, 9, tzinfo=UTC)
    event = CalendarEvent(
        title="Kickoff", start=EventTime.at(start), end=EventTime.at(start + timedelta(hours=1))
    )
    _, values = driver_values(EVENTS, [{"local": event}], "sqlite")
    assert json.loads(values[0][0]) == event_to_json(event)
    assert event_from_json(json.loads(values[0][0])) == event
