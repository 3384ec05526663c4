"""events.list: pagination, sync tokens, 410, time windows and filters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conformance.conftest import ALICE, reason_of, timed
from tests.support.servers import EmulatorControl


def seed_events(emulator: EmulatorControl, count: int, *, day: int = 10) -> None:
    """`count` one-hour events for alice on 2027-01-<day>."""
    events = [
        timed(
            f"2027-01-{day:02d}T{h % 24:02d}:00:00Z",
            f"2027-01-{day:02d}T{h % 24:02d}:30:00Z",
            summary=f"e{h}",
        )
        for h in range(count)
    ]
    emulator.seed({"users": [{"email": ALICE, "events": events}]})


def list_all(raw: httpx.Client, **params: Any) -> tuple[list[dict[str, Any]], str, int]:
    """(items, nextSyncToken, pages) following every nextPageToken."""
    items: list[dict[str, Any]] = []
    pages, token = 0, None
    while True:
        query = {**params, **({"pageToken": token} if token else {})}
        body = raw.get("/calendars/primary/events", params=query).json()
        pages += 1
        items.extend(body["items"])
        token = body.get("nextPageToken")
        if not token:
            return items, body["nextSyncToken"], pages
        assert "nextSyncToken" not in body, "nextSyncToken only on the last page"


def test_default_page_is_250_and_sync_token_only_on_last_page(
    emulator: EmulatorControl, raw: httpx.Client
) -> None:
    seed_events(emulator, 300)
    first = raw.get("/calendars/primary/events").json()
    assert len(first["items"]) == 250
    assert "nextPageToken" in first
    assert "nextSyncToken" not in first
    second = raw.get("/calendars/primary/events", params={"pageToken": first["nextPageToken"]})
    assert len(second.json()["items"]) == 50
    assert "nextSyncToken" in second.json()
    assert "nextPageToken" not in second.json()


def test_max_results_is_capped_at_2500(emulator: EmulatorControl, raw: httpx.Client) -> None:
    seed_events(emulator, 2600)
    body = raw.get("/calendars/primary/events", params={"maxResults": 5000}).json()
    assert len(body["items"]) == 2500
    assert "nextPageToken" in body


def test_paging_returns_every_event_exactly_once(
    emulator: EmulatorControl, raw: httpx.Client
) -> None:
    seed_events(emulator, 103)
    items, _, pages = list_all(raw, maxResults=10)
    assert pages == 11
    assert len({e["id"] for e in items}) == len(items) == 103


def test_events_deleted_while_paging_do_not_shift_later_pages(
    emulator: EmulatorControl, raw: httpx.Client
) -> None:
    seed_events(emulator, 30)
    first = raw.get("/calendars/primary/events", params={"maxResults": 10}).json()
    for event in first["items"][:5]:
        raw.delete(f"/calendars/primary/events/{event['id']}")
    rest, _, _ = list_all(raw, maxResults=10, pageToken=first["nextPageToken"])
    seen = {e["id"] for e in first["items"]} | {e["id"] for e in rest}
    assert len(seen) == 30


def test_incremental_list_returns_only_changes_including_deletions(
    emulator: EmulatorControl, raw: httpx.Client
) -> None:
    seed_events(emulator, 20)
    items, sync_token, _ = list_all(raw)
    changed, deleted = items[3]["id"], items[7]["id"]
    raw.patch(f"/calendars/primary/events/{changed}", json={"summary": "changed"})
    raw.delete(f"/calendars/primary/events/{deleted}")
    created = raw.post(
        "/calendars/primary/events", json=timed("2027-02-01T10:00:00Z", "2027-02-01T11:00:00Z")
    ).json()
    delta, next_token, _ = list_all(raw, syncToken=sync_token)
    by_id = {e["id"]: e for e in delta}
    assert set(by_id) == {changed, deleted, created["id"]}
    assert by_id[deleted]["status"] == "cancelled"
    assert by_id[changed]["summary"] == "changed"
    nothing, _, _ = list_all(raw, syncToken=next_token)
    assert nothing == []


def test_paged_incremental_list_keeps_sync_token_on_every_page(
    emulator: EmulatorControl, raw: httpx.Client
) -> None:
    seed_events(emulator, 5)
    _, sync_token, _ = list_all(raw)
    for index in range(25):
        raw.post(
            "/calendars/primary/events",
            json=timed("2027-03-01T10:00:00Z", "2027-03-01T11:00:00Z", summary=f"n{index}"),
        )
    delta, _, pages = list_all(raw, syncToken=sync_token, maxResults=10)
    assert pages == 3
    assert len({e["id"] for e in delta}) == 25


def test_changes_made_while_paging_reach_the_next_incremental_list(
    emulator: EmulatorControl, raw: httpx.Client
) -> None:
    seed_events(emulator, 20)
    first = raw.get("/calendars/primary/events", params={"maxResults": 10}).json()
    early = first["items"][0]["id"]
    raw.patch(f"/calendars/primary/events/{early}", json={"summary": "edited mid-paging"})
    _, sync_token, _ = list_all(raw, maxResults=10, pageToken=first["nextPageToken"])
    delta, _, _ = list_all(raw, syncToken=sync_token)
    assert {e["id"] for e in delta} == {early}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("timeMin", "2027-01-01T00:00:00Z"),
        ("timeMax", "2027-01-01T00:00:00Z"),
        ("orderBy", "updated"),
        ("q", "meeting"),
        ("iCalUID", "x@google.com"),
        ("updatedMin", "2027-01-01T00:00:00Z"),
        ("privateExtendedProperty", "contactId=1"),
        ("sharedExtendedProperty", "a=b"),
    ],
)
def test_sync_token_refuses_filters(raw: httpx.Client, name: str, value: str) -> None:
    _, sync_token, _ = list_all(raw)
    response = raw.get("/calendars/primary/events", params={"syncToken": sync_token, name: value})
    assert response.status_code == 400
    assert reason_of(response) == "invalid"


def test_expired_sync_token_answers_410_full_sync_required(
    emulator: EmulatorControl, raw: httpx.Client
) -> None:
    _, sync_token, _ = list_all(raw)
    emulator.post("/sync-tokens/expire")
    response = raw.get("/calendars/primary/events", params={"syncToken": sync_token})
    assert response.status_code == 410
    assert reason_of(response) == "fullSyncRequired"
    _, fresh, _ = list_all(raw)
    assert raw.get("/calendars/primary/events", params={"syncToken": fresh}).status_code == 200


def test_sync_token_of_another_calendar_is_refused(raw: httpx.Client) -> None:
    other = raw.post("/calendars", json={"summary": "Other"}).json()["id"]
    body = raw.get(f"/calendars/{other}/events").json()
    response = raw.get("/calendars/primary/events", params={"syncToken": body["nextSyncToken"]})
    assert response.status_code == 410


def test_time_min_bounds_end_and_time_max_bounds_start(
    raw: httpx.Client,
) -> None:
    for start, end, title in [
        ("2027-05-01T08:00:00Z", "2027-05-01T09:00:00Z", "ends at timeMin"),
        ("2027-05-01T08:30:00Z", "2027-05-01T09:30:00Z", "overlaps timeMin"),
        ("2027-05-01T11:00:00Z", "2027-05-01T12:00:00Z", "starts at timeMax"),
        ("2027-05-01T10:30:00Z", "2027-05-01T11:30:00Z", "overlaps timeMax"),
    ]:
        raw.post("/calendars/primary/events", json=timed(start, end, summary=title))
    raw.post(
        "/calendars/primary/events",
        json={"summary": "all day", "start": {"date": "2027-05-01"}, "end": {"date": "2027-05-02"}},
    )
    items, _, _ = list_all(raw, timeMin="2027-05-01T09:00:00Z", timeMax="2027-05-01T11:00:00Z")
    assert {e["summary"] for e in items} == {"overlaps timeMin", "overlaps timeMax", "all day"}


@pytest.mark.parametrize(
    "params",
    [
        {"timeMin": "2027-01-02T00:00:00Z", "timeMax": "2027-01-01T00:00:00Z"},
        {"timeMin": "2027-01-01T00:00:00Z", "timeMax": "2027-01-01T00:00:00Z"},
    ],
)
def test_empty_time_range_is_400(raw: httpx.Client, params: dict[str, str]) -> None:
    response = raw.get("/calendars/primary/events", params=params)
    assert (response.status_code, reason_of(response)) == (400, "timeRangeEmpty")


def test_order_by_start_time_needs_single_events(raw: httpx.Client) -> None:
    refused = raw.get("/calendars/primary/events", params={"orderBy": "startTime"})
    assert refused.status_code == 400
    for start in ("2027-01-03T10:00:00Z", "2027-01-01T10:00:00Z", "2027-01-02T10:00:00Z"):
        raw.post("/calendars/primary/events", json=timed(start, start.replace("10:", "11:")))
    items = raw.get(
        "/calendars/primary/events", params={"orderBy": "startTime", "singleEvents": "true"}
    ).json()["items"]
    starts = [e["start"]["dateTime"] for e in items]
    assert starts == sorted(starts)


def test_private_extended_property_filter(raw: httpx.Client) -> None:
    for contact in ("c1", "c2", "c1"):
        raw.post(
            "/calendars/primary/events",
            json=timed(
                "2027-01-01T10:00:00Z",
                "2027-01-01T11:00:00Z",
                extendedProperties={"private": {"contactId": contact, "kind": "touchpoint"}},
            ),
        )
    items, _, _ = list_all(raw, privateExtendedProperty="contactId=c1")
    assert len(items) == 2
    both = raw.get(
        "/calendars/primary/events",
        params=[
            ("privateExtendedProperty", "contactId=c2"),
            ("privateExtendedProperty", "kind=touchpoint"),
        ],
    ).json()["items"]
    assert len(both) == 1


def test_show_deleted_lists_cancelled_events(raw: httpx.Client) -> None:
    event = raw.post(
        "/calendars/primary/events", json=timed("2027-01-01T10:00:00Z", "2027-01-01T11:00:00Z")
    ).json()
    raw.delete(f"/calendars/primary/events/{event['id']}")
    assert list_all(raw)[0] == []
    shown = list_all(raw, showDeleted="true")[0]
    assert [(e["id"], e["status"]) for e in shown] == [(event["id"], "cancelled")]


def test_q_searches_text(raw: httpx.Client) -> None:
    raw.post(
        "/calendars/primary/events",
        json=timed("2027-01-01T10:00:00Z", "2027-01-01T11:00:00Z", summary="Quarterly review"),
    )
    raw.post(
        "/calendars/primary/events",
        json=timed("2027-01-01T10:00:00Z", "2027-01-01T11:00:00Z", summary="Lunch"),
    )
    assert [e["summary"] for e in list_all(raw, q="quarterly")[0]] == ["Quarterly review"]


def test_official_client_pages_with_list_next(emulator: EmulatorControl, alice: Any) -> None:
    seed_events(emulator, 42)
    request = alice.events().list(calendarId="primary", maxResults=10)
    seen: list[str] = []
    while request is not None:
        response = request.execute()
        seen.extend(e["id"] for e in response["items"])
        last = response
        request = alice.events().list_next(request, response)
    assert len(set(seen)) == 42
    assert "nextSyncToken" in last


def test_bad_list_parameters_are_400(raw_for: Callable[..., httpx.Client]) -> None:
    raw = raw_for()
    for params in (
        {"maxResults": "0"},
        {"maxResults": "many"},
        {"timeMin": "yesterday"},
        {"singleEvents": "maybe"},
        {"pageToken": "!!!"},
        {"syncToken": "%%%"},
        {"timeZone": "Mars/Olympus"},
        {"orderBy": "title"},
    ):
        response = raw.get("/calendars/primary/events", params=params)
        assert response.status_code == 400, params
        assert "error" in response.json()
