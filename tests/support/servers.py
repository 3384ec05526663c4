"""Real servers for tests: the emulator as a subprocess on loopback, and a webhook receiver."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from touchbase_emulator.process import emulator_process, free_port

__all__ = ["EmulatorControl", "WebhookReceiver", "emulator_process", "free_port"]


@dataclass
class EmulatorControl:
    """The emulator's control API, for arranging a test."""

    url: str
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10.0))

    def post(self, path: str, body: Any = None) -> Any:
        """POST to the control API and return its JSON."""
        response = self.http.post(self.url + "/_emulator" + path, json=body or {})
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        """Forget all state, faults and settings."""
        self.post("/reset")

    def token(self, email: str, scopes: list[str] | None = None, **extra: Any) -> str:
        """An access token for `email` (the user is created if new)."""
        body: dict[str, Any] = {"email": email, **extra}
        if scopes is not None:
            body["scopes"] = scopes
        return str(self.post("/tokens", body)["access_token"])

    def tokens(self, email: str, scopes: list[str] | None = None) -> dict[str, Any]:
        """Access and refresh token for `email`."""
        body: dict[str, Any] = {"email": email}
        if scopes is not None:
            body["scopes"] = scopes
        return dict(self.post("/tokens", body))

    def seed(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create users, calendars and events."""
        return dict(self.post("/seed", body))

    def fault(self, **rule: Any) -> None:
        """Add a fault rule (see the README's control API)."""
        self.post("/faults", rule)

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change latency, rate limit or token lifetime."""
        response = self.http.put(self.url + "/_emulator/config", json=settings)
        response.raise_for_status()
        return dict(response.json())

    def stats(self) -> dict[str, Any]:
        """Request counters."""
        return dict(self.http.get(self.url + "/_emulator/stats").json())


@dataclass
class Received:
    """One request a webhook receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 that records every POST it receives."""

    def __init__(self, status: int = 200) -> None:
        self.received: list[Received] = []
        self.status = status
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver.arrived:
                    receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                    receiver.arrived.notify_all()
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count: int, *, timeout: float = 5.0) -> list[Received]:
        """Block until at least `count` requests arrived."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)
            return list(self.received)
