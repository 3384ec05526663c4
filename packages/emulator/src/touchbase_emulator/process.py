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


class PortTakenError(RuntimeError):
    """A port something else already listens on."""


def port_is_free(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:`port`. Bound as a server binds (reusing the
    address): the last connections of a server just stopped, which linger closing for a
    minute, leave the port free for the next one."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_until_up(
    url: str, *, timeout: float = 20.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Poll `url` until it answers 200 (from `process`, when given: never a stranger)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the emulator exited (code {process.returncode})")
        try:
            answer = httpx.get(url, timeout=1.0)
            if answer.status_code == 200 and (
                process is None or answer.json().get("pid") == process.pid
            ):
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up within {timeout} s")


@contextmanager
def emulator_process(*extra: str, port: int | None = None) -> Iterator[str]:
    """Run `touchbase-emulator` as a real HTTP server on 127.0.0.1; yields its base URL. A
    port already in use is PortTakenError: this never attaches to another server."""
    port = port or free_port()
    if not port_is_free(port):
        raise PortTakenError(f"port {port} is already in use")
    command = [sys.executable, "-m", "touchbase_emulator", "--port", str(port), *extra]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/_emulator/health", process=process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
