"""Fixtures shared by every test: one real emulator server per session, reset per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.servers import EmulatorControl, emulator_process


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    """Base URL of a real emulator process on 127.0.0.1."""
    with emulator_process() as url:
        yield url


@pytest.fixture
def emulator(emulator_url: str) -> Iterator[EmulatorControl]:
    """The emulator's control API, with the emulator reset before the test."""
    control = EmulatorControl(emulator_url)
    control.reset()
    yield control
    control.http.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright's sync API keeps an event loop running in the main
    thread until the session ends, and asyncio tests cannot run after that."""
    items.sort(key=lambda item: "tests/browser/" in item.nodeid)
