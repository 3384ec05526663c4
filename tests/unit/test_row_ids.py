"""Row ids are version-7 UUIDs: valid, unique, and in the order they were made (at millisecond
resolution), so new rows append to the primary-key index."""

from __future__ import annotations

import time
import uuid

from touchbase.store.accounts import new_id


def test_a_row_id_is_a_version_7_uuid_in_canonical_text() -> None:
    for _ in range(1_000):
        text = new_id()
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 7
        assert parsed.variant == uuid.RFC_4122


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
