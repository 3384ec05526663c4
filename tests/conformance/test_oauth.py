"""OAuth shaped like Google's: code flow with PKCE, refresh, revoke, userinfo, scopes."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.conformance.conftest import SCOPE, reason_of
from tests.support.servers import EmulatorControl

REDIRECT = "http://127.0.0.1:9/callback"


def _authorize(
    emulator: EmulatorControl, email: str | None, scopes: list[str], verifier: str | None = None
) -> httpx.Response:
    params = {
        "client_id": "crm-app",
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": " ".join(scopes),
        "state": "st4te",
        "access_type": "offline",
    }
    if verifier:
        digest = hashlib.sha256(verifier.encode()).digest()
        params["code_challenge"] = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        params["code_challenge_method"] = "S256"
    if email:
        params["login_hint"] = email
    return httpx.get(emulator.url + "/o/oauth2/v2/auth", params=params)


def _code(response: httpx.Response) -> dict[str, list[str]]:
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return parse_qs(urlsplit(location).query)


def _exchange(emulator: EmulatorControl, code: str, verifier: str | None) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": "crm-app",
        "client_secret": "s",
        "redirect_uri": REDIRECT,
    }
    if verifier:
        form["code_verifier"] = verifier
    return httpx.post(emulator.url + "/token", data=form)


def test_code_flow_with_pkce_and_login_hint(emulator: EmulatorControl) -> None:
    verifier = secrets.token_urlsafe(48)
    query = _code(_authorize(emulator, "carol@example.com", [SCOPE + "calendar.events"], verifier))
    assert query["state"] == ["st4te"]
    wrong = _exchange(emulator, query["code"][0], "not-the-verifier")
    assert wrong.json()["error"] == "invalid_grant"
    query = _code(_authorize(emulator, "carol@example.com", [SCOPE + "calendar.events"], verifier))
    tokens = _exchange(emulator, query["code"][0], verifier).json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["scope"] == SCOPE + "calendar.events"
    assert tokens["refresh_token"]
    assert tokens["expires_in"] == 3600
    reused = _exchange(emulator, query["code"][0], verifier)
    assert reused.status_code == 400
    info = httpx.get(
        emulator.url + "/oauth2/v3/userinfo",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    ).json()
    assert info["email"] == "carol@example.com"


def test_without_login_hint_a_page_lets_a_person_choose(emulator: EmulatorControl) -> None:
    emulator.token("dave@example.com")
    page = _authorize(emulator, None, [SCOPE + "calendar"])
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert "dave@example.com" in page.text
    chosen = httpx.post(
        emulator.url + "/o/oauth2/v2/auth",
        data={
            "client_id": "crm-app",
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "scope": SCOPE + "calendar",
            "login_hint": "dave@example.com",
        },
    )
    assert "code" in _code(chosen)


def test_access_tokens_expire_and_refresh(emulator: EmulatorControl) -> None:
    tokens = emulator.tokens("erin@example.com")
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    url = emulator.url + "/calendar/v3/users/me/calendarList"
    assert httpx.get(url, headers=headers).status_code == 200
    emulator.post("/tokens/expire")
    expired = httpx.get(url, headers=headers)
    assert expired.status_code == 401
    assert reason_of(expired) == "authError"
    assert expired.json()["error"]["status"] == "UNAUTHENTICATED"
    fresh = httpx.post(
        emulator.url + "/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": "emulator",
        },
    ).json()
    assert (
        httpx.get(url, headers={"Authorization": f"Bearer {fresh['access_token']}"}).status_code
        == 200
    )


def test_token_lifetime_is_configurable(emulator: EmulatorControl) -> None:
    emulator.configure(tokenLifetimeSeconds=120)
    assert emulator.tokens("fay@example.com")["expires_in"] == 120


def test_revoked_refresh_token_no_longer_works(emulator: EmulatorControl) -> None:
    tokens = emulator.tokens("gil@example.com")
    assert (
        httpx.post(emulator.url + "/revoke", data={"token": tokens["refresh_token"]}).status_code
        == 200
    )
    refused = httpx.post(
        emulator.url + "/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert refused.json()["error"] == "invalid_grant"
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (
        httpx.get(emulator.url + "/calendar/v3/users/me/calendarList", headers=headers).status_code
        == 401
    )


def test_read_only_token_cannot_write(emulator: EmulatorControl) -> None:
    token = emulator.token("hal@example.com", [SCOPE + "calendar.events.readonly"])
    headers = {"Authorization": f"Bearer {token}"}
    base = emulator.url + "/calendar/v3/calendars/primary/events"
    assert httpx.get(base, headers=headers).status_code == 200
    refused = httpx.post(
        base, headers=headers, json={"start": {"date": "2027-01-01"}, "end": {"date": "2027-01-02"}}
    )
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["status"] == "PERMISSION_DENIED"
    assert error["errors"][0]["reason"] == "insufficientPermissions"
    assert error["details"][0]["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"


@pytest.mark.parametrize("scope", ["calendar.events", "calendar.events.readonly"])
def test_calendar_list_needs_a_calendar_scope(emulator: EmulatorControl, scope: str) -> None:
    token = emulator.token("ivy@example.com", [SCOPE + scope])
    response = httpx.get(
        emulator.url + "/calendar/v3/users/me/calendarList",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403


def test_consent_can_grant_fewer_scopes_than_asked(emulator: EmulatorControl) -> None:
    emulator.http.put(
        emulator.url + "/_emulator/consent/jo@example.com",
        json={"scopes": [SCOPE + "calendar.events.readonly"]},
    )
    query = _code(_authorize(emulator, "jo@example.com", [SCOPE + "calendar.events", "email"]))
    assert query["scope"] == ["email"]
    tokens = _exchange(emulator, query["code"][0], None).json()
    assert tokens["scope"] == "email"


def test_missing_token_is_401(emulator: EmulatorControl) -> None:
    response = httpx.get(emulator.url + "/calendar/v3/calendars/primary/events")
    assert response.status_code == 401
    assert reason_of(response) == "authError"
