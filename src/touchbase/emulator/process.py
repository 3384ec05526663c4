"""Run the emulator as a separate process on loopback (for tests, benchmarks and the demo)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, *, timeout: float = 20.0) -> None:
    """Poll `url` until it answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up within {timeout} s")


@contextmanager
def emulator_process(*extra: str, port: int | None = None) -> Iterator[str]:
    """Run `touchbase emulator` as a real HTTP server on 127.0.0.1; yields its base URL."""
    port = port or free_port()
    command = [sys.executable, "-m", "touchbase", "emulator", "--port", str(port), *extra]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/_emulator/health")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
