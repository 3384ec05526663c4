"""`touchbase demo`: the emulator and the app on loopback, a demo user connected to the
emulator, and a few sample events, created through the app's own API."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import uvicorn

from touchbase.config import Mode, Settings
from touchbase.domain.validation import is_valid_time_zone
from touchbase.startup import open_files_as_allowed
from touchbase.stopping import StoppingServer
from touchbase.store.database import migrate
from touchbase.users import add_user
from touchbase.web.app import create_app
from touchbase_emulator.process import emulator_process, port_is_free

DEMO_EMAIL = "demo@touchbase.example"


SAMPLE_CONTACTS = [
    {
        "name": "Dana Scully",
        "emails": ["dana@acme.example"],
        "company": "Acme",
        "title": "Head of Procurement",
        "cadence": {"every": 2, "unit": "week"},
    },
    {
        "name": "Eli Vance",
        "emails": ["eli@globex.example"],
        "company": "Globex",
        "cadence": {"every": 1, "unit": "month"},
    },
    {
        "name": "Fran Kubelik",
        "emails": ["fran@globex.example"],
        "company": "Globex",
        "cadence": {"every": 3, "unit": "month"},
    },
]


def machine_zone() -> str:
    """This machine's time zone, which the demo calendar takes (so that its meetings are at
    9:00 where the person trying it is): `TZ`, else what `/etc/localtime` links to, else
    `/etc/timezone`'s name; UTC when none is an IANA name."""
    names = [os.environ.get("TZ", "").removeprefix(":")]
    linked = os.path.realpath("/etc/localtime")
    if "/zoneinfo/" in linked:
        names.append(linked.split("/zoneinfo/", 1)[1])
    with contextlib.suppress(OSError):
        names.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    return next((name for name in names if name and is_valid_time_zone(name)), "UTC")


def sample_events(now: datetime) -> list[dict[str, Any]]:
    """A single meeting, an all-day event, one with attendees and a Meet, and a weekly series
    (`now` in the demo calendar's zone: they are at its wall-clock times)."""
    day = (now + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    return [
        {
            "title": "Intro call with Dana (Acme)",
            "startTime": day.isoformat(),
            "endTime": (day + timedelta(minutes=30)).isoformat(),
            "location": "Phone",
            "attendees": ["dana@acme.example"],
        },
        {
            "title": "Discovery call with Dana",
            "startTime": (day - timedelta(days=11)).isoformat(),
            "endTime": (day - timedelta(days=11, minutes=-45)).isoformat(),
            "attendees": ["dana@acme.example"],
        },
        {
            "title": "Coffee with Eli",
            "startTime": (day - timedelta(days=40)).isoformat(),
            "endTime": (day - timedelta(days=40, minutes=-60)).isoformat(),
            "attendees": ["eli@globex.example"],
        },
        {
            "title": "Offsite",
            "allDay": True,
            "startTime": (day + timedelta(days=3)).date().isoformat(),
            "endTime": (day + timedelta(days=5)).date().isoformat(),
        },
        {
            "title": "Demo for Globex",
            "startTime": (day + timedelta(hours=5)).isoformat(),
            "endTime": (day + timedelta(hours=6)).isoformat(),
            "attendees": ["eli@globex.example", "fran@globex.example"],
            "description": "<b>Agenda</b>: product tour, pricing",
            "addMeet": True,
        },
        _weekly_elsewhere(day + timedelta(days=1, hours=1)),
    ]


def _weekly_elsewhere(first: datetime) -> dict[str, Any]:
    """A weekly series kept in another zone than the calendar's (the event card shows both
    times), its first meeting at `first` here: a team's review run from Berlin (from New
    York when here is on Berlin's clock)."""
    other = "Europe/Berlin"
    if first.utcoffset() == first.astimezone(ZoneInfo(other)).utcoffset():
        other = "America/New_York"
    start = first.astimezone(ZoneInfo(other)).replace(tzinfo=None)
    return {
        "title": "Pipeline review",
        "timeZone": other,
        "startTime": start.isoformat(),
        "endTime": (start + timedelta(hours=1)).isoformat(),
        "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=10"],
    }


def sample_touchpoints(contact_ids: list[str], now: datetime) -> list[dict[str, Any]]:
    """Eli's touchpoint, two days overdue; Fran's, due later today (`now` in the calendar's
    zone)."""
    overdue = (now - timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    later = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    if later.date() != now.date():
        later = now + timedelta(minutes=5)
    return [
        {"contactId": contact_ids[1], "dueAt": overdue.isoformat(), "message": "Pricing follow-up"},
        {"contactId": contact_ids[2], "dueAt": later.isoformat(), "message": "Quarterly check-in"},
    ]


def sample_invitation(now: datetime) -> dict[str, Any]:
    """Fran's meeting the demo user is invited to (not yet answered), with her agenda
    attached: only she may change it, and the user answers it from its card (`now` in the
    calendar's zone)."""
    start = (now + timedelta(days=2)).replace(hour=15, minute=0, second=0, microsecond=0)
    return {
        "summary": "Globex quarterly planning",
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": (start + timedelta(hours=1)).isoformat()},
        "organizer": {"email": "fran@globex.example"},
        "attendees": [
            {"email": "fran@globex.example", "responseStatus": "accepted"},
            {"email": DEMO_EMAIL, "responseStatus": "needsAction"},
        ],
        "iCalUID": "quarterly-planning@globex.example",
        "attachments": [
            {
                "fileUrl": "https://docs.google.com/document/d/globex-q3-agenda/edit",
                "title": "Q3 planning agenda",
                "mimeType": "application/vnd.google-apps.document",
            }
        ],
    }


async def _invited(emulator_url: str, zone: ZoneInfo) -> None:
    """Fran's invitation, in the demo user's calendar as Google keeps a guest's copy."""
    async with httpx.AsyncClient(base_url=emulator_url, timeout=30.0) as google:
        answer = await google.post("/_emulator/tokens", json={"email": DEMO_EMAIL})
        headers = {"Authorization": f"Bearer {answer.raise_for_status().json()['access_token']}"}
        imported = await google.post(
            "/calendar/v3/calendars/primary/events/import",
            json=sample_invitation(datetime.now(zone)),
            params={"supportsAttachments": "true"},
            headers=headers,
        )
        imported.raise_for_status()


async def _calendar_in(emulator_url: str, zone: str) -> None:
    """The demo user's Google calendar, in `zone` (a calendar made before keeps its own)."""
    async with httpx.AsyncClient(base_url=emulator_url, timeout=30.0) as google:
        users = {"users": [{"email": DEMO_EMAIL, "timeZone": zone}]}
        (await google.post("/_emulator/seed", json=users)).raise_for_status()


async def _set_up(app_url: str, token: str, emulator_url: str) -> str:
    """The demo user connected, with the samples the first time; the calendar's zone."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=app_url, headers=headers, timeout=30.0) as api:
        connection = (await api.get("/api/google/connection")).json()
        if not connection["connected"]:
            await _calendar_in(emulator_url, machine_zone())
            started = await api.post("/api/google/connect")
            url = started.json()["authorizationUrl"]
            flow = dict(started.cookies.items())
            async with httpx.AsyncClient(
                follow_redirects=True, timeout=30.0, cookies=flow
            ) as browser:
                answer = await browser.get(url + "&login_hint=" + DEMO_EMAIL)
                answer.raise_for_status()
        calendars = (await api.get("/api/calendar/calendars")).json()["items"]
        zone = next((c["timeZone"] for c in calendars if c["primary"] and not c["isLocal"]), "UTC")
        if not (await api.get("/api/contacts")).json()["items"]:
            await _samples(api, ZoneInfo(zone))
            await _invited(emulator_url, ZoneInfo(zone))
        await _synced(api)
        return str(zone)


async def _samples(api: httpx.AsyncClient, zone: ZoneInfo) -> None:
    """The sample contacts, events and touchpoints."""
    made = []
    for contact in SAMPLE_CONTACTS:
        answer = await api.post("/api/contacts", json={**contact, "cadence": None})
        answer.raise_for_status()
        made.append(answer.json()["id"])
    for body in sample_events(datetime.now(zone)):
        (await api.post("/api/calendar/events", json=body)).raise_for_status()
    for plan in sample_touchpoints(made, datetime.now(zone)):
        (await api.post("/api/touchpoints", json=plan)).raise_for_status()
    # Cadences last: Dana's plans her next touchpoint from the discovery call; Eli's and
    # Fran's keep the touchpoints planned above.
    for contact_id, contact in zip(made, SAMPLE_CONTACTS, strict=True):
        cadence = {"cadence": contact["cadence"]}
        (await api.patch(f"/api/contacts/{contact_id}", json=cadence)).raise_for_status()


async def _synced(api: httpx.AsyncClient) -> None:
    """One sync of the demo calendar, finished: the first page says when it last synced."""
    run_id = (await api.post("/api/calendar/sync")).json()["runId"]
    for _ in range(600):
        if (await api.get(f"/api/calendar/sync/{run_id}")).json()["status"] != "running":
            return
        await asyncio.sleep(0.1)


async def _serve(settings: Settings, port: int, token: str, emulator_url: str) -> None:
    open_files_as_allowed()
    app = create_app(settings)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=5
    )
    server = StoppingServer(config, on_stop=app.state.streams.stop)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task
            return
        await asyncio.sleep(0.05)
    app_url = f"http://127.0.0.1:{port}"
    zone = await _set_up(app_url, token, emulator_url)
    print(
        f"""
touchbase demo is running.
  calendar:  {app_url}/calendar   (click "Sign in as the demo user")
  API docs:  {app_url}/api/docs
  emulator:  {emulator_url}   (Google Calendar API v3 + OAuth)
  demo user: {DEMO_EMAIL}   (calendar in {zone})
  API token: {token}

Try:  curl -H 'Authorization: Bearer {token}' {app_url}/api/calendar/events
Stop with Ctrl-C.""",
        flush=True,
    )
    await task


def _stop_on_sigterm() -> None:
    """SIGTERM ends the demo as Ctrl-C does: through every `finally`, so the emulator it
    started stops with it (uvicorn passes the signal on once it has shut down)."""

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def _ports_free(port: int, emulator_port: int) -> None:
    for number, flag in ((port, "--port"), (emulator_port, "--emulator-port")):
        if not port_is_free(number):
            raise SystemExit(
                f"Port {number} on 127.0.0.1 is already in use (another touchbase demo?). "
                f"Stop that program, or choose another port with {flag}."
            )


def run_demo(*, port: int, emulator_port: int, data_dir: Path) -> None:
    """Run the demo until interrupted (Ctrl-C or SIGTERM), then stop its emulator."""
    _ports_free(port, emulator_port)
    _stop_on_sigterm()
    data_dir.mkdir(parents=True, exist_ok=True)
    state_file = data_dir / "emulator-state.json"
    with emulator_process("--state-file", str(state_file), port=emulator_port) as emulator_url:
        settings = Settings(
            mode=Mode.DEMO,
            database_url=f"sqlite:///{data_dir / 'touchbase.db'}",
            google_base_url=emulator_url,
            public_url=f"http://127.0.0.1:{port}",
            google_client_id="touchbase-demo",
            secret_key="touchbase-demo-secret",
            job_tick_seconds=2.0,
            demo_user_email=DEMO_EMAIL,
        )
        migrate(settings.database_url)
        token = asyncio.run(add_user(settings.database_url, DEMO_EMAIL, token_name="demo"))
        asyncio.run(_serve(settings, port, token, emulator_url))
