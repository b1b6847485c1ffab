#!/usr/bin/env bash
# Initialise a WorkDataHub database: create it when missing, apply every migration (the core's and
# each installed domain's: `workdatahub db upgrade`), and with --seed load the core's fixture rows
# (io/schema/fixtures/test_data.sql).
#
# Usage: scripts/db_setup.sh DATABASE_URL [--seed]
#   DATABASE_URL  e.g. postgresql://postgres@127.0.0.1:5432/workdatahub, or `embedded`
set -euo pipefail

usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[[ $# -ge 1 && $# -le 2 ]] || usage
url=$1
seed=false
if [[ $# -eq 2 ]]; then
    [[ $2 == --seed ]] || usage
    seed=true
fi

cd "$(dirname "$0")/.."
if [[ -x .venv/bin/python ]]; then
    run() { ".venv/bin/$1" "${@:2}"; }
else
    run() { uv run --frozen "$@"; }
fi

# The URL travels in the environment, never on a command line other processes can read.
export DATABASE_URL=$url

run python - <<'PY'
from work_data_hub.io.database import create_database_if_missing, masked, resolve_database_url

url = resolve_database_url()
created = create_database_if_missing(url)
print(f"{masked(url)}: {'created' if created else 'already exists'}")
PY

run workdatahub db upgrade

if $seed; then
    run python - <<'PY'
from work_data_hub.io.database import resolve_database_url
from work_data_hub.testing import load_test_data

load_test_data(resolve_database_url())
print("loaded io/schema/fixtures/test_data.sql")
PY
fi
