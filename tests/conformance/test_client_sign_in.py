"""Sign-in as Google's own libraries do it: google-auth-oauthlib's installed-app flow (client
authentication by HTTP Basic, PKCE, a local redirect server), then google-auth refreshing and
revoking; every userinfo path."""

from __future__ import annotations

import base64
import threading
import webbrowser
from typing import Any

import httpx
import pytest
from google.auth.transport.requests import Request
from google_auth_oauthlib.flow import InstalledAppFlow
from googleapiclient.discovery import build

from tests.conformance.conftest import ALICE, SCOPE, timed
from tests.support.servers import EmulatorControl

CLIENT_ID = "1234-desktop.apps.googleusercontent.com"
SECRET = "GOCSPX-not-secret"


class ScriptedBrowser(webbrowser.BaseBrowser):
    """A browser that follows the sign-in redirects by itself (in a thread, since the flow
    waits for the redirect on its local server)."""

    def __init__(self) -> None:
        super().__init__("scripted")
        self.visited: list[str] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        self.visited.append(url)
        threading.Thread(
            target=lambda: httpx.get(url, follow_redirects=True, timeout=10), daemon=True
        ).start()
        return True


def _client_config(emulator: EmulatorControl) -> dict[str, Any]:
    return {
        "installed": {
            "client_id": CLIENT_ID,
            "client_secret": SECRET,
            "auth_uri": emulator.url + "/o/oauth2/auth",
            "token_uri": emulator.url + "/token",
            "redirect_uris": ["http://localhost"],
        }
    }


def test_installed_app_flow_signs_in_and_the_credentials_work(
    emulator: EmulatorControl, monkeypatch: pytest.MonkeyPatch
) -> None:
    # oauthlib refuses plain http unless told it is a local test: the emulator is on loopback.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    browser = ScriptedBrowser()
    webbrowser.register("scripted", None, browser)
    flow = InstalledAppFlow.from_client_config(
        _client_config(emulator), scopes=[SCOPE + "calendar"]
    )
    credentials = flow.run_local_server(
        host="127.0.0.1",
        port=0,
        browser="scripted",
        authorization_prompt_message=None,
        timeout_seconds=20,
        login_hint=ALICE,
        access_type="offline",
    )
    assert "code_challenge=" in browser.visited[0]  # the flow used PKCE
    assert credentials.refresh_token
    service = build(
        "calendar",
        "v3",
        credentials=credentials,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": emulator.url + "/calendar/v3/"},
    )
    service.events().insert(
        calendarId="primary", body=timed("2027-01-01T10:00:00Z", "2027-01-01T11:00:00Z")
    ).execute()
    emulator.post("/tokens/expire")
    credentials.refresh(Request())  # google-auth refreshes with the secret in the form
    listed = service.events().list(calendarId="primary").execute()
    assert [e["summary"] for e in listed["items"]] == ["Meeting"]


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def test_token_and_revoke_take_basic_client_authentication(emulator: EmulatorControl) -> None:
    tokens = emulator.tokens(ALICE)
    refreshed = httpx.post(
        emulator.url + "/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        headers={"Authorization": _basic(CLIENT_ID, SECRET)},
    )
    assert refreshed.status_code == 200, refreshed.text
    revoked = httpx.post(
        emulator.url + "/revoke",
        data={"token": tokens["refresh_token"]},
        headers={"Authorization": _basic(CLIENT_ID, SECRET)},
    )
    assert revoked.status_code == 200
    again = httpx.post(
        emulator.url + "/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        headers={"Authorization": _basic(CLIENT_ID, SECRET)},
    )
    assert again.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "header",
    [
        "Basic not-base64!",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        _basic("another-client", SECRET),  # differs from the form's client_id
    ],
)
def test_bad_basic_credentials_are_invalid_client(emulator: EmulatorControl, header: str) -> None:
    answer = httpx.post(
        emulator.url + "/token",
        data={"grant_type": "refresh_token", "refresh_token": "x", "client_id": CLIENT_ID},
        headers={"Authorization": header},
    )
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    ("path", "id_key", "verified_key"),
    [
        ("/oauth2/v3/userinfo", "sub", "email_verified"),
        ("/v1/userinfo", "sub", "email_verified"),
        ("/oauth2/v2/userinfo", "id", "verified_email"),
        ("/oauth2/v1/userinfo", "id", "verified_email"),
        ("/userinfo/v2/me", "id", "verified_email"),
    ],
)
def test_every_userinfo_path_answers_in_its_shape(
    emulator: EmulatorControl, path: str, id_key: str, verified_key: str
) -> None:
    token = emulator.token(ALICE, ["openid", "email", "profile"])
    info = httpx.get(emulator.url + path, headers={"Authorization": f"Bearer {token}"}).json()
    assert info["email"] == ALICE
    assert info[verified_key] is True
    assert info[id_key]
    assert info["name"] == "Alice"
    assert httpx.get(emulator.url + path).status_code == 401


def test_openid_configuration_names_the_emulators_own_endpoints(emulator: EmulatorControl) -> None:
    config = httpx.get(emulator.url + "/.well-known/openid-configuration").json()
    assert config["token_endpoint"] == emulator.url + "/token"
    assert config["authorization_endpoint"] == emulator.url + "/o/oauth2/v2/auth"
    assert "client_secret_basic" in config["token_endpoint_auth_methods_supported"]
    for key in ("userinfo_endpoint", "revocation_endpoint", "jwks_uri"):
        assert config[key].startswith(emulator.url + "/")
    token = emulator.token(ALICE, ["openid", "email"])
    info = httpx.get(config["userinfo_endpoint"], headers={"Authorization": f"Bearer {token}"})
    assert info.json()["email"] == ALICE
    assert httpx.get(config["jwks_uri"]).json() == {"keys": []}
