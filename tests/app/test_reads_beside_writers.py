"""On SQLite one transaction writes at a time and holds the lock from its start (a sync's
page of inserts holds it for tens of ms). A request that only reads must not queue behind
it: listings, an event, a search, a contact, its timeline and touchpoints, the settings, the
activity, the conflicts, a sync's progress, the Google connection, and the sign-in checks of
the API token and the page session run in a lock-free read, and the use of a token or session they
note is written after it by a read that finds the lock free."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.app.test_pages_and_contacts import PASSWORD, _cookies, _sign_in
from tests.support.app import AppHarness, wait_for
from touchbase.store.database import sqlite_file

# Far less than the 10 s a transaction waits for the write lock before it fails.
QUICKLY = 5.0


def _file(app: AppHarness) -> str:
    path = sqlite_file(app.database_url)
    if path is None:
        pytest.skip("PostgreSQL's readers never wait for its writers")
    return path


@contextmanager
def write_lock_held(app: AppHarness) -> Iterator[sqlite3.Connection]:
    """The app's SQLite file's write lock, held by another connection meanwhile."""
    path = _file(app)
    # It waits its turn for the lock: the app may be writing as it asks (the connection's
    # first sync, a push's outcome); once held, the app's writers wait behind it.
    holder = sqlite3.connect(path, isolation_level=None, timeout=10)
    holder.execute("BEGIN IMMEDIATE")  # as a sync's page of inserts does
    try:
        yield holder
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def _status(api: httpx.Client, path: str) -> int | str:
    try:
        return api.get(path).status_code
    except httpx.TimeoutException:
        return "timed out"


def test_crm_and_account_reads_answer_while_a_writer_holds_the_lock(app: AppHarness) -> None:
    _file(app)
    user = app.user("reader@example.com")
    contact = user.api.post("/api/contacts", json={"name": "Ada"}).json()
    planned = user.api.post(
        "/api/touchpoints", json={"contactId": contact["id"], "dueDate": "2027-03-02"}
    )
    assert planned.status_code == 201, planned.text
    run = user.api.post("/api/calendar/sync").json()["runId"]
    wait_for(lambda: user.api.get(f"/api/calendar/sync/{run}").json()["status"] != "running")
    reads = [
        f"/api/contacts/{contact['id']}",
        "/api/touchpoints",
        "/api/touchpoints/due",
        f"/api/touchpoints/{planned.json()['id']}",
        "/api/settings",
        "/api/audit",
        "/api/calendar/conflicts",
        f"/api/calendar/sync/{run}",
        "/api/google/connection",
    ]
    user.api.post("/api/google/connect")  # a grant's tokens are read from the database again
    with (
        write_lock_held(app),
        httpx.Client(base_url=app.url, headers=user.api.headers, timeout=QUICKLY) as api,
    ):
        answers = {path: _status(api, path) for path in reads}
    assert answers == dict.fromkeys(reads, 200)


def _a_while_ago(app: AppHarness, table: str, column: str) -> None:
    """Make every row's last noted use old enough to be noted again."""
    path = _file(app)
    old = f"{datetime.now(UTC) - timedelta(hours=1):%Y-%m-%d %H:%M:%S.%f}"  # as SQLite keeps it
    with sqlite3.connect(path) as connection:
        connection.execute(f"UPDATE {table} SET {column} = ?", (old,))


def _noted(app: AppHarness, table: str, column: str) -> datetime:
    path = _file(app)
    with sqlite3.connect(path) as connection:
        (value,) = connection.execute(f"SELECT max({column}) FROM {table}").fetchone()
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def test_reads_with_an_api_token_answer_while_a_writer_holds_the_lock(app: AppHarness) -> None:
    _file(app)
    user = app.user("reader@example.com")
    created = user.create(title="Lunch with Ada").json()
    contact = user.api.post("/api/contacts", json={"name": "Ada"}).json()
    _a_while_ago(app, "api_tokens", "last_used_at")
    reads = [
        "/api/calendar/events",
        f"/api/calendar/events/{created['id']}",
        "/api/calendar/search?q=lunch",
        f"/api/contacts/{contact['id']}/timeline",
    ]
    with (
        write_lock_held(app),
        httpx.Client(base_url=app.url, headers=user.api.headers, timeout=QUICKLY) as api,
    ):
        answers = [api.get(path) for path in reads]
    assert [a.status_code for a in answers] == [200] * len(reads)
    assert answers[0].json()["items"][0]["id"] == created["id"]
    # The token's use, due to be noted, is written by a read that finds the lock free.
    assert _noted(app, "api_tokens", "last_used_at") < datetime.now(UTC) - timedelta(minutes=30)
    assert user.api.get("/api/calendar/events").status_code == 200
    assert _noted(app, "api_tokens", "last_used_at") > datetime.now(UTC) - timedelta(minutes=1)


def test_a_signed_in_page_reads_while_a_writer_holds_the_lock(app: AppHarness) -> None:
    _file(app)
    app.user("browser@example.com", connect=False, password=PASSWORD)
    cookies = _cookies(_sign_in(app, "browser@example.com", PASSWORD))
    _a_while_ago(app, "web_sessions", "last_seen_at")
    with (
        write_lock_held(app),
        httpx.Client(base_url=app.url, cookies=cookies, timeout=QUICKLY) as browser,
    ):
        listed = browser.get("/api/calendar/events")
    assert listed.status_code == 200
    assert _noted(app, "web_sessions", "last_seen_at") < datetime.now(UTC) - timedelta(minutes=30)
    with httpx.Client(base_url=app.url, cookies=cookies) as browser:
        assert browser.get("/api/calendar/events").status_code == 200
    assert _noted(app, "web_sessions", "last_seen_at") > datetime.now(UTC) - timedelta(minutes=1)
