"""Listing: pages as an async iterator, sync tokens, 410, calendars, watch."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.google.conftest import ALICE, meeting
from tests.support.servers import EmulatorControl, WebhookReceiver
from touchbase.errors import SyncTokenExpiredError
from touchbase.google import GoogleCalendarClient
from touchbase.google.mapping import to_domain


def seed(emulator: EmulatorControl, count: int) -> None:
    events = [
        {
            "summary": f"e{n}",
            "start": {"dateTime": "2027-01-01T10:00:00Z"},
            "end": {"dateTime": "2027-01-01T11:00:00Z"},
        }
        for n in range(count)
    ]
    emulator.seed({"users": [{"email": ALICE, "events": events}]})


async def test_pages_then_sync_token_only_after_the_last_page(
    client: GoogleCalendarClient, emulator: EmulatorControl
) -> None:
    seed(emulator, 25)
    listing = client.list_events("primary", page_size=10)
    sizes = []
    async for page in listing:
        sizes.append(len(page.items))
        if len(sizes) < 3:
            assert listing.next_sync_token is None
    assert sizes == [10, 10, 5]
    assert listing.pages == 3
    assert listing.next_sync_token


async def test_incremental_list_brings_changes_and_deletions(
    client: GoogleCalendarClient, emulator: EmulatorControl
) -> None:
    seed(emulator, 5)
    first = client.list_events("primary")
    items = await first.items()
    token = first.next_sync_token
    victim, edited = items[0], items[1]
    await client.delete_event("primary", victim.id, etag=victim.etag)
    await client.patch_event(
        "primary",
        edited.id,
        base=to_domain(edited),
        target=to_domain(edited).replace(title="edited"),
        etag=edited.etag,
    )
    delta = client.list_events("primary", sync_token=token, page_size=1)
    changes = {e.id: e for e in await delta.items()}
    assert set(changes) == {victim.id, edited.id}
    assert changes[victim.id].is_cancelled
    assert changes[edited.id].summary == "edited"
    assert delta.pages == 2
    assert delta.next_sync_token
    assert delta.next_sync_token != token


async def test_expired_sync_token_raises_sync_token_expired(
    client: GoogleCalendarClient, emulator: EmulatorControl
) -> None:
    listing = client.list_events("primary")
    await listing.items()
    emulator.post("/sync-tokens/expire")
    with pytest.raises(SyncTokenExpiredError) as caught:
        await client.list_events("primary", sync_token=listing.next_sync_token).items()
    assert caught.value.code == "CALENDAR_SYNC_TOKEN_EXPIRED"


async def test_filters_time_window_and_crm_link(client: GoogleCalendarClient) -> None:
    await client.insert_event("primary", meeting("linked", contact_id="c42"))
    await client.insert_event("primary", meeting("other"))
    linked = await client.list_events(
        "primary", private_properties={"touchbaseContactId": "c42"}
    ).items()
    assert [e.summary for e in linked] == ["linked"]
    window = await client.list_events(
        "primary",
        time_min=datetime(2027, 1, 10, 9, 30, tzinfo=UTC),
        time_max=datetime(2027, 1, 11, tzinfo=UTC),
        single_events=True,
        order_by="startTime",
    ).items()
    assert len(window) == 2
    with pytest.raises(ValueError, match="timezone-aware"):
        client.list_events("primary", time_min=datetime(2027, 1, 1))


async def test_list_calendars(client: GoogleCalendarClient, emulator: EmulatorControl) -> None:
    emulator.seed({"users": [{"email": ALICE, "calendars": [{"summary": "Team"}]}]})
    calendars = await client.list_calendars()
    assert [c.primary for c in calendars] == [True, False]
    assert calendars[1].summary == "Team"


async def test_watch_and_stop_channel(client: GoogleCalendarClient) -> None:
    with WebhookReceiver() as hook:
        channel = await client.watch_events(
            "primary", channel_id="chan-x", address=hook.url, token="tok", ttl_seconds=3600
        )
        assert channel.resource_id
        assert channel.expiration is not None
        hook.wait_for(1)
        await client.insert_event("primary", meeting())
        received = hook.wait_for(2)
        assert received[1].headers["X-Goog-Resource-State"] == "exists"
        await client.stop_channel(channel.id, channel.resource_id)
