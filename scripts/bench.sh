#!/usr/bin/env bash
# Run the benchmarks (they start their own emulator on loopback) and print the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/python -m benchmarks "$@"
