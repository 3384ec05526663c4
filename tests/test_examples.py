"""The README's example runs against the emulator and does what it says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.servers import EmulatorControl

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "official_client.py"


def test_official_client_example(emulator: EmulatorControl) -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), emulator.url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "listed 1 events; sync token on the last page" in out
    assert "stale etag -> 412 conditionNotMet" in out
    assert "Intro call (moved)" in out
    assert "deleted; now cancelled" in out
    assert "batch: 1:ok 2:ok 3:ok 4:error 404" in out


def test_the_readmes_pytest_fixture_runs_a_projects_tests() -> None:
    folder = EXAMPLE.parent / "emulator_in_tests"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
