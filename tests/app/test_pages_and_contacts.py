"""Sign-in, sessions and page security over plain HTTP, and the contacts API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import select

from tests.support.app import AppHarness, flow_cookie
from touchbase.store import accounts, sessions
from touchbase.store.database import Database
from touchbase.store.models import WebSession

PASSWORD = "a long enough password"


def _cookies(response: httpx.Response) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def _sign_in(app: AppHarness, email: str, password: str, **form: str) -> httpx.Response:
    """The login form as a browser submits it (cookies sent by hand: they are Secure)."""
    page = httpx.get(app.url + "/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    return httpx.post(
        app.url + "/login",
        data={"email": email, "password": password, "csrf_token": token.group(1), **form},
        cookies=_cookies(page),
    )


def test_sign_in_sets_a_secure_http_only_same_site_session(app: AppHarness) -> None:
    app.user("sam@example.com", password=PASSWORD)
    refused = _sign_in(app, "sam@example.com", "wrong password")
    assert refused.status_code == 401
    assert "do not match" in refused.text
    assert "tb_session" not in _cookies(refused)
    answer = _sign_in(app, "SAM@example.com", PASSWORD)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/calendar"
    header = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("tb_session="))
    assert "HttpOnly" in header
    assert "Secure" in header
    assert "SameSite=lax" in header
    session = _cookies(answer)["tb_session"]
    page = httpx.get(app.url + "/calendar", cookies={"tb_session": session})
    assert page.status_code == 200
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert csrf
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    api = httpx.Client(base_url=app.url, cookies={"tb_session": session})
    body = {
        "title": "From a page",
        "startTime": "2027-01-10T09:00:00Z",
        "endTime": "2027-01-10T10:00:00Z",
    }
    assert api.post("/api/calendar/events", json=body).status_code == 403
    created = api.post("/api/calendar/events", json=body, headers={"X-CSRF-Token": csrf.group(1)})
    assert created.status_code == 201
    assert created.json()["title"] == "From a page"


def test_password_guessing_is_slowed_down(app: AppHarness) -> None:
    app.user("sam@example.com", password=PASSWORD)
    statuses = [_sign_in(app, "sam@example.com", f"guess {n}").status_code for n in range(10)]
    assert statuses == [401] * 10
    limited = _sign_in(app, "sam@example.com", PASSWORD)
    assert limited.status_code == 429
    assert "Too many sign-in attempts" in limited.text
    assert "tb_session" not in _cookies(limited)
    assert _sign_in(app, "other@example.com", "guess").status_code == 401  # per email


def test_no_open_redirect_after_sign_in(app: AppHarness) -> None:
    app.user("sam@example.com", password=PASSWORD)
    for target, expected in [
        ("//evil.example/x", "/calendar"),
        ("https://evil.example", "/calendar"),
        ("/settings", "/settings"),
    ]:
        answer = _sign_in(app, "sam@example.com", PASSWORD, next=target)
        assert answer.headers["location"] == expected


def test_a_user_without_a_password_cannot_sign_in(app: AppHarness) -> None:
    app.user("tokens-only@example.com")
    assert _sign_in(app, "tokens-only@example.com", "").status_code in (401, 422)
    assert _sign_in(app, "tokens-only@example.com", "anything at all").status_code == 401
    assert _sign_in(app, "nobody@example.com", PASSWORD).status_code == 401


def test_a_sign_in_with_a_nul_character_is_refused(app: AppHarness) -> None:
    app.user("sam@example.com", password=PASSWORD)
    refused = _sign_in(app, "sam\x00@example.com", PASSWORD)  # PostgreSQL: a 500 before
    assert refused.status_code == 422, refused.text
    assert _sign_in(app, "sam@example.com", PASSWORD).status_code == 303


def test_pages_need_a_session_and_errors_read_as_pages(app: AppHarness) -> None:
    for path in ("/calendar", "/settings", "/activity"):
        answer = httpx.get(app.url + path)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/login?next={path}"
    forged = httpx.post(
        app.url + "/login",
        data={"email": "a@example.com", "password": "x", "csrf_token": "guess"},
        headers={"Accept": "text/html"},
    )
    assert forged.status_code == 403
    assert forged.headers["content-type"].startswith("text/html")
    assert "did not come from a touchbase page" in forged.text
    assert "{" not in forged.text.split("<main", 1)[1].split("</main>", 1)[0]


def test_google_sends_a_browser_back_to_the_settings_page(app: AppHarness) -> None:
    alice = app.user("alice@example.com", connect=False)
    started = alice.api.post("/api/google/connect", params={"loginHint": alice.email})
    url = started.json()["authorizationUrl"]
    assert "login_hint=alice%40example.com" in url
    consent = httpx.get(url, headers={"Accept": "text/html"})
    callback = consent.headers["location"]
    flow = flow_cookie(started)
    answer = httpx.get(callback, headers={"Accept": "text/html"}, cookies=flow)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/settings?google=connected"
    again = httpx.get(callback, headers={"Accept": "text/html"}, cookies=flow)
    assert again.headers["location"] == "/settings?google=failed&reason=expired"
    assert alice.api.get("/api/google/connection").json()["connected"] is True
    denied = httpx.get(
        app.url + "/api/google/callback",
        params={"state": "whatever", "error": "access_denied"},
        headers={"Accept": "text/html"},
    )
    assert denied.headers["location"] == "/settings?" + urlencode(
        {"google": "failed", "reason": "access_denied"}
    )
    # Whatever Google (or a forged link) says, the page shows only our own words.
    spoofed = httpx.get(
        app.url + "/api/google/callback",
        params={"state": "x", "error": "Your account is locked: call +1 555 0100"},
        headers={"Accept": "text/html"},
    )
    assert spoofed.headers["location"] == "/settings?google=failed&reason=refused"
    script = httpx.get(app.url + "/api/google/callback", params={"state": "x", "error": "nope"})
    assert script.status_code == 400
    assert script.json()["error"]["code"] == "INVALID_REQUEST"


def test_contacts_are_searched_by_name_and_private(app: AppHarness) -> None:
    alice, bob = (
        app.user("alice@example.com", connect=False),
        app.user("bob@example.com", connect=False),
    )
    for name, email in [
        ("Dana Scully", "dana@acme.example"),
        ("Daniel Jackson", None),
        ("Eli 100%", None),
    ]:
        created = alice.api.post(
            "/api/contacts", json={"name": name, "emails": [email] if email else []}
        )
        assert created.status_code == 201, created.text
    names = [c["name"] for c in alice.api.get("/api/contacts", params={"q": "DAN"}).json()["items"]]
    assert names == ["Dana Scully", "Daniel Jackson"]
    assert [
        c["name"] for c in alice.api.get("/api/contacts", params={"q": "acme"}).json()["items"]
    ] == ["Dana Scully"]
    assert [
        c["name"] for c in alice.api.get("/api/contacts", params={"q": "0%"}).json()["items"]
    ] == ["Eli 100%"]
    assert alice.api.get("/api/contacts", params={"q": "_"}).json()["items"] == []
    dana = alice.api.get("/api/contacts", params={"q": "dana"}).json()["items"][0]
    assert bob.api.get("/api/contacts").json()["items"] == []
    assert bob.api.get(f"/api/contacts/{dana['id']}").status_code == 404
    assert alice.api.get(f"/api/contacts/{dana['id']}").json()["email"] == "dana@acme.example"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "X", "emails": ["x@y.org", "nope"]}, "emails[1]"),
        ({"name": "X", "timeZone": "Mars/Olympus"}, "timeZone"),
        ({"name": "X", "cadence": {"every": 0, "unit": "week"}}, "cadence.every"),
        ({"name": "X", "cadence": {"every": 200, "unit": "month"}}, "cadence.every"),
        ({"name": "X", "nome": "Y"}, "nome"),
    ],
)
def test_a_bad_contact_is_refused_naming_the_field(
    app: AppHarness, body: dict[str, str], field: str
) -> None:
    alice = app.user("alice@example.com", connect=False)
    answer = alice.api.post("/api/contacts", json=body)
    assert answer.status_code == 422
    assert answer.json()["error"]["details"]["field"] == field
    assert alice.api.get("/api/contacts").json()["items"] == []


async def test_sessions_expire_and_end(database_url: str) -> None:
    database = Database(database_url)
    now = datetime(2027, 1, 1, tzinfo=UTC)
    try:
        async with database.session() as session:
            user = await accounts.create_user(session, "eve@example.com", now=now)
            cookie = await sessions.start_session(
                session, user, now=now, lifetime=timedelta(hours=1)
            )
        async with database.session() as session:
            day = timedelta(days=1)
            found = await sessions.signed_in(
                session, cookie, now=now + timedelta(minutes=59), idle=day
            )
            assert found is not None
            assert found.email == "eve@example.com"
            assert len(found.csrf_token) >= 32
            later = now + timedelta(hours=1)
            assert await sessions.signed_in(session, cookie, now=later, idle=day) is None
            assert await sessions.signed_in(session, cookie + "x", now=now, idle=day) is None
            stored = await session.scalar(select(WebSession.id))
            assert stored != cookie  # only its hash is kept
            await sessions.end_session(session, cookie)
        async with database.session() as session:
            assert await sessions.signed_in(session, cookie, now=now, idle=day) is None
    finally:
        await database.dispose()
