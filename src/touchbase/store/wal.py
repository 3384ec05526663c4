"""Checkpoints of a SQLite database's write-ahead log, from a thread of their own.

SQLite checkpoints by itself in the commit that takes the log past `wal_autocheckpoint`:
that commit copies the log into the database and syncs both files. touchbase runs SQLite on
the event loop's thread (`sqlite_driver`), so that commit held every request of the process
meanwhile: 40-60 ms on this project's machines, every few hundred writes. A long-running
process on a SQLite file (`serve`) therefore checkpoints from a thread, with a connection of
its own, every INTERVAL_SECONDS: PASSIVE (copies what is new and makes nobody wait), and,
once the log holds more than CHECKPOINT_BYTES, RESTART (the next writer starts the log
again from its beginning, so it stays short). RESTART holds new writers back while it runs,
for a few ms; they wait for the lock the usual way, with asyncio sleeps, and the loop goes
on serving. It is not tried while a reader still needs part of the log, waits at most
RESTART_WAIT_MS for a writer or reader still in it, and otherwise tries again next time.
The connections' own automatic checkpoint stays, four times further out, for a process
with no checkpointer (a command, a migration) and as a backstop should this thread fall
behind.

How long the log is comes from the PASSIVE checkpoint's answer, never from reading the
`-shm` or `-wal` file: closing any file descriptor of a file drops every POSIX lock the
process holds on it, SQLite's included, and a process that lost its lock on `-shm` can have
it truncated under its mapping by another process opening the database (a bus error, or a
corrupt database: sqlite.org/howtocorrupt.html, 2.2).
"""

from __future__ import annotations

import logging
import sqlite3
import threading

from touchbase.store.sqlite_driver import WAL_CHECKPOINT_BYTES

log = logging.getLogger("touchbase.store")

# The log's size past which the thread restarts it.
CHECKPOINT_BYTES = WAL_CHECKPOINT_BYTES // 4
# How often the thread checkpoints.
INTERVAL_SECONDS = 0.25
# How long RESTART waits for a writer or reader still in the log (it holds new writers back).
RESTART_WAIT_MS = 20


def checkpoint(connection: sqlite3.Connection, *, restart_past_frames: int) -> bool:
    """Copy what is new in the log into the database; when the log then holds more than
    `restart_past_frames` pages and no reader still needs any of it, let the next writer
    start it again from its beginning. Whether it was restarted (else: tried again later)."""
    _, frames, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    if frames <= restart_past_frames or copied < frames:  # short, or a reader needs the rest
        return False
    busy, _, _ = connection.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
    return bool(busy == 0)


class Checkpointer:
    """A thread that keeps a SQLite file's write-ahead log short (`start`, `stop`)."""

    def __init__(
        self,
        path: str,
        *,
        threshold_bytes: int = CHECKPOINT_BYTES,
        interval_seconds: float = INTERVAL_SECONDS,
    ) -> None:
        self.path, self.threshold_bytes, self.interval = path, threshold_bytes, interval_seconds
        self.restarts = 0  # of the log, for a test or a log line
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="touchbase-wal", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            connection.execute(f"PRAGMA busy_timeout={RESTART_WAIT_MS}")
            (page_size,) = connection.execute("PRAGMA page_size").fetchone()
            past_frames = self.threshold_bytes // page_size
            while not self._stopping.wait(self.interval):
                try:
                    self.restarts += checkpoint(connection, restart_past_frames=past_frames)
                except sqlite3.Error as error:  # tried again next time; the backstop remains
                    log.warning("checkpoint of %s failed: %s", self.path, error)
        finally:
            connection.close()
