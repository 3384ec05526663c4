"""The OpenAPI document says what the API really does: Schemathesis (its CLI, a fixed seed, a
bounded number of examples) sends every operation generated valid and invalid requests and
checks that none answers a 5xx, an undocumented status, or a body against the document. On
each database: PostgreSQL refuses what SQLite stores (a NUL character: a 500 there only)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.app import AppHarness

CONFIG = Path(__file__).with_name("schemathesis.toml")
# Less on PostgreSQL, to keep the suite's time: fewer examples and no coverage phase (its edge
# cases are the same on both); its seed is the one that found the NUL characters' 500s there.
EXAMPLES_PER_OPERATION = {"sqlite": 40, "postgresql": 20}
SEED = {"sqlite": 20261201, "postgresql": 7}
PHASES = {"sqlite": "examples,coverage,fuzzing,stateful", "postgresql": "fuzzing,stateful"}


def test_every_operation_keeps_to_the_openapi_document(app: AppHarness, tmp_path: Path) -> None:
    backend = "sqlite" if app.database_url.startswith("sqlite") else "postgresql"
    alice = app.user("alice@example.com")
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
            f"{app.url}/api/openapi.json",
            "--header",
            f"Authorization: {token}",
            "--checks",
            "all",
            "--seed",
            str(SEED[backend]),
            "--max-examples",
            str(EXAMPLES_PER_OPERATION[backend]),
            "--phases",
            PHASES[backend],
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
