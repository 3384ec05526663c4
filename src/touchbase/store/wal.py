"""Checkpoints of a SQLite database's write-ahead log, from a thread of their own.

SQLite checkpoints by itself in the commit that takes the log past `wal_autocheckpoint`:
that commit copies the log into the database and syncs both files. touchbase runs SQLite on
the event loop's thread (`sqlite_driver`), so that commit held every request of the process
meanwhile: 40-60 ms on this project's machines, every few hundred writes. A long-running
process on a SQLite file (`serve`) therefore checkpoints from a thread, with a connection of
its own, once the log has grown past CHECKPOINT_BYTES: first PASSIVE (copies what it can and
makes nobody wait), then RESTART (the few frames written meanwhile, and then the next writer
starts the log again from its beginning, so it stays short). RESTART holds new writers back
while it runs, for a few ms; they wait for the lock the usual way, with asyncio sleeps, and
the loop goes on serving. It is not tried while a reader still needs part of the log, waits
at most RESTART_WAIT_MS for a writer or reader still in it, and otherwise tries again next
time. The connections' own automatic checkpoint stays, four times further out, for a process
with no checkpointer (a command, a migration) and as a backstop should this thread fall
behind.
"""

from __future__ import annotations

import logging
import sqlite3
import struct
import threading

from touchbase.store.sqlite_driver import WAL_CHECKPOINT_BYTES

log = logging.getLogger("touchbase.store")

# The log's size past which the thread checkpoints.
CHECKPOINT_BYTES = WAL_CHECKPOINT_BYTES // 4
# How often the thread looks at the log's size.
INTERVAL_SECONDS = 0.25
# How long RESTART waits for a writer or reader still in the log (it holds new writers back).
RESTART_WAIT_MS = 20
# The start of the wal-index header in the `-shm` file (sqlite.org/walformat.html, in the
# machine's byte order): version, unused, change counter, isInit, bigEndCksum, page size (1
# for 65,536), then mxFrame, the frames in the log since it last started.
_HEADER = struct.Struct("=IIIBBHI")


def checkpoint(connection: sqlite3.Connection) -> bool:
    """Copy the log into the database and let the next writer start it again: whether the
    whole log was copied and no one was still reading it (else it is tried again later)."""
    _, frames, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    if copied < frames:  # a reader still needs what is left: RESTART would only wait
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
        self.checkpoints = 0  # done in full, for a test or a log line
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="touchbase-wal", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()

    def log_bytes(self) -> int:
        """How much the log holds since it last started (its file keeps its largest size,
        so that size says nothing): read from the wal-index header; 0 when there is none."""
        try:
            with open(self.path + "-shm", "rb") as shm:
                header = shm.read(_HEADER.size)
        except FileNotFoundError:
            return 0
        if len(header) < _HEADER.size:
            return 0
        *_, page_size, frames = _HEADER.unpack(header)
        return int(frames) * (65_536 if page_size == 1 else int(page_size))

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            connection.execute(f"PRAGMA busy_timeout={RESTART_WAIT_MS}")
            while not self._stopping.wait(self.interval):
                if self.log_bytes() <= self.threshold_bytes:
                    continue
                try:
                    self.checkpoints += checkpoint(connection)
                except sqlite3.Error as error:  # tried again next time; the backstop remains
                    log.warning("checkpoint of %s failed: %s", self.path, error)
        finally:
            connection.close()
