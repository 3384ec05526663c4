"""The pages' event streams (a calendar's live changes, a sync's progress): one user holds at
most their share of a process's connections, and every stream ends, whole, the moment the
server starts to stop."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import httpx
import pytest

from tests.support.app import ApiUser, AppHarness, start_app, wait_for
from tests.support.servers import EmulatorControl

CHANGES = "/api/calendar/changes"


@pytest.fixture
def capped(database_url: str, emulator: EmulatorControl) -> Iterator[AppHarness]:
    """The app, letting one user hold three streams at once."""
    server, url = start_app(database_url, emulator.url, live_streams_per_user=3)
    try:
        yield AppHarness(url, database_url, emulator)
    finally:
        server.stop()


def _status(user: ApiUser, path: str) -> int:
    """The status a stream opens with (then closed)."""
    with user.api.stream("GET", path, timeout=5) as stream:
        return stream.status_code


def test_one_user_holds_at_most_their_share_of_streams(capped: AppHarness) -> None:
    alice, bob = capped.user(), capped.user("bob@example.com", connect=False)
    run = alice.api.post("/api/calendar/sync")
    assert run.status_code == 202, run.text
    progress = f"/api/calendar/sync/{run.json()['runId']}/events"
    with contextlib.ExitStack() as held:
        streams = [held.enter_context(alice.api.stream("GET", CHANGES)) for _ in range(3)]
        assert [s.status_code for s in streams] == [200, 200, 200]

        with alice.api.stream("GET", CHANGES, timeout=5) as refused:
            assert refused.status_code == 429
            refused.read()
        assert refused.json()["error"]["code"] == "TOO_MANY_STREAMS"
        assert int(refused.headers["Retry-After"]) > 0
        assert _status(alice, progress) == 429  # a sync's progress is one of them too

        assert _status(bob, CHANGES) == 200  # others are served as before
        assert bob.api.get("/api/contacts").status_code == 200

        streams[0].close()  # a page closed: she may open another
        wait_for(lambda: _status(alice, CHANGES) == 200, timeout=5, what="a stream let go")
        assert _status(alice, progress) == 200


def test_open_streams_end_whole_as_the_server_starts_to_stop(
    database_url: str, emulator: EmulatorControl
) -> None:
    server, url = start_app(database_url, emulator.url)
    alice = AppHarness(url, database_url, emulator).user(connect=False)
    ended: list[str] = []
    opened = threading.Event()

    def listen() -> None:
        try:
            with alice.api.stream("GET", CHANGES, timeout=30) as stream:
                assert stream.status_code == 200
                opened.set()
                for _ in stream.iter_lines():
                    pass
            ended.append("whole")
        except httpx.HTTPError as error:  # cut off mid-answer
            ended.append(repr(error))

    listener = threading.Thread(target=listen)
    listener.start()
    assert opened.wait(10)
    server.stop()
    listener.join(timeout=10)
    assert ended == ["whole"]
