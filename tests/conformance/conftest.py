"""The conformance suite: what a Google Calendar v3 server does.

Written once, against a server reached over HTTP, with Google's own Python client
(google-api-python-client, static discovery) as an independent client and raw HTTP where that
client cannot express a case. Today it runs against the emulator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build

from tests.support.servers import EmulatorControl

ALICE = "alice@example.com"
BOB = "bob@example.com"
SCOPE = "https://www.googleapis.com/auth/"

ServiceFactory = Callable[..., Any]


def timed(start: str, end: str, **extra: Any) -> dict[str, Any]:
    """An event body with date-times."""
    return {"summary": "Meeting", "start": {"dateTime": start}, "end": {"dateTime": end}, **extra}


@pytest.fixture
def service_for(emulator: EmulatorControl) -> ServiceFactory:
    """Build Google's client for a user of the server: service_for(email, scopes=None)."""

    def make(email: str = ALICE, scopes: list[str] | None = None) -> Any:
        token = emulator.token(email, scopes)
        return build(
            "calendar",
            "v3",
            credentials=Credentials(token),
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": emulator.url + "/calendar/v3/"},
        )

    return make


@pytest.fixture
def alice(service_for: ServiceFactory) -> Any:
    """Google's client, signed in as alice with the full calendar scope."""
    return service_for(ALICE)


@pytest.fixture
def raw_for(emulator: EmulatorControl) -> Callable[..., httpx.Client]:
    """A raw httpx client for a user, with the API base URL: raw_for(email, scopes=None)."""
    clients: list[httpx.Client] = []

    def make(email: str = ALICE, scopes: list[str] | None = None) -> httpx.Client:
        token = emulator.token(email, scopes)
        client = httpx.Client(
            base_url=emulator.url + "/calendar/v3",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10.0,
        )
        clients.append(client)
        return client

    return make


@pytest.fixture
def raw(raw_for: Callable[..., httpx.Client]) -> httpx.Client:
    """Raw HTTP as alice."""
    return raw_for(ALICE)


def reason_of(response: httpx.Response) -> str:
    """The first `errors[].reason` of a Google error envelope."""
    return str(response.json()["error"]["errors"][0]["reason"])
