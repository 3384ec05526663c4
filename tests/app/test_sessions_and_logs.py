"""Sessions, tokens, sign-in throttling, logs and files (ASVS L1-L2)."""

from __future__ import annotations

import asyncio
import logging
import re
import stat
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.exc import IntegrityError

from tests.support.app import AppHarness, run_in_thread, start_app
from tests.support.servers import EmulatorControl
from touchbase.store import accounts
from touchbase.store.database import Database, migrate
from touchbase.users import add_user, revoke_token
from touchbase.web.logs import RedactSecrets

PASSWORD = "a long enough password"


def _sign_in(url: str, email: str, password: str, *, source: str = "127.0.0.1") -> httpx.Response:
    """The login form, sent from `source` (any address of the loopback range)."""
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(base_url=url, transport=transport) as browser:
        page = browser.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        browser.cookies.set("tb_login_csrf", page.cookies["tb_login_csrf"])
        return browser.post(
            "/login", data={"email": email, "password": password, "csrf_token": token.group(1)}
        )


def _signed_in(url: str, session: str) -> bool:
    page = httpx.get(url + "/calendar", cookies={"tb_session": session})
    return page.status_code == 200


def test_a_password_change_signs_every_browser_out(app: AppHarness) -> None:
    app.user("sam@example.com", password=PASSWORD, connect=False)
    session = _sign_in(app.url, "sam@example.com", PASSWORD).cookies["tb_session"]
    assert _signed_in(app.url, session)
    run_in_thread(add_user(app.database_url, "sam@example.com", password="a new long password"))
    assert not _signed_in(app.url, session)
    fresh = _sign_in(app.url, "sam@example.com", "a new long password").cookies["tb_session"]
    assert _signed_in(app.url, fresh)


@pytest.fixture
def idle_app(database_url: str, emulator: EmulatorControl) -> Iterator[AppHarness]:
    server, url = start_app(database_url, emulator.url, session_idle_hours=1.5 / 3600)
    try:
        yield AppHarness(url, database_url, emulator)
    finally:
        server.stop()


def test_an_idle_session_ends(idle_app: AppHarness) -> None:
    idle_app.user("sam@example.com", password=PASSWORD, connect=False)
    session = _sign_in(idle_app.url, "sam@example.com", PASSWORD).cookies["tb_session"]
    assert _signed_in(idle_app.url, session)
    time.sleep(2)
    assert not _signed_in(idle_app.url, session)


def test_an_api_token_expires_and_can_be_listed_and_revoked(app: AppHarness) -> None:
    expired = run_in_thread(
        add_user(app.database_url, "tess@example.com", token_lifetime=timedelta(seconds=-1))
    )
    kept = run_in_thread(add_user(app.database_url, "tess@example.com"))
    headers = {"Authorization": f"Bearer {expired}"}
    assert httpx.get(app.url + "/api/contacts", headers=headers).status_code == 401
    headers = {"Authorization": f"Bearer {kept}"}
    assert httpx.get(app.url + "/api/contacts", headers=headers).status_code == 200
    ids = run_in_thread(_token_ids(app.database_url, "tess@example.com"))
    assert len(ids) == 2
    assert run_in_thread(revoke_token(app.database_url, ids[1]))
    assert httpx.get(app.url + "/api/contacts", headers=headers).status_code == 401


async def _token_ids(database_url: str, email: str) -> list[str]:
    """The ids of a user's API tokens, oldest first (read as another process would)."""
    database = Database(database_url)
    try:
        async with database.session() as session:
            user = await accounts.user_by_email(session, email)
            assert user is not None
            return [t.id for t in await accounts.user_tokens(session, user.id)]
    finally:
        await database.dispose()


def test_a_token_revoked_after_use_changes_nothing_and_is_refused_whatever_it_asks(
    app: AppHarness,
) -> None:
    """The server knows each token from before; revoked since (by another process), it is
    refused in the transaction that would have made the change, and before an answer that
    needed no database at all."""
    user = app.user("rita@example.com")  # connected to Google
    tokens = [run_in_thread(add_user(app.database_url, "rita@example.com")) for _ in range(5)]
    clients = [
        httpx.Client(base_url=app.url, headers={"Authorization": f"Bearer {token}"})
        for token in tokens
    ]
    for client in clients:
        assert client.get("/api/contacts").status_code == 200  # known to the server now
    ids = run_in_thread(_token_ids(app.database_url, "rita@example.com"))
    for token_id in ids[1:5]:  # the first is the connected user's; the last is kept
        assert run_in_thread(revoke_token(app.database_url, token_id))
    invalid, create, contact, listener, kept = clients

    refused = invalid.post("/api/contacts", json={"name": 5})  # 422 before any store
    assert refused.status_code == 401, refused.text
    assert refused.json()["error"]["code"] == "UNAUTHENTICATED"
    event = {
        "title": "Lunch",
        "startTime": "2027-03-01T12:00:00Z",
        "endTime": "2027-03-01T13:00:00Z",
    }
    assert create.post("/api/calendar/events", json=event).status_code == 401
    assert contact.post("/api/contacts", json={"name": "Ann"}).status_code == 401
    assert contact.get("/api/contacts").status_code == 401  # a read-only transaction
    # A stream's answer starts in a task of its own, and opens no transaction before it.
    with listener.stream("GET", "/api/calendar/changes", timeout=5) as stream:
        assert stream.status_code == 401

    assert kept.get("/api/contacts").json()["items"] == []
    listed = kept.get(
        "/api/calendar/events",
        params={"from": "2027-03-01T00:00:00Z", "to": "2027-03-02T00:00:00Z"},
    )
    assert listed.json()["items"] == []
    assert user.google_events() == []


def test_spraying_many_emails_from_one_client_is_slowed(app: AppHarness) -> None:
    codes = [_sign_in(app.url, f"person{n}@example.com", "guess").status_code for n in range(40)]
    assert codes[:25] == [401] * 25
    assert 429 in codes


def test_guessing_one_account_does_not_lock_its_owner_out_elsewhere(app: AppHarness) -> None:
    app.user("sam@example.com", password=PASSWORD, connect=False)
    attacker = [
        _sign_in(app.url, "sam@example.com", f"guess {n}", source="127.0.0.2").status_code
        for n in range(12)
    ]
    assert attacker[-1] == 429
    owner = _sign_in(app.url, "sam@example.com", PASSWORD, source="127.0.0.3")
    assert owner.status_code == 303, owner.text
    assert "tb_session" in owner.cookies


def test_the_access_log_never_holds_an_authorization_code(app: AppHarness) -> None:
    access = logging.getLogger("uvicorn.access")
    assert any(isinstance(f, RedactSecrets) for f in access.filters)
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/api/google/callback?state=s3cr3t&code=4/0AbCdEf&x=1", "1.1", 303),
        None,
    )
    for log_filter in access.filters:
        log_filter.filter(record)
    line = record.getMessage()
    assert "4/0AbCdEf" not in line
    assert "s3cr3t" not in line
    assert "code=[redacted]" in line
    assert "x=1" in line


def test_database_errors_do_not_carry_the_data_into_logs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/errors.db"
    migrate(url)

    async def duplicate() -> str:
        database = Database(url)
        try:
            for _ in range(2):
                async with database.session() as session:
                    await accounts.create_user(
                        session, "private-person@example.com", now=datetime.now(UTC)
                    )
        except IntegrityError as exc:
            return str(exc)
        finally:
            await database.dispose()
        raise AssertionError("no error")

    message = asyncio.run(duplicate())
    assert "private-person" not in message
    assert "hidden due to hide_parameters" in message


def test_a_new_sqlite_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "private.db"
    migrate(f"sqlite:///{path}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
