#!/usr/bin/env bash
# Set up, then run the demo: the emulator and the app on loopback (data kept in var/demo).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/touchbase demo "$@"
