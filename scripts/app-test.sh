#!/usr/bin/env bash
# Tests the Django app in app/ against a real PostgreSQL: the Django test suite on a direct
# connection, then a gunicorn smoke test through pgbouncer in transaction mode, as in the cluster.
# The PostgreSQL cluster and pgbouncer are throwaway (temp dir, free ports) and removed on exit.
# app-bench.sh sources this file for its PostgreSQL helpers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

as_postgres() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

apt_install() {
  if [[ $EUID -ne 0 ]]; then
    echo "app: need root to apt-get install $*" >&2
    return 1
  fi
  if [[ -z "${APT_UPDATED:-}" ]]; then
    apt-get update -qq
    APT_UPDATED=1
  fi
  echo "app: apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_bindir() {
  local dir
  dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -1)"
  if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/psql" ]]; then echo "$dir"; fi
}

pgbouncer_bin() {
  command -v pgbouncer 2>/dev/null || { [[ -x /usr/sbin/pgbouncer ]] && echo /usr/sbin/pgbouncer; } || true
}

ensure_pg_installed() {
  local missing=()
  [[ -n "$(pg_bindir)" ]] || missing+=(postgresql)
  [[ -n "$(pgbouncer_bin)" ]] || missing+=(pgbouncer)
  if ((${#missing[@]})); then apt_install "${missing[@]}"; fi
  PG_BIN="$(pg_bindir)"
  PGBOUNCER="$(pgbouncer_bin)"
  if [[ -z "$PG_BIN" || -z "$PGBOUNCER" ]]; then
    echo "app: PostgreSQL server or pgbouncer still missing" >&2
    return 1
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts PostgreSQL and pgbouncer (transaction mode) on free loopback ports and sets
# PG_TMP, PGDATA, DATABASE_URL_DIRECT, DATABASE_URL_POOL, PG_STOP_CMD, PG_START_CMD.
pg_up() {
  PG_TMP="$(mktemp -d /tmp/app-pg.XXXXXX)"
  chmod 700 "$PG_TMP"
  if [[ $EUID -eq 0 ]]; then chown postgres:postgres "$PG_TMP"; fi
  PGDATA="$PG_TMP/data"
  local pg_port pgb_port password
  pg_port="$(free_port)"
  pgb_port="$(free_port)"
  password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

  as_postgres "$PG_BIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$PG_TMP/initdb.log"
  as_postgres tee -a "$PGDATA/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$PG_TMP'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  local as_pg=()
  if [[ $EUID -eq 0 ]]; then as_pg=(runuser -u postgres --); fi
  PG_START_CMD="$(printf '%q ' "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PG_TMP/postgres.log" -w -t 60 start)"
  PG_STOP_CMD="$(printf '%q ' "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop)"
  eval "$PG_START_CMD" >/dev/null

  as_postgres "$PG_BIN/psql" -q -v ON_ERROR_STOP=1 -h "$PG_TMP" -p "$pg_port" -U postgres -d postgres \
    -c "CREATE ROLE app LOGIN CREATEDB PASSWORD '$password'" \
    -c "CREATE DATABASE app OWNER app"

  as_postgres tee "$PG_TMP/userlist.txt" >/dev/null <<<"\"app\" \"$password\""
  as_postgres tee "$PG_TMP/pgbouncer.ini" >/dev/null <<EOF
[databases]
app = host=127.0.0.1 port=$pg_port dbname=app

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $pgb_port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $PG_TMP/userlist.txt
pool_mode = transaction
default_pool_size = 10
max_client_conn = 200
logfile = $PG_TMP/pgbouncer.log
pidfile = $PG_TMP/pgbouncer.pid
server_login_retry = 2
EOF
  as_postgres "$PGBOUNCER" -d -q "$PG_TMP/pgbouncer.ini"

  DATABASE_URL_DIRECT="postgres://app:$password@127.0.0.1:$pg_port/app"
  DATABASE_URL_POOL="postgres://app:$password@127.0.0.1:$pgb_port/app"
  export PG_START_CMD PG_STOP_CMD
  echo "app: PostgreSQL $("$PG_BIN/postgres" -V | awk '{print $3}') on 127.0.0.1:$pg_port, pgbouncer (transaction mode) on 127.0.0.1:$pgb_port, in $PG_TMP"
}

pg_down() {
  [[ -n "${PG_TMP:-}" && -d "$PG_TMP" ]] || return 0
  local pid
  if [[ -f "$PG_TMP/pgbouncer.pid" ]]; then
    pid="$(cat "$PG_TMP/pgbouncer.pid")"
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
  if as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_TMP"
  PG_TMP=""
}

main() {
  local started=$SECONDS
  ensure_pg_installed
  bash scripts/app-venv.sh
  trap pg_down EXIT
  pg_up

  local log="$PG_TMP/test-output.txt" rc_tests=0 rc_smoke=0
  echo "app: Django test suite (direct connection)"
  (cd app && env PYTHONDONTWRITEBYTECODE=1 LOG_LEVEL=CRITICAL SECRET_KEY=test-only-secret-key \
    DATABASE_URL="$DATABASE_URL_DIRECT" .venv/bin/python manage.py test --noinput) 2>&1 |
    tee -a "$log" || rc_tests=$?

  echo "app: smoke test (gunicorn through pgbouncer)"
  (cd app && env PYTHONDONTWRITEBYTECODE=1 SMOKE_MIGRATE_DATABASE_URL="$DATABASE_URL_DIRECT" \
    SMOKE_DATABASE_URL="$DATABASE_URL_POOL" SMOKE_PG_STOP="$PG_STOP_CMD" SMOKE_PG_START="$PG_START_CMD" \
    .venv/bin/python smoke_test.py) 2>&1 | tee -a "$log" || rc_smoke=$?

  local passed failed
  passed="$(awk '/^(django|smoke): [0-9]+ passed, [0-9]+ failed/ {s += $2} END {print s + 0}' "$log")"
  failed="$(awk '/^(django|smoke): [0-9]+ passed, [0-9]+ failed/ {s += $4} END {print s + 0}' "$log")"
  if ((rc_tests != 0 || rc_smoke != 0)) && ((failed == 0)); then failed=1; fi
  echo "app-test took $((SECONDS - started)) s"
  echo "app-test: $passed passed, $failed failed"
  ((rc_tests == 0 && rc_smoke == 0))
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
