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
    shared = {"title": "Kickoff"}  # one object as both local and base
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
    prepared = driver_values(EVENTS, rows, "sqlite")
    assert prepared.shared == {}
    assert prepared.columns == ["id", "local", "base", "created_at", "last_error"]
    assert prepared.values == [
        ("a", '{"title":"Kickoff"}', '{"title":"Kickoff"}', "2027-01-01 09:00:00.000000", None),
        ("b", '{"title":"Review"}', None, "2027-01-01 10:00:00.000000", '{"code":"X"}'),
    ]
    # PostgreSQL's driver takes datetimes as they are.
    assert driver_values(EVENTS, rows, "postgresql").values[1][3] == now + timedelta(hours=1)


def test_a_column_null_in_every_row_is_left_to_its_default() -> None:
    rows: list[dict[str, Any]] = [
        {"id": "a", "base": None, "etag": None, "pending_op": None},
        {"id": "b", "base": None, "etag": '"2"', "pending_op": None},
    ]
    prepared = driver_values(EVENTS, rows, "postgresql")
    assert prepared.columns == ["id", "etag"]
    assert prepared.values == [("a", None), ("b", '"2"')]
    # A NOT NULL column is never left out: None there is an error the database must report.
    assert driver_values(EVENTS, [{"id": "c", "user_id": None}], "sqlite").columns == [
        "id",
        "user_id",
    ]


def test_on_sqlite_a_value_every_row_has_is_bound_once() -> None:
    now = datetime(2027, 1, 1, 9, tzinfo=UTC)
    rows: list[dict[str, Any]] = [
        {"id": "a", "user_id": "u", "created_at": now, "last_error": {"code": "X"}},
        {"id": "b", "user_id": "u", "created_at": now, "last_error": {"code": "X"}},
    ]
    prepared = driver_values(EVENTS, rows, "sqlite")
    assert prepared.shared == {
        "user_id": "u",
        "created_at": "2027-01-01 09:00:00.000000",
        "last_error": '{"code":"X"}',
    }
    assert (prepared.columns, prepared.values) == (["id"], [("a",), ("b",)])
    # Every column the same: one still comes from the rows, which give the statement its count.
    twins = driver_values(EVENTS, [{"user_id": "u"}, {"user_id": "u"}], "sqlite")
    assert (twins.shared, twins.columns, twins.values) == ({}, ["user_id"], [("u",), ("u",)])
    assert driver_values(EVENTS, rows, "postgresql").shared == {}


def test_an_event_struct_is_stored_as_its_codec_json() -> None:
    start = datetime(2027, 1, 1, 9, tzinfo=UTC)
    event = CalendarEvent(
        title="Kickoff", start=EventTime.at(start), end=EventTime.at(start + timedelta(hours=1))
    )
    values = driver_values(EVENTS, [{"local": event}], "sqlite").values
    assert json.loads(values[0][0]) == event_to_json(event)
    assert event_from_json(json.loads(values[0][0])) == event


def test_values_common_to_every_row_are_given_once() -> None:
    now = datetime(2027, 1, 1, 9, tzinfo=UTC)
    rows: list[dict[str, Any]] = [{"id": "a"}, {"id": "b"}]
    common = {"user_id": "u", "created_at": now, "last_error": None}
    on_sqlite = driver_values(EVENTS, rows, "sqlite", common)
    # Bound once per statement; a NULL-by-default column left to its default.
    assert on_sqlite.shared == {"user_id": "u", "created_at": "2027-01-01 09:00:00.000000"}
    assert (on_sqlite.columns, on_sqlite.values) == (["id"], [("a",), ("b",)])
    # PostgreSQL's plain VALUES carries them in every row.
    on_postgres = driver_values(EVENTS, rows, "postgresql", common)
    assert on_postgres.shared == {}
    assert on_postgres.columns == ["id", "user_id", "created_at"]
    assert on_postgres.values == [("a", "u", now), ("b", "u", now)]
