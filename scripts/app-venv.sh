#!/usr/bin/env bash
# Create app/.venv and install the hash-pinned requirements; a no-op when already current.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/system-tools.sh
source scripts/system-tools.sh

PYTHON="${PYTHON:-python3}"
VENV=app/.venv
REQ=app/requirements.txt

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  say app-venv "$PYTHON must be Python 3.10 or newer (Django 5.2)"
  exit 1
fi

# The stamp records the interpreter and the lock file the venv was built from.
want="$("$PYTHON" -c 'import sys; print(sys.version)' | head -1) $("$PYTHON" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$REQ")"
if [[ -x "$VENV/bin/python" && -f "$VENV/.stamp" && "$(cat "$VENV/.stamp")" == "$want" ]]; then
  exit 0
fi

say app-venv "creating $VENV (about 90 MB, inside this checkout): the app's tests run with the hash-pinned Python packages of $REQ, downloaded from PyPI"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
with_progress app-venv "installing $REQ into $VENV" "$VENV/bin/python" -m pip install --quiet \
  --disable-pip-version-check --require-hashes --no-deps --only-binary=:all: -r "$REQ"
printf '%s' "$want" > "$VENV/.stamp"
say app-venv "installed $REQ into $VENV"
