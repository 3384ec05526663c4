"""Configuration mistakes end a command with one line naming the variable and the fix, never a
traceback; the demo owns its ports and stops its emulator."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.support.databases import BACKENDS
from touchbase.config import ConfigurationError, Mode, Settings, database_url, load_settings
from touchbase.store.crypto import SecretCipher
from touchbase.store.database import Database
from touchbase.store.models import GoogleConnection, User
from touchbase_emulator.process import free_port, wait_until_up

GOOD_SECRET = "k" * 40


def _touchbase(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHBASE_")}
    return subprocess.run(
        [sys.executable, "-m", "touchbase", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**clean, **env},
        check=False,
    )


def _one_clear_line(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode != 0
    said = done.stderr + done.stdout
    assert "Traceback" not in said, said
    assert len(said.strip().splitlines()) <= 2, said
    for needle in needles:
        assert needle in said, said


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///var/x.db", "sqlite:///var/x.db"),
        ("sqlite+aiosqlite:///var/x.db", "sqlite:///var/x.db"),
        ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ],
)
def test_the_common_database_urls_map_to_the_async_drivers(given: str, expected: str) -> None:
    assert database_url(given) == expected


def test_plain_sqlite_url_works_from_the_command_line(tmp_path: Path) -> None:
    done = _touchbase("migrate", env={"TOUCHBASE_DATABASE_URL": f"sqlite:///{tmp_path}/plain.db"})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "plain.db").exists()


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs the test PostgreSQL server")
def test_plain_postgresql_url_works_from_the_command_line() -> None:
    url = os.environ["TOUCHBASE_TEST_POSTGRES_URL"].replace("postgresql+psycopg://", "postgres://")
    done = _touchbase("migrate", env={"TOUCHBASE_DATABASE_URL": url})
    assert done.returncode == 0, done.stderr


def test_an_unknown_database_url_is_one_line_and_creates_nothing(tmp_path: Path) -> None:
    done = _touchbase("migrate", env={"TOUCHBASE_DATABASE_URL": f"mysql://{tmp_path}/x"})
    _one_clear_line(done, "TOUCHBASE_DATABASE_URL", "sqlite:///", "postgresql://")
    assert list(tmp_path.iterdir()) == []


def test_a_database_that_refuses_connections_is_one_line() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"postgresql://touchbase:secret@127.0.0.1:{port}/nothing"
    done = _touchbase("migrate", env={"TOUCHBASE_DATABASE_URL": url})
    _one_clear_line(done, "TOUCHBASE_DATABASE_URL", f"127.0.0.1:{port}", "cannot open")
    assert "secret" not in done.stderr + done.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [("TOUCHBASE_MODE", "prod"), ("TOUCHBASE_JOB_TICK_SECONDS", "soon")],
)
def test_a_bad_value_names_the_variable(tmp_path: Path, variable: str, value: str) -> None:
    env = {"TOUCHBASE_DATABASE_URL": f"sqlite:///{tmp_path}/x.db", variable: value}
    _one_clear_line(_touchbase("migrate", env=env), variable, repr(value))


@pytest.mark.parametrize("email", ["", "not-an-email", "sam@@x.example"])
def test_user_add_refuses_what_is_not_an_email(tmp_path: Path, email: str) -> None:
    done = _touchbase(
        "user", "add", email, env={"TOUCHBASE_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    )
    _one_clear_line(done, "not an email address")


def _production(**values: object) -> Settings:
    base: dict[str, object] = {
        "mode": Mode.PRODUCTION,
        "secret_key": GOOD_SECRET,
        "google_client_id": "1234.apps.googleusercontent.com",
        "google_client_secret": "shh",
    }
    return Settings(**{**base, **values})  # type: ignore[arg-type]


def test_production_needs_a_long_secret_and_a_google_client_or_says_no_google() -> None:
    _production().check()
    for bad in ({"secret_key": "x"}, {"secret_key": "short-but-not-default"}):
        with pytest.raises(ConfigurationError, match="TOUCHBASE_SECRET_KEY"):
            _production(**bad).check()
    with pytest.raises(ConfigurationError, match="TOUCHBASE_GOOGLE_CLIENT_ID"):
        _production(google_client_id="touchbase-local").check()
    with pytest.raises(ConfigurationError, match="TOUCHBASE_GOOGLE_ENABLED=false"):
        _production(google_client_secret="").check()
    _production(google_client_id="touchbase-local", google_enabled=False).check()


def test_serve_refuses_a_secret_key_that_does_not_decrypt_the_stored_tokens(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/keys.db"
    assert _touchbase("migrate", env={"TOUCHBASE_DATABASE_URL": url}).returncode == 0

    async def store_tokens() -> None:
        database = Database(load_settings(database_url=url).database_url)
        try:
            async with database.session() as session:
                now = datetime.now(UTC)
                session.add(User(id="u1", email="a@example.com", created_at=now))
                await session.flush()
                session.add(
                    GoogleConnection(
                        id="g1",
                        user_id="u1",
                        access_token=SecretCipher("the-old-key" * 4).encrypt("token"),
                        expires_at=now,
                        scopes="",
                        connected_at=now,
                        updated_at=now,
                    )
                )
        finally:
            await database.dispose()

    asyncio.run(store_tokens())
    env = {
        "TOUCHBASE_DATABASE_URL": url,
        "TOUCHBASE_MODE": "test",
        "TOUCHBASE_SECRET_KEY": "a-new-key" * 5,
    }
    done = _touchbase("serve", "--port", str(free_port()), env=env, timeout=30)
    _one_clear_line(done, "TOUCHBASE_SECRET_KEY", "does not decrypt")


def test_the_oauth_redirect_follows_the_port_served_on(tmp_path: Path) -> None:
    env = {"TOUCHBASE_DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "TOUCHBASE_MODE": "test"}
    added = _touchbase("user", "add", "pat@example.com", env=env)
    token = re.search(r"^(tb_\S+)$", added.stdout, re.MULTILINE)
    assert token, added.stderr
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHBASE_")}
    server = subprocess.Popen(
        [sys.executable, "-m", "touchbase", "serve", "--port", str(port)],
        env={**clean, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/health")
        url = httpx.post(
            f"http://127.0.0.1:{port}/api/google/connect",
            headers={"Authorization": f"Bearer {token.group(1)}"},
        ).json()["authorizationUrl"]
        assert f"127.0.0.1%3A{port}%2Fapi%2Fgoogle%2Fcallback" in url
    finally:
        server.terminate()
        server.wait(timeout=20)


def _demo(tmp_path: Path, port: int, emulator_port: int) -> subprocess.Popen[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHBASE_")}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "touchbase",
            "demo",
            *("--port", str(port), "--emulator-port", str(emulator_port)),
            *("--data-dir", str(tmp_path)),
        ],
        env=clean,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: a failed test ends its emulator too
    )


def _end_group(demo: subprocess.Popen[str]) -> None:
    """Kill whatever is left of a demo and the processes it started."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(demo.pid, signal.SIGKILL)
    demo.wait(timeout=10)


def _token_printed(demo: subprocess.Popen[str]) -> str:
    """The API token the demo prints once it is ready."""
    assert demo.stdout is not None
    for line in demo.stdout:
        if "API token:" in line:
            return line.split("API token:")[1].strip()
    raise AssertionError("the demo ended without saying it was running")


def _port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_the_demo_stops_its_emulator_on_sigterm_and_refuses_taken_ports(tmp_path: Path) -> None:
    port, emulator_port = free_port(), free_port()
    demo = _demo(tmp_path, port, emulator_port)
    started = [demo]
    try:
        token = _token_printed(demo)
        # Synced before it says where it is: its first page says when, not "use Sync now".
        calendars = httpx.get(
            f"http://127.0.0.1:{port}/api/calendar/calendars",
            headers={"Authorization": f"Bearer {token}"},
        ).json()["items"]
        assert [c["lastSyncedAt"] is not None for c in calendars if c["syncEnabled"]] == [True]
        assert _port_in_use(emulator_port)
        second = _demo(tmp_path / "other", free_port(), emulator_port)
        started.append(second)
        said, _ = second.communicate(timeout=60)
        assert second.returncode != 0
        assert f"Port {emulator_port}" in said
        assert "--emulator-port" in said
        assert "Traceback" not in said
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=30)
        deadline = time.monotonic() + 10
        while _port_in_use(emulator_port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _port_in_use(emulator_port), "the demo's emulator outlived it"
    finally:
        for process in started:
            _end_group(process)
