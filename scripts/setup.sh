#!/usr/bin/env bash
# Create .venv with every locked dependency, and install the pages' browser assets (npm) into
# src/touchbase/web/static/vendor/. Safe to run again; fast when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -m uv --version >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
export UV_PYTHON_DOWNLOADS=never
python3 -m uv sync --frozen --quiet

export SCARF_ANALYTICS=false  # swagger-ui-dist's install step would try to report itself
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
VENDOR=src/touchbase/web/static/vendor
mkdir -p "$VENDOR"
cp -u node_modules/fullcalendar/index.global.min.js "$VENDOR/fullcalendar.min.js"
cp -u node_modules/luxon/build/global/luxon.min.js "$VENDOR/luxon.min.js"
cp -u node_modules/@fullcalendar/luxon3/index.global.min.js "$VENDOR/fullcalendar-luxon3.min.js"
cp -u node_modules/swagger-ui-dist/swagger-ui-bundle.js "$VENDOR/swagger-ui-bundle.js"
cp -u node_modules/swagger-ui-dist/swagger-ui.css "$VENDOR/swagger-ui.css"
