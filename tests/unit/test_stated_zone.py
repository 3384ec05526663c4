"""A calendar's time zone as Google states it is untrusted: kept only if it is one."""

from __future__ import annotations

import pytest

from touchbase.calendar.google_accounts import stated_zone


@pytest.mark.parametrize(
    ("stated", "kept"),
    [
        ("Europe/Paris", "Europe/Paris"),
        (None, "UTC"),
        ("", "UTC"),
        ("Mars/Olympus", "UTC"),
        ("../../etc/passwd", "UTC"),
        ("A" * 100, "UTC"),  # longer than a calendar's row keeps
    ],
)
def test_a_calendars_zone_is_kept_only_if_it_is_one(stated: str | None, kept: str) -> None:
    assert stated_zone(stated) == kept
