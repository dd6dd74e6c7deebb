#!/usr/bin/env bash
# Installs the pinned actionlint into .tools/bin (built from the Go module proxy) and, when none
# is on PATH, Debian's shellcheck, which actionlint runs on every `run:` script. Also gojq, the jq
# that gh embeds, so the workflow tests evaluate the steps' `gh api --jq` filters. Idempotent;
# says what it builds or installs, and why, before it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/system-tools.sh
source scripts/system-tools.sh

ACTIONLINT_VERSION="v1.7.12"
GOJQ_VERSION="v0.12.17"
BIN="$PWD/.tools/bin"

go_build() { # TOOL MODULE@VERSION WHY
  if ! command -v go >/dev/null 2>&1; then
    say install-actionlint "Go is needed to build $1 ${2##*@} (https://go.dev/dl/)"
    exit 1
  fi
  say install-actionlint "building $1 ${2##*@} into .tools/bin with go install (inside this checkout): $3"
  mkdir -p "$BIN"
  with_progress install-actionlint "building $1" env GOBIN="$BIN" GOFLAGS=-mod=mod go install "$2"
}

if [ -x "$BIN/actionlint" ] && [ "$("$BIN/actionlint" -version | head -n 1)" = "$ACTIONLINT_VERSION" ]; then
    echo "actionlint $ACTIONLINT_VERSION is already in .tools/bin"
else
    go_build actionlint "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" \
        "the workflow tests lint .github/ with it"
    echo "installed $("$BIN/actionlint" -version | head -n 1) into .tools/bin"
fi

if [ -x "$BIN/gojq" ] && [ "$(go version -m "$BIN/gojq" | awk '$1 == "mod" { print $3 }')" = "$GOJQ_VERSION" ]; then
    echo "gojq $GOJQ_VERSION is already in .tools/bin"
else
    go_build gojq "github.com/itchyny/gojq/cmd/gojq@$GOJQ_VERSION" \
        "the workflow tests evaluate the workflows' gh --jq filters with it"
    echo "installed gojq $GOJQ_VERSION into .tools/bin"
fi

if command -v shellcheck >/dev/null 2>&1; then
    echo "shellcheck $(shellcheck --version | sed -n 's/^version: //p') is on PATH"
elif apt_install install-actionlint "shellcheck:actionlint checks every run: script of the workflows with it (none on PATH)"; then
    echo "installed shellcheck $(shellcheck --version | sed -n 's/^version: //p') with apt"
else
    say install-actionlint "no shellcheck: actionlint will skip run: scripts (install shellcheck to check them)"
fi
