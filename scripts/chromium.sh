#!/usr/bin/env bash
# Print the path of Debian's Chromium for the browser tests, installing the package if missing.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "Chromium is not installed and this user cannot install it." >&2
    exit 1
  fi
  echo "installing Chromium (Debian package)..." >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
fi
command -v chromium
