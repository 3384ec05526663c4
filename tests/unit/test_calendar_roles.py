"""Whose a calendar is, from the user's role on it and its id (`Calendar.shared`)."""

from __future__ import annotations

import pytest

from touchbase.store.models import Calendar


def _calendar(google_id: str, role: str | None, *, primary: bool = False) -> Calendar:
    return Calendar(google_calendar_id=google_id, access_role=role, is_primary=primary)


@pytest.mark.parametrize(
    ("google_id", "role", "primary", "shared"),
    [
        ("alice@example.com", "owner", True, False),  # the user's own primary
        ("alice@example.com", None, True, False),
        ("bob@example.com", "owner", False, True),  # Bob's, which she manages
        ("bob@example.com", "writer", False, True),
        ("abc123@group.calendar.google.com", "owner", False, False),  # hers, or told apart never
        ("abc123@group.calendar.google.com", "reader", False, True),
        ("en.usa#holiday@group.v.calendar.google.com", "owner", False, False),
        ("c_room9@resource.calendar.google.com", "owner", False, False),
        ("bob@example.com", None, False, False),  # role not known yet: taken as hers
    ],
)
def test_a_calendar_is_someone_elses_by_role_or_by_a_persons_address(
    google_id: str, role: str | None, primary: bool, shared: bool
) -> None:
    assert _calendar(google_id, role, primary=primary).shared is shared
