"""Whose a calendar is, from the user's role on it, its id and its data owner
(`Calendar.shared`)."""

from __future__ import annotations

import pytest

from touchbase.store.models import Calendar


def _calendar(
    google_id: str, role: str | None, *, primary: bool = False, owned_by_other: bool | None = None
) -> Calendar:
    return Calendar(
        google_calendar_id=google_id,
        access_role=role,
        is_primary=primary,
        owned_by_other=owned_by_other,
    )


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


@pytest.mark.parametrize(
    ("role", "owned_by_other", "shared"),
    [
        ("owner", True, True),  # Bob's secondary calendar, which she manages
        ("owner", False, False),  # her own secondary calendar
        ("owner", None, False),  # not asked yet: taken as hers
        ("reader", False, True),
    ],
)
def test_a_secondary_calendar_is_someone_elses_by_its_data_owner(
    role: str, owned_by_other: bool | None, shared: bool
) -> None:
    calendar = _calendar("abc@group.calendar.google.com", role, owned_by_other=owned_by_other)
    assert calendar.shared is shared
