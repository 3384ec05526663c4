"""Other clients from PyPI, unchanged, against the emulator: aiogoogle (its own HTTP stack,
the API discovered from the emulator's document) and gcsa (built on Google's client)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from aiogoogle import Aiogoogle
from aiogoogle.auth.creds import UserCreds
from aiogoogle.resource import GoogleAPI
from gcsa.calendar import Calendar
from gcsa.event import Event
from gcsa.google_calendar import GoogleCalendar
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build

from tests.conformance.conftest import ALICE, BOB, timed
from tests.support.servers import EmulatorControl

START, END = "2027-06-07T09:00:00Z", "2027-06-07T10:00:00Z"


async def test_aiogoogle_runs_the_calendar_api_discovered_from_the_emulator(
    emulator: EmulatorControl,
) -> None:
    async with httpx.AsyncClient() as http:
        document = (await http.get(emulator.url + "/discovery/v1/apis/calendar/v3/rest")).json()
    calendar = GoogleAPI(document)
    # With its expiry given, aiogoogle does not try to refresh (at Google's fixed token URL).
    expires = datetime.now(UTC) + timedelta(hours=1)
    creds = UserCreds(access_token=emulator.token(ALICE), expires_at=expires.isoformat())
    async with Aiogoogle(user_creds=creds) as google:
        made = await google.as_user(
            calendar.events.insert(
                calendarId="primary",
                conferenceDataVersion=1,
                json=timed(
                    START,
                    END,
                    iCalUID="deal-7@crm.example.com",
                    colorId="9",
                    conferenceData={"createRequest": {"requestId": "aio-1"}},
                ),
            )
        )
        assert made["iCalUID"] == "deal-7@crm.example.com"
        assert made["hangoutLink"].startswith("https://meet.google.com/")
        quick = await google.as_user(
            calendar.events.quickAdd(calendarId="primary", text="Call Bob tomorrow 3pm")
        )
        assert quick["summary"] == "Call Bob"
        busy = await google.as_user(
            calendar.freebusy.query(
                json={"timeMin": START, "timeMax": END, "items": [{"id": "primary"}]}
            )
        )
        assert busy["calendars"]["primary"]["busy"] == [{"start": START, "end": END}]
        colors = await google.as_user(calendar.colors.get())
        assert colors["event"]["9"]["background"] == "#5484ed"
        side = await google.as_user(calendar.calendars.insert(json={"summary": "Side"}))
        rule = await google.as_user(
            calendar.acl.insert(
                calendarId=side["id"],
                json={"role": "reader", "scope": {"type": "user", "value": BOB}},
            )
        )
        assert rule["id"] == f"user:{BOB}"
        setting = await google.as_user(calendar.settings.get(setting="timezone"))
        assert setting["value"] == "UTC"
        await google.as_user(calendar.calendars.delete(calendarId=side["id"]))
        listed = await google.as_user(calendar.calendarList.list())
        assert [entry["id"] for entry in listed["items"]] == [ALICE]


def test_gcsa_works_with_its_service_pointed_at_the_emulator(emulator: EmulatorControl) -> None:
    credentials = Credentials(emulator.token(ALICE))
    gc = GoogleCalendar(credentials=credentials)
    gc.service = build(  # gcsa builds for googleapis.com; this one line points it here
        "calendar",
        "v3",
        credentials=credentials,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": emulator.url + "/calendar/v3/"},
    )
    start = datetime.fromisoformat(START)
    made = gc.add_event(
        Event("Review", start=start, end=start + timedelta(hours=1), color_id="4"),
        send_updates="none",
    )
    assert made.color_id == "4"
    quick = gc.add_quick_event("Lunch with Dana tomorrow 12pm")
    assert quick.summary == "Lunch with Dana"
    free_busy = gc.get_free_busy(time_min=start, time_max=start + timedelta(hours=2))
    assert [(p.start, p.end) for p in free_busy.calendars["primary"]] == [
        (start, start + timedelta(hours=1))
    ]
    assert gc.list_event_colors()["4"]["background"] == "#ff887c"
    assert {s.timezone for s in [gc.get_settings()]} == {"UTC"}
    side = gc.add_calendar(Calendar("Side"))
    gc.delete_calendar(side)
    assert [c.id for c in gc.get_calendar_list()] == [ALICE]
