#!/usr/bin/env bash
# Set up, then run the Google Calendar emulator on 127.0.0.1:8765 (data kept in var/).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/touchbase emulator --host 127.0.0.1 --port "${PORT:-8765}" \
  --state-file var/emulator-state.json "$@"
