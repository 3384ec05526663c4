"""When a watch channel expires (as Google's untrusted answer says, kept within reason) and
when it is replaced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from touchbase.calendar.channels import channel_expiry, renewal_time

NOW = datetime(2027, 1, 1, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)


def test_the_stated_expiry_is_taken_within_bounds() -> None:
    assert channel_expiry(NOW, NOW_MS + 3_600_000) == NOW + timedelta(hours=1)
    assert channel_expiry(NOW, None) == NOW + timedelta(days=7)
    assert channel_expiry(NOW, NOW_MS - 10) == NOW + timedelta(seconds=2)
    assert channel_expiry(NOW, -(2**63)) == NOW + timedelta(seconds=2)
    assert channel_expiry(NOW, 2**63 - 1) == NOW + timedelta(days=31)


def test_a_channel_is_replaced_a_day_ahead_or_a_quarter_of_a_short_life() -> None:
    week = NOW + timedelta(days=7)
    assert renewal_time(NOW, week) == week - timedelta(days=1)
    assert renewal_time(NOW, NOW + timedelta(seconds=4)) == NOW + timedelta(seconds=3)
