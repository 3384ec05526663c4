"""Bulk inserts store datetimes exactly as SQLAlchemy's SQLite dialect does (window queries
compare them as text)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from touchbase.store.bulk import _sqlite_datetime

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
