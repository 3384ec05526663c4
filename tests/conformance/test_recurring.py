"""Recurring series: expansion in the series' time zone, instances, and exceptions."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conformance.conftest import reason_of

BERLIN = "Europe/Berlin"


def weekly(
    raw: httpx.Client,
    *,
    event_id: str,
    rules: list[str],
    start: str = "2027-03-19T10:00:00",
    end: str = "2027-03-19T11:00:00",
    tz: str = BERLIN,
) -> dict[str, Any]:
    body = {
        "id": event_id,
        "summary": "Standup",
        "start": {"dateTime": start, "timeZone": tz},
        "end": {"dateTime": end, "timeZone": tz},
        "recurrence": rules,
    }
    response = raw.post("/calendars/primary/events", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def singles(raw: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    body = raw.get("/calendars/primary/events", params={"singleEvents": "true", **params}).json()
    return list(body["items"])


def test_weekly_series_keeps_wall_clock_time_across_dst(raw: httpx.Client) -> None:
    weekly(raw, event_id="series0001", rules=["RRULE:FREQ=WEEKLY;COUNT=3"])
    starts = [e["start"]["dateTime"] for e in singles(raw)]
    # Berlin moves to summer time on 2027-03-28: same 10:00 local, new offset.
    assert starts == [
        "2027-03-19T10:00:00+01:00",
        "2027-03-26T10:00:00+01:00",
        "2027-04-02T10:00:00+02:00",
    ]


def test_instances_carry_series_id_and_original_start(raw: httpx.Client) -> None:
    weekly(raw, event_id="series0002", rules=["RRULE:FREQ=WEEKLY;COUNT=2"])
    items = singles(raw)
    assert all(e["recurringEventId"] == "series0002" for e in items)
    assert all("recurrence" not in e for e in items)
    assert [e["originalStartTime"] for e in items] == [e["start"] for e in items]
    assert len({e["id"] for e in items}) == 2


def test_series_listed_once_without_single_events(raw: httpx.Client) -> None:
    weekly(raw, event_id="series0003", rules=["RRULE:FREQ=DAILY;COUNT=5"])
    items = raw.get("/calendars/primary/events").json()["items"]
    assert [e["id"] for e in items] == ["series0003"]
    assert items[0]["recurrence"] == ["RRULE:FREQ=DAILY;COUNT=5"]


def test_exdate_and_rdate(raw: httpx.Client) -> None:
    weekly(
        raw,
        event_id="series0004",
        rules=[
            "RRULE:FREQ=WEEKLY;COUNT=3",
            "EXDATE;TZID=Europe/Berlin:20270326T100000",
            "RDATE;TZID=Europe/Berlin:20270321T150000",
        ],
    )
    starts = [e["start"]["dateTime"] for e in singles(raw)]
    assert starts == [
        "2027-03-19T10:00:00+01:00",
        "2027-03-21T15:00:00+01:00",
        "2027-04-02T10:00:00+02:00",
    ]


def test_until_in_utc_ends_the_series(raw: httpx.Client) -> None:
    weekly(raw, event_id="series0005", rules=["RRULE:FREQ=DAILY;UNTIL=20270321T090000Z"])
    assert len(singles(raw)) == 3


def test_unbounded_series_is_expanded_within_the_window(raw: httpx.Client) -> None:
    weekly(raw, event_id="series0006", rules=["RRULE:FREQ=DAILY"])
    items = singles(raw, timeMin="2030-01-01T00:00:00Z", timeMax="2030-01-08T00:00:00Z")
    assert len(items) == 7
    assert items[0]["start"]["dateTime"] == "2030-01-01T10:00:00+01:00"


def test_all_day_series(raw: httpx.Client) -> None:
    created = raw.post(
        "/calendars/primary/events",
        json={
            "id": "annual0001",
            "summary": "Birthday",
            "start": {"date": "2027-06-01"},
            "end": {"date": "2027-06-02"},
            "recurrence": ["RRULE:FREQ=YEARLY;COUNT=3"],
        },
    )
    assert created.status_code == 200, created.text
    items = singles(raw)
    assert [e["start"] for e in items] == [{"date": f"{y}-06-01"} for y in (2027, 2028, 2029)]
    assert items[0]["id"] == "annual0001_20270601"


def test_instances_method_lists_one_series(raw: httpx.Client) -> None:
    weekly(raw, event_id="series0007", rules=["RRULE:FREQ=WEEKLY;COUNT=4"])
    weekly(raw, event_id="series0008", rules=["RRULE:FREQ=WEEKLY;COUNT=2"])
    body = raw.get("/calendars/primary/events/series0007/instances").json()
    assert len(body["items"]) == 4
    assert {e["recurringEventId"] for e in body["items"]} == {"series0007"}
    paged = raw.get(
        "/calendars/primary/events/series0007/instances", params={"maxResults": 3}
    ).json()
    assert len(paged["items"]) == 3
    assert "nextPageToken" in paged


def test_editing_one_instance_makes_an_exception(raw: httpx.Client) -> None:
    weekly(raw, event_id="series0009", rules=["RRULE:FREQ=WEEKLY;COUNT=3"])
    second = singles(raw)[1]
    moved = raw.patch(
        f"/calendars/primary/events/{second['id']}",
        json={
            "summary": "Moved",
            "start": {"dateTime": "2027-03-27T12:00:00", "timeZone": BERLIN},
            "end": {"dateTime": "2027-03-27T13:00:00", "timeZone": BERLIN},
        },
    )
    assert moved.status_code == 200, moved.text
    exception = moved.json()
    assert exception["recurringEventId"] == "series0009"
    assert exception["originalStartTime"] == second["originalStartTime"]
    items = singles(raw)
    assert [e["summary"] for e in items] == ["Standup", "Moved", "Standup"]
    assert items[1]["start"]["dateTime"] == "2027-03-27T12:00:00+01:00"
    # Without singleEvents the exception is listed beside its series.
    plain = raw.get("/calendars/primary/events").json()["items"]
    assert {e["id"] for e in plain} == {"series0009", second["id"]}


def test_cancelling_one_instance(raw: httpx.Client) -> None:
    weekly(raw, event_id="series0010", rules=["RRULE:FREQ=WEEKLY;COUNT=3"])
    first = singles(raw)[0]
    assert raw.delete(f"/calendars/primary/events/{first['id']}").status_code == 204
    remaining = singles(raw)
    assert first["id"] not in {e["id"] for e in remaining}
    assert len(remaining) == 2
    with_deleted = singles(raw, showDeleted="true")
    cancelled = [e for e in with_deleted if e["status"] == "cancelled"]
    assert [(e["id"], e["recurringEventId"]) for e in cancelled] == [(first["id"], "series0010")]
    assert raw.get(f"/calendars/primary/events/{first['id']}").json()["status"] == "cancelled"


def test_a_full_list_returns_cancelled_occurrences_without_show_deleted(
    raw: httpx.Client,
) -> None:
    weekly(raw, event_id="series0020", rules=["RRULE:FREQ=WEEKLY;COUNT=3"])
    first = singles(raw)[0]
    assert raw.delete(f"/calendars/primary/events/{first['id']}").status_code == 204
    raw.post(
        "/calendars/primary/events",
        json={
            "id": "single00020",
            "summary": "gone",
            "start": {"dateTime": "2027-03-20T10:00:00Z"},
            "end": {"dateTime": "2027-03-20T11:00:00Z"},
        },
    )
    assert raw.delete("/calendars/primary/events/single00020").status_code == 204
    listed = raw.get("/calendars/primary/events").json()["items"]
    cancelled = [e for e in listed if e["status"] == "cancelled"]
    # The series' cancelled occurrence, not the deleted single event (showDeleted's rule).
    assert [(e["id"], e["recurringEventId"]) for e in cancelled] == [(first["id"], "series0020")]
    assert first["id"] not in {e["id"] for e in singles(raw)}


def test_instance_changes_reach_incremental_sync(raw: httpx.Client) -> None:
    weekly(raw, event_id="series0011", rules=["RRULE:FREQ=WEEKLY;COUNT=3"])
    token = raw.get("/calendars/primary/events").json()["nextSyncToken"]
    third = singles(raw)[2]
    raw.delete(f"/calendars/primary/events/{third['id']}")
    delta = raw.get("/calendars/primary/events", params={"syncToken": token}).json()["items"]
    assert [(e["id"], e["status"], e["recurringEventId"]) for e in delta] == [
        (third["id"], "cancelled", "series0011")
    ]


def test_get_instance_by_id_and_unknown_instance(raw: httpx.Client) -> None:
    weekly(raw, event_id="series0012", rules=["RRULE:FREQ=WEEKLY;COUNT=2"])
    first = singles(raw)[0]
    assert raw.get(f"/calendars/primary/events/{first['id']}").json() == first
    missing = raw.get("/calendars/primary/events/series0012_20270320T090000Z")
    assert missing.status_code == 404


def test_deleting_a_series_cancels_it_and_its_exceptions(raw: httpx.Client) -> None:
    weekly(raw, event_id="series0013", rules=["RRULE:FREQ=WEEKLY;COUNT=3"])
    instance = singles(raw)[1]
    raw.patch(f"/calendars/primary/events/{instance['id']}", json={"summary": "special"})
    raw.delete("/calendars/primary/events/series0013")
    assert singles(raw) == []
    assert raw.get(f"/calendars/primary/events/{instance['id']}").json()["status"] == "cancelled"


def test_recurring_events_need_a_time_zone(raw: httpx.Client) -> None:
    response = raw.post(
        "/calendars/primary/events",
        json={
            "summary": "x",
            "start": {"dateTime": "2027-01-01T10:00:00Z"},
            "end": {"dateTime": "2027-01-01T11:00:00Z"},
            "recurrence": ["RRULE:FREQ=DAILY"],
        },
    )
    assert response.status_code == 400


def test_bad_recurrence_is_400_invalid(raw: httpx.Client) -> None:
    for rules in (
        ["RRULE:FREQ=SOMETIMES"],
        ["NOTARULE"],
        ["EXDATE:2027-01-01"],
        "RRULE:FREQ=DAILY",
        ["RRULE:FREQ=DAILY;INTERVAL=0"],  # would never advance: refused, not a hang
        ["RRULE:FREQ=WEEKLY;INTERVAL=-1;BYDAY=MO"],
        ["RRULE:FREQ=DAILY;COUNT=0"],
        ["RRULE:FREQ=YEARLY;BYMONTH=7;BYDAY=30MO"],  # dateutil's walk fails: not a 500
        ["RRULE:FREQ=YEARLY;BYMONTH=1,2,3,7;BYDAY=1MO,-30MO"],  # it fails in July only
    ):
        response = raw.post(
            "/calendars/primary/events",
            json={
                "summary": "x",
                "start": {"dateTime": "2027-01-01T10:00:00", "timeZone": BERLIN},
                "end": {"dateTime": "2027-01-01T11:00:00", "timeZone": BERLIN},
                "recurrence": rules,
            },
        )
        assert response.status_code == 400, rules
        assert reason_of(response) == "invalid"
