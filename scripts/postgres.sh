#!/usr/bin/env bash
# Start a private PostgreSQL server for the tests on 127.0.0.1 (installing Debian's server
# package first if it is missing), and print its URL for TOUCHBASE_TEST_POSTGRES_URL.
# `scripts/postgres.sh stop` stops it. The cluster is for tests only: trust auth, no fsync.
set -euo pipefail
PORT=${TOUCHBASE_PG_PORT:-54329}
DATA=${TOUCHBASE_PG_DATA:-/tmp/touchbase-test-pg}

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ -z "$(bindir)" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "PostgreSQL is not installed and this user cannot install it." >&2
    exit 1
  fi
  echo "installing PostgreSQL (Debian package)..." >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
BIN=$(bindir)

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-start}" = stop ]; then
  as_owner "$BIN/pg_ctl" -D "$DATA" -m fast stop >&2 || true
  exit 0
fi

if [ ! -f "$DATA/PG_VERSION" ]; then
  mkdir -p "$DATA"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$DATA"
  as_owner "$BIN/initdb" -D "$DATA" -U touchbase --auth=trust -E UTF8 >/dev/null
fi
if ! as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -o \
    "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >&2
fi
echo "postgresql+psycopg://touchbase@127.0.0.1:$PORT/postgres"
