#!/usr/bin/env bash
# Create app/.venv and install the hash-pinned requirements; a no-op when already current.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV=app/.venv
REQ=app/requirements.txt

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "app-venv: $PYTHON must be Python 3.10 or newer (Django 5.2)" >&2
  exit 1
fi

# The stamp records the interpreter and the lock file the venv was built from.
want="$("$PYTHON" -c 'import sys; print(sys.version)' | head -1) $(sha256sum "$REQ" | cut -d' ' -f1)"
if [[ -x "$VENV/bin/python" && -f "$VENV/.stamp" && "$(cat "$VENV/.stamp")" == "$want" ]]; then
  exit 0
fi

rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  --require-hashes --no-deps --only-binary=:all: -r "$REQ"
printf '%s' "$want" > "$VENV/.stamp"
echo "app-venv: installed $REQ into $VENV"
