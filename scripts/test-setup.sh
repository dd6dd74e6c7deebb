#!/usr/bin/env bash
# npm test's first step: what the tests need beyond node_modules, each found or installed before
# the four layers start in parallel (their output is then prefixed, not held back). Anything it
# installs is announced, with the reason, before it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/system-tools.sh
source scripts/system-tools.sh

# The policy pack runs from its build (policy/build.js); npm ci builds it too.
npm run build:policy
bash scripts/install-actionlint.sh
ensure_pg_installed
echo "PostgreSQL server in $PG_BIN, pgbouncer at $PGBOUNCER"
bash scripts/app-venv.sh
