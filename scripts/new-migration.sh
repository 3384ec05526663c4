#!/usr/bin/env bash
# Generate an Alembic revision from the difference between the tables in store/models/ and the migrations.
# Usage: scripts/new-migration.sh "add touchpoints"   (then review the new file)
set -euo pipefail
cd "$(dirname "$0")/.."
message=${1:?usage: scripts/new-migration.sh "what changed"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
.venv/bin/python - "$tmp/gen.db" "$message" <<'PY'
import sys
from alembic import command
from touchbase.store.database import alembic_config, migrate
from pathlib import Path
from touchbase.store.database import MIGRATIONS
url = f"sqlite:///{sys.argv[1]}"
migrate(url)
number = len(list((MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))) + 1
command.revision(alembic_config(url), message=sys.argv[2], autogenerate=True,
                 rev_id=f"{number:04d}")
PY
