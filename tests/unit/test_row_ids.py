"""Row ids are version-7 UUIDs: valid, unique, and in the order they were made (at millisecond
resolution), so new rows append to the primary-key index."""

from __future__ import annotations

import time
import uuid

from touchbase.store.accounts import new_id, new_ids


def test_a_row_id_is_a_version_7_uuid_in_canonical_text() -> None:
    for text in [new_id() for _ in range(500)] + new_ids(500):
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 7
        assert parsed.variant == uuid.RFC_4122


def test_ids_made_at_once_are_as_many_as_asked_distinct_and_random() -> None:
    ids = new_ids(2_000)
    assert len(set(ids)) == 2_000
    assert new_ids(0) == []
    # 74 random bits each: every hex digit of the random part takes all 16 values.
    random_parts = [text.replace("-", "")[13:] for text in ids]
    for position in (0, 1, 2, 4, 5, 6, 7, 8, 18):
        assert len({part[position] for part in random_parts}) == 16


def test_row_ids_start_with_the_time_they_were_made() -> None:
    before = time.time_ns() // 1_000_000
    made = uuid.UUID(new_id()).int >> 80  # the first 48 bits: Unix time in milliseconds
    after = time.time_ns() // 1_000_000
    assert before <= made <= after


def test_row_ids_made_later_sort_later_and_never_repeat() -> None:
    earlier = [new_id() for _ in range(500)]
    time.sleep(0.002)
    later = [new_id() for _ in range(500)]
    assert max(earlier) < min(later)
    assert len(set(earlier + later)) == 1_000
