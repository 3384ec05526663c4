"""The demo's sample events are at sensible hours wherever the demo runs."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from touchbase.demo import sample_events


@pytest.mark.parametrize(
    ("here", "kept_in"),
    [
        ("America/New_York", "Europe/Berlin"),
        ("Asia/Tokyo", "Europe/Berlin"),
        ("Europe/Berlin", "America/New_York"),
        ("Europe/Paris", "America/New_York"),  # on Berlin's clock too
    ],
)
def test_the_weekly_series_is_kept_in_another_zone_at_ten_here(here: str, kept_in: str) -> None:
    now = datetime(2026, 12, 6, 8, 30, tzinfo=ZoneInfo(here))
    [weekly] = [e for e in sample_events(now) if e.get("recurrence")]
    assert weekly["timeZone"] == kept_in
    first = datetime.fromisoformat(weekly["startTime"]).replace(tzinfo=ZoneInfo(kept_in))
    assert first.astimezone(ZoneInfo(here)) == datetime(2026, 12, 8, 10, tzinfo=ZoneInfo(here))
    end = datetime.fromisoformat(weekly["endTime"]).replace(tzinfo=ZoneInfo(kept_in))
    assert (end - first).total_seconds() == 3600
