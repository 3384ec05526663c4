"""The OpenAPI document says what the API really does: Schemathesis (its CLI, a fixed seed, a
bounded number of examples) sends every operation generated valid and invalid requests and
checks that none answers a 5xx, an undocumented status, or a body against the document."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.app import AppHarness, start_app
from tests.support.databases import fresh_database
from tests.support.servers import EmulatorControl

CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES_PER_OPERATION = 40
SEED = 20261201


@pytest.fixture
def sqlite_app(templates: Path, tmp_path: Path, emulator: EmulatorControl) -> Iterator[AppHarness]:
    with fresh_database("sqlite", template=templates, directory=tmp_path) as url:
        server, base = start_app(url, emulator.url)
        try:
            yield AppHarness(base, url, emulator)
        finally:
            server.stop()


def test_every_operation_keeps_to_the_openapi_document(
    sqlite_app: AppHarness, tmp_path: Path
) -> None:
    alice = sqlite_app.user("alice@example.com")
    alice.create(title="Something to read")  # so reads by id can find one
    token = alice.api.headers["authorization"]
    st = Path(sys.executable).with_name("st")
    done = subprocess.run(
        [
            str(st),
            "--config-file",
            str(CONFIG),
            "--no-color",
            "run",
            f"{sqlite_app.url}/api/openapi.json",
            "--header",
            f"Authorization: {token}",
            "--checks",
            "all",
            "--seed",
            str(SEED),
            "--max-examples",
            str(EXAMPLES_PER_OPERATION),
            "--workers",
            "1",
            "--report-dir",
            str(tmp_path / "report"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
        check=False,
        cwd=tmp_path,
    )
    summary = done.stdout[-20_000:]
    assert done.returncode == 0, summary
    assert "failures" not in summary.splitlines()[-1].lower(), summary
