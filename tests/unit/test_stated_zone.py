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
        ("US/Pacific", "US/Pacific"),  # an old name IANA still links
        ("localtime", "UTC"),  # a file of the zone directory: the server's own zone
        ("right/Europe/Paris", "UTC"),  # ... counting leap seconds
        ("posix/Europe/Paris", "UTC"),
        ("Factory", "UTC"),  # IANA's stand-in for a machine whose zone was never set
        ("A" * 100, "UTC"),  # longer than a calendar's row keeps
    ],
)
def test_a_calendars_zone_is_kept_only_if_it_is_one(stated: str | None, kept: str) -> None:
    assert stated_zone(stated) == kept
