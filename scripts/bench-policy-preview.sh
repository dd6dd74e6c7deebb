#!/usr/bin/env bash
# What the policy pack adds to a real `pulumi preview`: previews of one stack, alternately with
# `--policy-pack policy` and without, in one run, then the median of each and their ratio.
# Each preview is a first preview (a fresh local backend) by the team's pulumi-preview.sh (real
# engine, language host and provider plugins, offline; not part of this repository).
#
# Usage: scripts/bench-policy-preview.sh [runs of each (default 3)] [stack (default dev)]
# Env:   PULUMI_PREVIEW  the preview script (default: shared/tools/pulumi-preview.sh beside the checkout)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
STACK=${2:-dev}
PREVIEW=${PULUMI_PREVIEW:-$(realpath ..)/shared/tools/pulumi-preview.sh}
[ -x "$PREVIEW" ] || [ -f "$PREVIEW" ] || { echo "no preview script at $PREVIEW (set PULUMI_PREVIEW)" >&2; exit 1; }
# The pack runs from its build: make sure it is the build of these sources.
node policy/build.js --check

LOG=$(mktemp -d /tmp/bench-policy-preview.XXXXXX)
with=() without=()
# One preview: its time in seconds, from the script's result line; the log kept in $LOG.
preview() { # <label> <policy pack or empty>
    local log=$LOG/$1.log secs
    POLICY_PACK=$2 bash "$PREVIEW" . "$STACK" >"$log" 2>&1 || { tail -n 30 "$log" >&2; echo "preview failed: $log" >&2; exit 1; }
    if [ -n "$2" ]; then
        # The pack really ran: the CLI lists it under the preview's policies.
        grep -q "django-doks-guardrails" "$log" || { echo "the pack did not run: $log" >&2; exit 1; }
    fi
    secs=$(sed -n "s/^pulumi preview $STACK: ok, .*, \([0-9.]*\) s$/\1/p" "$log")
    [ -n "$secs" ] || { echo "no time in $log" >&2; exit 1; }
    echo "$secs"
}
for i in $(seq "$RUNS"); do
    s=$(preview "without-$i" ""); without+=("$s"); echo "run $i without the pack: $s s"
    s=$(preview "with-$i" policy); with+=("$s"); echo "run $i with the pack:    $s s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
m_without=$(median "${without[@]}")
m_with=$(median "${with[@]}")
echo "median of $RUNS previews of $STACK: without the pack ${m_without} s, with it ${m_with} s, ratio $(echo "scale=2; $m_with / $m_without" | bc) (logs in $LOG)"
