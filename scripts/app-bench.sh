#!/usr/bin/env bash
# Throughput of one pod on the guestbook page `/`: gunicorn started as in the image, held to
# the pod's CPU limit (0.5 CPU), PostgreSQL behind pgbouncer in transaction mode, wrk on
# loopback. Prints requests/s, p99 latency, and what 2 and 4 replicas carry at the HPA target.
#
# Knobs: BENCH_DURATION (s, 30), BENCH_WARMUP (s, 10), BENCH_CONNECTIONS (4),
# BENCH_ENTRIES (50), GUNICORN_WORKERS (2), CONN_MAX_AGE (0), BENCH_LIMIT (auto, or taskset to
# skip the cgroup quota).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/app-test.sh
source scripts/app-test.sh

CPU_LIMIT_PERCENT=50
HPA_TARGET_PERCENT=80
DURATION="${BENCH_DURATION:-30}"
WARMUP="${BENCH_WARMUP:-10}"
CONNECTIONS="${BENCH_CONNECTIONS:-4}"
ENTRIES="${BENCH_ENTRIES:-50}"
WORKERS="${GUNICORN_WORKERS:-2}"
HOST=bench.example.test

CGROUP=""
GUNICORN_PID=""

cleanup() {
  if [[ -n "$GUNICORN_PID" ]] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID"
    for _ in $(seq 60); do kill -0 "$GUNICORN_PID" 2>/dev/null || break; sleep 0.5; done
  fi
  if [[ -n "$CGROUP" && -d "$CGROUP" ]]; then
    for _ in $(seq 20); do rmdir "$CGROUP" 2>/dev/null && break; sleep 0.5; done
  fi
  pg_down
}

# Sets LIMIT_HOW, LAUNCH (command prefix), SCALE (factor applied to the measured figures).
apply_cpu_limit() {
  local quota=$((CPU_LIMIT_PERCENT * 1000)) period=100000
  SCALE=1
  if [[ "${BENCH_LIMIT:-auto}" == taskset ]]; then
    LIMIT_HOW="taskset requested: pinned to one core, figures scaled by 0.5"
    LAUNCH=(taskset -c 0)
    SCALE=0.5
    return
  fi
  if [[ -f /sys/fs/cgroup/cgroup.controllers ]] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers &&
    CGROUP=/sys/fs/cgroup/app-bench.$$ && mkdir "$CGROUP" 2>/dev/null &&
    echo "$quota $period" >"$CGROUP/cpu.max" 2>/dev/null; then
    LIMIT_HOW="cgroup v2 cpu.max $quota/$period"
    # shellcheck disable=SC2016 # expanded by the inner sh
    LAUNCH=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CGROUP")
    return
  fi
  [[ -n "$CGROUP" && -d "$CGROUP" ]] && rmdir "$CGROUP" 2>/dev/null
  CGROUP=""
  if [[ -d /run/systemd/system ]] && command -v systemd-run >/dev/null &&
    systemd-run --scope --quiet -p CPUQuota=${CPU_LIMIT_PERCENT}% true 2>/dev/null; then
    LIMIT_HOW="systemd-run --scope -p CPUQuota=${CPU_LIMIT_PERCENT}%"
    LAUNCH=(systemd-run --scope --quiet -p "CPUQuota=${CPU_LIMIT_PERCENT}%" --)
    return
  fi
  if [[ -w /sys/fs/cgroup/cpu ]] && CGROUP=/sys/fs/cgroup/cpu/app-bench.$$ && mkdir "$CGROUP" 2>/dev/null &&
    echo "$period" >"$CGROUP/cpu.cfs_period_us" && echo "$quota" >"$CGROUP/cpu.cfs_quota_us"; then
    LIMIT_HOW="cgroup v1 cpu.cfs_quota_us $quota/$period"
    # shellcheck disable=SC2016 # expanded by the inner sh
    LAUNCH=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CGROUP")
    return
  fi
  [[ -n "$CGROUP" && -d "$CGROUP" ]] && rmdir "$CGROUP" 2>/dev/null
  CGROUP=""
  LIMIT_HOW="no CPU quota possible here: pinned to one core with taskset, figures scaled by 0.5"
  LAUNCH=(taskset -c 0)
  SCALE=0.5
}

# CPU seconds used so far by gunicorn's master and workers.
gunicorn_cpu_seconds() {
  local pids ticks
  pids="$GUNICORN_PID $(ps --ppid "$GUNICORN_PID" -o pid= | tr '\n' ' ')"
  ticks=0
  for pid in $pids; do
    [[ -r /proc/$pid/stat ]] || continue
    ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t / hz}'
}

throttled() {
  if [[ -n "$CGROUP" && -r "$CGROUP/cpu.stat" ]]; then
    awk '$1 == "nr_throttled" {print $2}' "$CGROUP/cpu.stat"
  else
    echo 0
  fi
}

to_ms() { # wrk prints 812.00us, 45.10ms or 1.20s
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000
    printf "%.1f", n }'
}

main() {
  command -v wrk >/dev/null || apt_install bench "wrk:the benchmark's HTTP load generator"
  ensure_pg_installed
  bash scripts/app-venv.sh
  trap cleanup EXIT
  pg_up
  pg_grants app # the migrations Job's grant step: app (the owner) migrates, app_web (the pool) serves

  local key
  key="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
  export PYTHONDONTWRITEBYTECODE=1 SECRET_KEY="$key" ALLOWED_HOSTS="$HOST" LOG_LEVEL=WARNING
  (
    cd app
    DATABASE_URL="$DATABASE_URL_DIRECT" .venv/bin/python manage.py migrate --noinput -v 0
    DATABASE_URL="$DATABASE_URL_DIRECT" .venv/bin/python manage.py collectstatic --noinput -v 0
    DATABASE_URL="$DATABASE_URL_DIRECT" .venv/bin/python manage.py shell -v 0 -c "
from guestbook.models import Entry
Entry.objects.bulk_create(Entry(name=f'guest {i}', message='Benchmark entry number %d, with a message of typical length for a guestbook.' % i) for i in range($ENTRIES))"
  )

  apply_cpu_limit
  local port log
  port="$(free_port)"
  log="$PG_TMP/gunicorn.log"
  (cd app && exec env PATH="$PWD/.venv/bin:$PATH" DATABASE_URL="$DATABASE_URL_POOL" BIND_ADDRESS=127.0.0.1 PORT="$port" \
    GUNICORN_WORKERS="$WORKERS" "${LAUNCH[@]}" gunicorn -c gunicorn.conf.py webapp.wsgi) >"$log" 2>&1 &
  GUNICORN_PID=$!
  for _ in $(seq 60); do
    curl -fsS -o /dev/null -H "Host: $HOST" "http://127.0.0.1:$port/readyz" 2>/dev/null && break
    kill -0 "$GUNICORN_PID" 2>/dev/null || { cat "$log"; echo "app-bench: gunicorn died" >&2; exit 1; }
    sleep 0.5
  done
  curl -fsS -o /dev/null -H "Host: $HOST" -H "X-Forwarded-Proto: https" "http://127.0.0.1:$port/"

  local threads=$((CONNECTIONS < 2 ? CONNECTIONS : 2))
  local wrk_args=(-t"$threads" -c"$CONNECTIONS" --latency -H "Host: $HOST" -H "X-Forwarded-Proto: https" "http://127.0.0.1:$port/")
  echo "app-bench: CPU limit: $LIMIT_HOW"
  echo "app-bench: warm-up ${WARMUP}s, then ${DURATION}s with $CONNECTIONS connections, gunicorn $WORKERS sync workers, CONN_MAX_AGE=${CONN_MAX_AGE:-0}"
  wrk "${wrk_args[@]}" -d"${WARMUP}s" >/dev/null

  local cpu0 thr0 out cpu1 thr1
  cpu0="$(gunicorn_cpu_seconds)"
  thr0="$(throttled)"
  out="$(wrk "${wrk_args[@]}" -d"${DURATION}s")"
  cpu1="$(gunicorn_cpu_seconds)"
  thr1="$(throttled)"
  echo "$out"

  if grep -q "Non-2xx or 3xx responses" <<<"$out"; then
    echo "app-bench: error responses during the run" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  local rps p99 p50 cores rps_pod
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  p50="$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")"
  p99="$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
  cores="$(awk -v a="$cpu0" -v b="$cpu1" -v d="$DURATION" 'BEGIN {printf "%.2f", (b - a) / d}')"
  rps_pod="$(awk -v r="$rps" -v s="$SCALE" 'BEGIN {printf "%.0f", r * s}')"

  echo
  echo "app-bench: gunicorn used $cores CPU on average; throttled periods during the run: $((thr1 - thr0))"
  echo "app-bench: machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "app-bench: per pod (0.5 CPU): $rps_pod req/s, p50 ${p50} ms, p99 ${p99} ms$([[ $SCALE != 1 ]] && echo " (measured $rps req/s on one core, x$SCALE)")"
  local r
  for r in 2 4; do
    echo "app-bench: $r replicas at the HPA's ${HPA_TARGET_PERCENT}% CPU target: $(awk -v p="$rps_pod" -v r="$r" -v t="$HPA_TARGET_PERCENT" 'BEGIN {printf "%.0f", p * t / 100 * r}') req/s (rps_per_pod x 0.$HPA_TARGET_PERCENT x $r)"
  done
  echo
  echo "CONTRIBUTING.md, \"The app\": GET / (guestbook, latest 20 of $ENTRIES entries, PostgreSQL via pgbouncer in transaction mode) on one pod" \
    "limited to 0.5 CPU ($LIMIT_HOW), gunicorn $WORKERS sync workers, wrk $CONNECTIONS connections for ${DURATION} s:" \
    "$rps_pod req/s, p99 ${p99} ms; at the HPA's ${HPA_TARGET_PERCENT}% CPU target 2 replicas carry" \
    "~$(awk -v p="$rps_pod" -v t="$HPA_TARGET_PERCENT" 'BEGIN {printf "%.0f", p * t / 100 * 2}') req/s and 4 replicas" \
    "~$(awk -v p="$rps_pod" -v t="$HPA_TARGET_PERCENT" 'BEGIN {printf "%.0f", p * t / 100 * 4}') req/s."
}

main "$@"
