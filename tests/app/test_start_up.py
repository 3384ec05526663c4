"""Once started, the app takes its start-up objects out of the cyclic collector's sight, so a
full collection does not walk the whole heap in the middle of a request or a sync."""

from __future__ import annotations

import gc

import httpx

from tests.support.app import start_app
from tests.support.servers import EmulatorControl


def test_the_started_app_has_frozen_its_start_up_objects(
    database_url: str, emulator: EmulatorControl
) -> None:
    gc.unfreeze()  # the tests' process: forget what an earlier app froze
    assert gc.get_freeze_count() == 0
    server, url = start_app(database_url, emulator.url)
    try:
        assert httpx.get(url + "/api/health").json() == {"status": "ok"}
        assert gc.get_freeze_count() > 10_000
    finally:
        server.stop()
