"""The client's event calls over HTTP against the emulator."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.google.conftest import meeting
from tests.support.servers import EmulatorControl
from touchbase.domain import Attendee, CalendarEvent, EventStatus, EventTime
from touchbase.errors import ConflictError, EventNotFoundError, InvalidEventError
from touchbase.google import GoogleCalendarClient
from touchbase.google.mapping import CONTACT_KEY, to_domain


async def test_insert_chooses_a_base32hex_id_and_keeps_the_crm_link(
    client: GoogleCalendarClient,
) -> None:
    created = await client.insert_event("primary", meeting(contact_id="contact-7"))
    assert len(created.id) == 26
    assert set(created.id) <= set("0123456789abcdefghijklmnopqrstuv")
    assert created.extended_properties is not None
    assert created.extended_properties.private == {CONTACT_KEY: "contact-7"}
    event = to_domain(created)
    assert event.contact_id == "contact-7"
    assert event.same_content(meeting(contact_id="contact-7"))


async def test_round_trip_keeps_every_field(client: GoogleCalendarClient) -> None:
    original = meeting(
        description="<b>Agenda</b>",
        location="Room 4",
        attendees=(Attendee("dana@example.com"), Attendee("eli@example.com", "accepted")),
        contact_id="c1",
        touchpoint_id="t1",
        status=EventStatus.TENTATIVE,
    )
    created = await client.insert_event("primary", original)
    fetched = await client.get_event("primary", created.id)
    assert fetched is not None
    back = to_domain(fetched)
    assert back.same_content(original)
    assert back.attendees[1].response_status == "accepted"
    assert back.etag == created.etag


async def test_all_day_and_recurring_events(client: GoogleCalendarClient) -> None:
    offsite = CalendarEvent(
        title="Offsite",
        start=EventTime.all_day(date(2027, 2, 1)),
        end=EventTime.all_day(date(2027, 2, 3)),
    )
    created = to_domain(await client.insert_event("primary", offsite))
    assert created.start == offsite.start
    assert created.end == offsite.end
    series = meeting("Weekly", recurrence=("RRULE:FREQ=WEEKLY;COUNT=3",))
    made = await client.insert_event("primary", series)
    instances = await client.instances("primary", made.id).items()
    assert len(instances) == 3
    assert {i.recurring_event_id for i in instances} == {made.id}


async def test_get_with_if_none_match(client: GoogleCalendarClient) -> None:
    created = await client.insert_event("primary", meeting())
    assert await client.get_event("primary", created.id, if_none_match=created.etag) is None
    with pytest.raises(EventNotFoundError):
        await client.get_event("primary", "nosuchevent")


async def test_patch_sends_only_changes_with_if_match(
    client: GoogleCalendarClient, emulator: EmulatorControl
) -> None:
    base = to_domain(await client.insert_event("primary", meeting(location="Room 1")))
    target = base.replace(title="Renamed", location="", contact_id="c9")
    patched = await client.patch_event(
        "primary", base.id or "", base=base, target=target, etag=base.etag
    )
    after = to_domain(patched)
    assert after.same_content(target)
    assert after.etag != base.etag
    with pytest.raises(ConflictError) as caught:
        await client.patch_event(
            "primary", base.id or "", base=base, target=base.replace(title="Stale"), etag=base.etag
        )
    assert caught.value.code == "CALENDAR_CONFLICT"
    assert caught.value.details["googleReason"] == "conditionNotMet"


async def test_update_replaces_the_whole_event(client: GoogleCalendarClient) -> None:
    base = to_domain(await client.insert_event("primary", meeting(location="Room 1")))
    replaced = await client.update_event(
        "primary", base.replace(location="", title="New"), etag=base.etag
    )
    assert replaced.location is None
    assert replaced.summary == "New"


async def test_delete_with_if_match(client: GoogleCalendarClient) -> None:
    created = await client.insert_event("primary", meeting())
    changed = await client.patch_event(
        "primary",
        created.id,
        base=to_domain(created),
        target=to_domain(created).replace(title="x"),
        etag=created.etag,
    )
    with pytest.raises(ConflictError):
        await client.delete_event("primary", created.id, etag=created.etag)
    await client.delete_event("primary", created.id, etag=changed.etag)
    gone = await client.get_event("primary", created.id)
    assert gone is not None
    assert gone.is_cancelled
    with pytest.raises(EventNotFoundError):
        await client.delete_event("primary", created.id, etag=None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end": EventTime.at(datetime(2027, 1, 10, 8, tzinfo=UTC))}, "endTime"),
        ({"attendees": (Attendee("not-an-email"),)}, "attendees[0]"),
        (
            {"start": EventTime.at(datetime(2027, 1, 10, 9, tzinfo=UTC), "Mars/Base")},
            "startTime.timeZone",
        ),
        ({"title": "x" * 1025}, "title"),
        ({"description": "x" * 8193}, "description"),
        ({"location": "x" * 1025}, "location"),
        ({"start": EventTime.all_day(date(2027, 1, 10))}, "endTime"),
        ({"recurrence": ("RRULE:FREQ=WHENEVER",)}, "recurrence"),
        ({"id": "NOT-BASE32"}, "id"),
    ],
)
async def test_invalid_event_is_refused_before_any_http_call(
    client: GoogleCalendarClient,
    emulator: EmulatorControl,
    changes: dict[str, object],
    field: str,
) -> None:
    with pytest.raises(InvalidEventError) as caught:
        await client.insert_event("primary", meeting(**changes))
    assert caught.value.code == "CALENDAR_INVALID_EVENT"
    assert caught.value.field == field
    assert emulator.stats()["httpRequests"] == 0
