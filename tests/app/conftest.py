"""Fixtures of the app's integration tests: app + emulator as real servers, real database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.app import AppHarness, start_app
from tests.support.databases import BACKENDS, fresh_database, postgres_template, sqlite_template
from tests.support.servers import EmulatorControl


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate the template databases once per session."""
    if "postgresql" in BACKENDS:
        postgres_template()
    return sqlite_template(tmp_path_factory.mktemp("templates"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, templates: Path, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database of each backend."""
    with fresh_database(request.param, template=templates, directory=tmp_path) as url:
        yield url


@pytest.fixture
def postgres_url(templates: Path, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database (for tests of PostgreSQL alone)."""
    with fresh_database("postgresql", template=templates, directory=tmp_path) as url:
        yield url


@pytest.fixture
def app(database_url: str, emulator: EmulatorControl) -> Iterator[AppHarness]:
    """The app running on 127.0.0.1 against the emulator."""
    server, url = start_app(database_url, emulator.url)
    try:
        yield AppHarness(url, database_url, emulator)
    finally:
        server.stop()
