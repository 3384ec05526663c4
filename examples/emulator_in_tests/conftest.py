"""Use the emulator in your own tests: a real Google Calendar on 127.0.0.1, one per session,
emptied before each test. Copy this file; it needs `touchbase-emulator`,
`google-api-python-client` and `google-auth`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build

from touchbase_emulator.process import emulator_process


@pytest.fixture(scope="session")
def google_url() -> Iterator[str]:
    """The emulator, started as its own process on a free port of 127.0.0.1."""
    with emulator_process() as url:
        yield url


@pytest.fixture
def calendar(google_url: str) -> Any:
    """Google's own client, signed in as me@example.com, against an empty emulator."""
    httpx.post(google_url + "/_emulator/reset").raise_for_status()
    tokens = httpx.post(google_url + "/_emulator/tokens", json={"email": "me@example.com"})
    return build(
        "calendar",
        "v3",
        credentials=Credentials(tokens.json()["access_token"]),
        static_discovery=True,
        client_options={"api_endpoint": google_url + "/calendar/v3/"},
    )
