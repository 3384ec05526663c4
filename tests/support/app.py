"""The app as a real HTTP server on 127.0.0.1 (uvicorn in a thread), and API users."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
import uvicorn
from fastapi import FastAPI

from tests.support.servers import EmulatorControl
from touchbase.config import Mode, Settings
from touchbase.stopping import StoppingServer
from touchbase.users import add_user
from touchbase.web.app import create_app
from touchbase_emulator.process import free_port

T = TypeVar("T")


class ServerThread:
    """uvicorn serving the app from a background thread (as `serve` does: its open event
    streams end as it starts to stop)."""

    def __init__(self, app: FastAPI, port: int) -> None:
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
        self.server = StoppingServer(config, on_stop=app.state.streams.stop)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the app did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def test_settings(database_url: str, emulator_url: str, port: int, **overrides: Any) -> Settings:
    """Settings for an app under test: fast pusher, short Google budget."""
    values: dict[str, Any] = {
        "mode": Mode.TEST,
        "database_url": database_url,
        "secret_key": "test-secret-key",
        "google_base_url": emulator_url,
        "public_url": f"http://127.0.0.1:{port}",
        "google_client_id": "touchbase-test",
        "job_tick_seconds": 0.2,
        "pusher_max_backoff_seconds": 0.5,
        "request_google_budget_seconds": 1.0,
        "mutations_per_minute": 10_000,
        "sync_interval_seconds": 0,
        "push_notifications": False,  # on where a test is about them: they sync by themselves
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class ApiUser:
    """A touchbase user with an API token, and the same person's Google account."""

    email: str
    api: httpx.Client
    emulator: EmulatorControl
    _google: httpx.Client | None = field(default=None, repr=False)

    def connect(self) -> dict[str, Any]:
        """Connect Google through the real OAuth flow (the emulator signs in by login_hint)."""
        started = self.api.post("/api/google/connect")
        url = started.json()["authorizationUrl"]
        answer = httpx.get(
            url + "&login_hint=" + self.email,
            cookies=flow_cookie(started),
            follow_redirects=True,
            timeout=30,
        )
        answer.raise_for_status()
        return dict(answer.json())

    @property
    def google(self) -> httpx.Client:
        """Google Calendar as the same person sees it in Google (another client)."""
        if self._google is None:
            token = self.emulator.token(self.email)
            self._google = httpx.Client(
                base_url=self.emulator.url + "/calendar/v3/calendars/primary",
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            )
        return self._google

    def google_events(self, **params: Any) -> list[dict[str, Any]]:
        """Every event in Google, cancelled ones included."""
        body = self.google.get("/events", params={"showDeleted": "true", **params}).json()
        return list(body["items"])

    def create(self, **fields: Any) -> httpx.Response:
        """POST an event (a one-hour meeting unless told otherwise)."""
        body = {
            "title": "Intro call",
            "startTime": "2027-01-10T09:00:00+00:00",
            "endTime": "2027-01-10T10:00:00+00:00",
            **fields,
        }
        return self.api.post("/api/calendar/events", json=body)

    def meeting(
        self, title: str, start: datetime, minutes: int = 30, **fields: Any
    ) -> dict[str, Any]:
        """A meeting of `minutes` from `start`, created (checked); the API's answer."""
        made = self.create(
            title=title,
            startTime=start.isoformat(),
            endTime=(start + timedelta(minutes=minutes)).isoformat(),
            **fields,
        )
        assert made.status_code == 201, made.text
        return dict(made.json())

    def split_from(self, occurrence: int, window: dict[str, str], **changes: Any) -> dict[str, Any]:
        """ "This and following" from the listed occurrence number `occurrence` of `window`,
        with `changes`, in Google at once (checked); the API's answer (the new series)."""
        listed = self.api.get("/api/calendar/events", params=window).json()["items"]
        split = self.api.patch(
            f"/api/calendar/events/{listed[occurrence]['id']}",
            params={"scope": "following"},
            json=changes,
        )
        assert (split.status_code, split.json()["syncStatus"]) == (200, "synced"), split.text
        return dict(split.json())


@dataclass
class AppHarness:
    """The app under test, its database and the emulator behind it."""

    url: str
    database_url: str
    emulator: EmulatorControl

    def user(
        self, email: str = "alice@example.com", *, connect: bool = True, password: str | None = None
    ) -> ApiUser:
        token = run_in_thread(add_user(self.database_url, email, password=password))
        api = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        user = ApiUser(email, api, self.emulator)
        if connect:
            user.connect()
        return user


def flow_cookie(started: httpx.Response) -> dict[str, str]:
    """The cookie that binds a Google authorization to the client that started it (as a
    browser would keep it; httpx keeps no Secure cookie for plain http)."""
    nonce = started.cookies.get("tb_google_flow")
    assert nonce, started.headers
    return {"tb_google_flow": nonce}


def run_in_thread(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end on a thread of its own (this thread may have a running loop,
    as under Playwright's sync API)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _health(client: httpx.Client) -> httpx.Response:
    return client.get("/api/health")


class RequestWatch:
    """Asks /api/health (or makes another request: `ask`, with these `headers`) every 50 ms
    from another thread; records the slowest answer and how many failed."""

    def __init__(
        self,
        url: str,
        ask: Callable[[httpx.Client], httpx.Response] = _health,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.url = url
        self.slowest = 0.0
        self.failures = 0
        self.asked = 0
        self._ask, self._headers = ask, headers or {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, headers=self._headers, timeout=30) as client:
            while not self._stop.is_set():
                started = time.monotonic()
                try:
                    ok = self._ask(client).is_success
                except httpx.HTTPError:
                    ok = False
                self.asked += 1
                self.failures += not ok
                self.slowest = max(self.slowest, time.monotonic() - started)
                self._stop.wait(0.05)

    def __enter__(self) -> RequestWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def wait_for(check: Callable[[], bool], *, timeout: float = 10.0, what: str = "") -> None:
    """Poll until `check()` is true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or check}")


def start_app(database_url: str, emulator_url: str, **overrides: Any) -> tuple[ServerThread, str]:
    """Start the app on a free port; returns the server and its URL."""
    port = free_port()
    server = ServerThread(
        create_app(test_settings(database_url, emulator_url, port, **overrides)), port
    )
    server.start()
    return server, f"http://127.0.0.1:{port}"


def google_etag(database_url: str, event_id: str) -> str | None:
    """The Google etag touchbase holds for an event (internal to sync; not in the API)."""
    from touchbase.store.database import Database
    from touchbase.store.models import Event

    async def read() -> str | None:
        database = Database(database_url)
        try:
            async with database.session() as session:
                row = await session.get(Event, event_id)
                return None if row is None else row.etag
        finally:
            await database.dispose()

    return run_in_thread(read())
