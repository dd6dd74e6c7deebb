#!/usr/bin/env bash
# Installs the pinned actionlint into .tools/bin (from the Go module proxy) and, when apt is
# available, Debian's shellcheck, which actionlint runs on every `run:` script. Also gojq, the jq
# that gh embeds, so the workflow tests evaluate the steps' `gh api --jq` filters. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_VERSION="v1.7.12"
GOJQ_VERSION="v0.12.17"
BIN="$PWD/.tools/bin"

if [ -x "$BIN/actionlint" ] && [ "$("$BIN/actionlint" -version | head -n 1)" = "$ACTIONLINT_VERSION" ]; then
    echo "actionlint $ACTIONLINT_VERSION is already in .tools/bin"
else
    if ! command -v go >/dev/null 2>&1; then
        echo "install-actionlint: Go is needed to build actionlint $ACTIONLINT_VERSION (https://go.dev/dl/)" >&2
        exit 1
    fi
    mkdir -p "$BIN"
    GOBIN="$BIN" GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
    echo "installed $("$BIN/actionlint" -version | head -n 1) into .tools/bin"
fi

if [ -x "$BIN/gojq" ] && [ "$(go version -m "$BIN/gojq" | awk '$1 == "mod" { print $3 }')" = "$GOJQ_VERSION" ]; then
    echo "gojq $GOJQ_VERSION is already in .tools/bin"
else
    mkdir -p "$BIN"
    GOBIN="$BIN" GOFLAGS=-mod=mod go install "github.com/itchyny/gojq/cmd/gojq@$GOJQ_VERSION"
    echo "installed gojq $GOJQ_VERSION into .tools/bin"
fi

if command -v shellcheck >/dev/null 2>&1; then
    echo "shellcheck $(shellcheck --version | sed -n 's/^version: //p') is on PATH"
elif command -v apt-get >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo -n"; fi
    if $sudo apt-get install -y -qq --no-install-recommends shellcheck >/dev/null 2>&1 ||
        { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends shellcheck >/dev/null; }; then
        echo "installed shellcheck $(shellcheck --version | sed -n 's/^version: //p') with apt"
    else
        echo "install-actionlint: could not install shellcheck with apt; actionlint will skip run: scripts" >&2
    fi
else
    echo "install-actionlint: no shellcheck and no apt; actionlint will skip run: scripts" >&2
fi
