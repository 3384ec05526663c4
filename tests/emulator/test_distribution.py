"""The emulator is its own distribution: it imports nothing of touchbase, and every package it
imports is a dependency it declares (so `pip install ./packages/emulator` is enough)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "packages" / "emulator"


def _imported_top_levels() -> set[str]:
    found: set[str] = set()
    for module in (PACKAGE / "src" / "touchbase_emulator").glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def test_every_import_is_the_standard_library_itself_or_a_declared_dependency() -> None:
    project = tomllib.loads((PACKAGE / "pyproject.toml").read_text(encoding="utf-8"))
    declared = {
        re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0].lower()
        for r in project["project"]["dependencies"]
    }
    distributions = packages_distributions()
    third_party = _imported_top_levels() - set(sys.stdlib_module_names) - {"touchbase_emulator"}
    assert "touchbase" not in third_party
    undeclared = {
        name
        for name in third_party
        if not {d.lower() for d in distributions.get(name, [name])} & declared
    }
    assert undeclared == set()


def test_the_discovery_document_is_shipped_inside_the_package() -> None:
    project = tomllib.loads((PACKAGE / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == [
        "src/touchbase_emulator"
    ]
    assert (PACKAGE / "src" / "touchbase_emulator" / "calendar.v3.json").is_file()
