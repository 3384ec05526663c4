"""A process told to stop leaves within a deadline, stopped or not. Stopping waits on the
database (Procrastinate stops a worker only once its fetch of the next job returns, a job's
end is recorded, pools close), and a call that hangs (a server or a proxy gone silent) would
otherwise keep the process from ever stopping. Jobs it still holds when it leaves are run
again elsewhere once its heartbeat is found stale, as after a kill."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from types import FrameType

import uvicorn

from touchbase.jobs.queue import GRACEFUL_SECONDS

log = logging.getLogger("touchbase.stopping")
# Beyond the time stopping is given (requests draining, jobs finishing), before leaving.
MARGIN_SECONDS = 10.0
WORKER_DEADLINE_SECONDS = GRACEFUL_SECONDS + MARGIN_SECONDS


def leave_after(seconds: float, what: str) -> None:
    """End the process in `seconds`, whatever it is doing then."""

    def leave() -> None:
        log.error("%s did not stop within %.0f s (a database call hangs); leaving", what, seconds)
        os._exit(1)

    timer = threading.Timer(seconds, leave)
    timer.daemon = True
    timer.start()


class StoppingServer(uvicorn.Server):
    """uvicorn's server, leaving within a deadline once a signal tells it to stop: the time
    open requests get, the time jobs under way get, and a margin. `on_stop` is told the
    moment stopping begins (uvicorn tells the app only once open requests are done)."""

    def __init__(self, config: uvicorn.Config, on_stop: Callable[[], None] | None = None) -> None:
        super().__init__(config)
        self.on_stop = on_stop

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.on_stop is not None:
            self.on_stop()
        await super().shutdown(sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if not self.should_exit and sig in (signal.SIGTERM, signal.SIGINT):
            deadline = (self.config.timeout_graceful_shutdown or 0) + GRACEFUL_SECONDS
            leave_after(deadline + MARGIN_SECONDS, "the server")
        super().handle_exit(sig, frame)
