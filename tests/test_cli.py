"""The `touchbase` command: serve refuses a default secret, user add, and the demo."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from touchbase.store import accounts
from touchbase.store.database import Database
from touchbase.store.models import User
from touchbase.users import password_matches
from touchbase_emulator.process import free_port, wait_until_up


def _touchbase(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "touchbase", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_serve_refuses_the_default_secret_outside_demo(tmp_path: Path) -> None:
    done = _touchbase(
        "serve",
        env={
            "TOUCHBASE_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
            "TOUCHBASE_SECRET_KEY": "change-me-insecure-default-secret",
            "TOUCHBASE_MODE": "production",
        },
    )
    assert done.returncode != 0
    assert "TOUCHBASE_SECRET_KEY" in done.stderr + done.stdout


def test_migrate_then_user_add_prints_a_token(tmp_path: Path) -> None:
    env = {"TOUCHBASE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    assert _touchbase("migrate", env=env).returncode == 0
    done = _touchbase("user", "add", "carol@example.com", env=env)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^tb_[\w-]{40,}$", done.stdout, re.MULTILINE)


def test_user_add_sets_a_password_from_stdin(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    env = {"TOUCHBASE_DATABASE_URL": url}
    short = subprocess.run(
        [sys.executable, "-m", "touchbase", "user", "add", "dora@example.com", "--password-stdin"],
        input="short\n",
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )
    assert short.returncode != 0
    assert "at least 8 characters" in short.stderr
    done = subprocess.run(
        [sys.executable, "-m", "touchbase", "user", "add", "dora@example.com", "--password-stdin"],
        input="a fine password\n",
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "with a password" in done.stdout

    async def stored_user() -> User | None:
        database = Database(url)
        try:
            async with database.session() as session:
                return await accounts.user_by_email(session, "dora@example.com")
        finally:
            await database.dispose()

    user = asyncio.run(stored_user())
    assert user is not None
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    assert password_matches(user, "a fine password")
    assert not password_matches(user, "a fine password ")


def test_demo_runs_the_emulator_and_the_app_with_sample_events(tmp_path: Path) -> None:
    port, emulator_port = free_port(), free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "touchbase",
            "demo",
            "--port",
            str(port),
            "--emulator-port",
            str(emulator_port),
            "--data-dir",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "TZ": "America/New_York"},  # the machine's zone, as a user's
    )
    try:
        assert process.stdout is not None
        output = ""
        deadline = time.monotonic() + 60
        while "API token:" not in output and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            output += line
        token = re.search(r"API token: (\S+)", output)
        assert token, output
        wait_until_up(f"http://127.0.0.1:{port}/api/health")
        auth = {"Authorization": f"Bearer {token.group(1)}"}
        events = httpx.get(f"http://127.0.0.1:{port}/api/calendar/events", headers=auth).json()[
            "items"
        ]
        singles = [e for e in events if e["seriesId"] is None]
        weekly = [e for e in events if e["seriesId"] is not None]
        # 3 to come, 2 past meetings matched to contacts by email, 3 touchpoints' events
        # (Eli's and Fran's, and Dana's planned by her cadence from the discovery call), and
        # Fran's invitation, not yet answered.
        assert len(singles) == 9
        [invited] = [e for e in singles if e["organizerOnly"]]
        assert invited["organizer"] == "fran@globex.example"
        assert invited["myResponse"] == "needsAction"
        assert [f["title"] for f in invited["attachments"]] == ["Q3 planning agenda"]
        assert len(weekly) == 10, "the weekly series of 10, expanded"
        assert {e["syncStatus"] for e in events} == {"synced"}
        assert any(e["allDay"] for e in singles)
        assert any(e["attendees"] for e in singles)
        [demo] = [e for e in singles if e["title"] == "Demo for Globex"]
        assert demo["conference"]["url"].startswith("https://meet.google.com/"), "a Meet"
        assert {e["title"] for e in weekly} == {"Pipeline review"}
        due = httpx.get(f"http://127.0.0.1:{port}/api/touchpoints/due", headers=auth).json()
        assert [t["contactName"] for t in due["overdue"]] == ["Eli Vance"]
        assert [t["contactName"] for t in due["today"]] == ["Fran Kubelik"]
        touchpoints = httpx.get(f"http://127.0.0.1:{port}/api/touchpoints", headers=auth).json()
        dana_next = [t for t in touchpoints["items"] if t["contactName"] == "Dana Scully"]
        assert [t["origin"] for t in dana_next] == ["cadence"]
        contacts = httpx.get(f"http://127.0.0.1:{port}/api/contacts", headers=auth).json()
        dana = next(c for c in contacts["items"] if c["name"] == "Dana Scully")
        assert dana["lastContacted"] is not None, "the discovery call, matched by her email"
        # The demo calendar is in the machine's zone, its meetings at that zone's hours.
        assert "(calendar in America/New_York)" in output
        [intro] = [e for e in singles if e["title"] == "Intro call with Dana (Acme)"]
        start = datetime.fromisoformat(intro["startTime"])
        assert start.astimezone(ZoneInfo("America/New_York")).hour == 9
        # The weekly series is kept in Berlin's zone (its card shows both), at 10:00 here.
        first = min(weekly, key=lambda e: e["startTime"])
        assert first["timeZone"] == "Europe/Berlin"
        assert (
            datetime.fromisoformat(first["startTime"]).astimezone(ZoneInfo("America/New_York")).hour
            == 10
        )
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_tokens_are_listed_and_revoked_from_the_command_line(tmp_path: Path) -> None:
    env = {"TOUCHBASE_DATABASE_URL": f"sqlite:///{tmp_path}/tokens.db"}
    assert (
        _touchbase("user", "add", "tom@example.com", "--token-days", "30", env=env).returncode == 0
    )
    listed = _touchbase("token", "list", "tom@example.com", env=env)
    assert listed.returncode == 0, listed.stderr
    [row] = listed.stdout.splitlines()[1:]
    token_id = row.split()[0]
    assert "never" in row  # not used yet
    revoked = _touchbase("token", "revoke", token_id, env=env)
    assert revoked.returncode == 0, revoked.stderr
    assert _touchbase("token", "list", "tom@example.com", env=env).stdout.count("\n") == 1
    again = _touchbase("token", "revoke", token_id, env=env)
    assert again.returncode != 0
    assert "No API token" in again.stderr
