"""The deployment files stay in step with the development set-up."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_image_has_every_browser_asset_the_setup_installs() -> None:
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    installed = set(re.findall(r'cp -u node_modules/(\S+) "\$VENDOR/(\S+)"', setup))
    copied = set(
        re.findall(
            r"COPY --from=assets /src/node_modules/(\S+) src/touchbase/web/static/vendor/(\S+)",
            dockerfile,
        )
    )
    assert installed
    assert copied == installed


def test_the_image_copies_every_workspace_member() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    members = re.search(r"members = \[([^\]]*)\]", pyproject)
    assert members is not None
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    for member in re.findall(r'"([^"]+)"', members.group(1)):
        top = member.split("/")[0]
        assert f"COPY {top} ./{top}" in dockerfile
