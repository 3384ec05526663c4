"""The Due view's "today" is the day the user sees: that of the zone the pages show (asked
for, or the user's time zone setting), not only their calendar's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.support.app import ApiUser, AppHarness
from tests.support.zones import today_in_one_zone_only

KIRITIMATI = "Pacific/Kiritimati"  # UTC+14


def _groups(user: ApiUser, touchpoint: dict[str, Any], **params: str) -> list[str]:
    answer = user.api.get("/api/touchpoints/due", params=params)
    assert answer.status_code == 200, answer.text
    due = answer.json()
    return [group for group, items in due.items() if touchpoint["id"] in str(items)]


def test_the_due_groups_are_the_days_of_the_zone_the_pages_show(app: AppHarness) -> None:
    alice = app.user()
    assert alice.api.get("/api/calendar/calendars").json()["items"][0]["timeZone"] == "UTC"
    made = alice.api.post("/api/contacts", json={"name": "Dana Scully"})
    now = datetime.now(UTC)
    at = today_in_one_zone_only(now, ZoneInfo(KIRITIMATI))
    body = {"contactId": made.json()["id"], "dueAt": at.isoformat()}
    touchpoint = alice.api.post("/api/touchpoints", json=body).json()
    in_utc = "today" if at.date() == now.date() else "thisWeek"
    there = "thisWeek" if in_utc == "today" else "today"

    assert _groups(alice, touchpoint) == [in_utc], "the calendar's days, with no setting"
    assert _groups(alice, touchpoint, zone=KIRITIMATI) == [there]
    assert alice.api.patch("/api/settings", json={"timeZone": KIRITIMATI}).status_code == 200
    assert _groups(alice, touchpoint) == [there], "the setting's days"
    assert _groups(alice, touchpoint, zone="UTC") == [in_utc], "the page's zone first"
    day = alice.api.get("/api/touchpoints/due").json()[there][0]["dueDate"]
    assert day == at.astimezone(ZoneInfo(KIRITIMATI)).date().isoformat()


def test_a_zone_it_does_not_know_is_refused_naming_it(app: AppHarness) -> None:
    alice = app.user()
    for zone in ("Mars/Olympus_Mons", "localtime", "x" * 65):
        answer = alice.api.get("/api/touchpoints/due", params={"zone": zone})
        assert answer.status_code == 422, answer.text
        assert "zone" in answer.text
