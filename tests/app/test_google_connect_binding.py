"""A Google authorization belongs to the browser that started it: a consent link sent to
someone else connects nobody (RFC 6749 §10.12, RFC 9700 §4.7)."""

from __future__ import annotations

import re

import httpx

from tests.support.app import AppHarness, flow_cookie
from tests.support.sync import titles

PASSWORD = "a long enough password"


def _consent(url: str, email: str) -> str:
    """The victim consents in Google; returns where Google sends their browser back."""
    answer = httpx.get(url + "&login_hint=" + email)
    assert answer.status_code in (302, 303), answer.text
    return answer.headers["location"]


def test_a_consent_link_sent_to_a_colleague_does_not_connect_their_calendar(
    app: AppHarness,
) -> None:
    mallory = app.user("mallory@example.com", connect=False)
    victim = app.user("victim@example.com")
    victim.create(title="Private: acquisition talks")
    started = mallory.api.post("/api/google/connect")
    link = started.json()["authorizationUrl"]

    back = _consent(link, victim.email)  # the colleague clicks the link and consents
    as_browser = httpx.get(back, headers={"Accept": "text/html"})
    assert as_browser.status_code == 303
    assert as_browser.headers["location"] == "/settings?google=failed&reason=other_browser"
    assert mallory.api.get("/api/google/connection").json()["connected"] is False
    assert titles(mallory) == []
    # The state is used up: the attacker cannot finish it afterwards either.
    late = httpx.get(back, cookies=flow_cookie(started))
    assert late.status_code == 400
    assert mallory.api.get("/api/google/connection").json()["connected"] is False
    assert titles(mallory) == []
    assert titles(victim) == ["Private: acquisition talks"]


def test_the_callback_must_come_from_the_user_who_started_it(app: AppHarness) -> None:
    alice = app.user("alice@example.com", connect=False, password=PASSWORD)
    bob = app.user("bob@example.com", connect=False)
    started = bob.api.post("/api/google/connect")
    back = _consent(started.json()["authorizationUrl"], bob.email)
    page = httpx.get(app.url + "/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    signed = httpx.post(
        app.url + "/login",
        data={"email": alice.email, "password": PASSWORD, "csrf_token": token.group(1)},
        cookies={"tb_login_csrf": page.cookies["tb_login_csrf"]},
    )
    session = signed.cookies["tb_session"]
    # Bob's nonce, but Alice is signed in to this browser: refused.
    answer = httpx.get(back, cookies={**flow_cookie(started), "tb_session": session})
    assert answer.status_code == 400, answer.text
    assert bob.api.get("/api/google/connection").json()["connected"] is False
    assert alice.api.get("/api/google/connection").json()["connected"] is False


def test_the_flow_cookie_is_http_only_and_the_right_browser_connects(app: AppHarness) -> None:
    alice = app.user("alice@example.com", connect=False)
    started = alice.api.post("/api/google/connect")
    header = next(
        h for h in started.headers.get_list("set-cookie") if h.startswith("tb_google_flow=")
    )
    assert "HttpOnly" in header
    assert "SameSite=lax" in header
    back = _consent(started.json()["authorizationUrl"], alice.email)
    answer = httpx.get(back, cookies=flow_cookie(started))
    assert answer.status_code == 200, answer.text
    assert alice.api.get("/api/google/connection").json()["connected"] is True
