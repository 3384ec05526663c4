#!/usr/bin/env bash
# Create .venv with every locked dependency. Safe to run again; fast when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -m uv --version >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
export UV_PYTHON_DOWNLOADS=never
python3 -m uv sync --frozen --quiet
