"""A listing reads its rows by position: the columns must be the record's fields, in order."""

from __future__ import annotations

import msgspec

from touchbase.calendar.records import EventRecord
from touchbase.store.events import LISTED


def test_listed_columns_are_the_record_fields_in_order() -> None:
    columns = [column.key for column in LISTED]
    fields = list(msgspec.structs.fields(EventRecord))
    names = [field.name for field in fields[: len(columns)]]
    assert columns == [("local" if name == "event" else name) for name in names]
