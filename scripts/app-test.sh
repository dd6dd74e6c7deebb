#!/usr/bin/env bash
# Tests the Django app in app/ against a real PostgreSQL set up like DigitalOcean's managed one
# (see pg_up): migrate fails before the grant scripts (components/app/sql/), which then run as the
# migrations Job runs them; then the Django test suite as the owner role app on a direct
# connection, a gunicorn smoke test through pgbouncer in transaction mode as the runtime role
# app_web, as in the cluster, and checks of what each role may and may not do.
# The PostgreSQL cluster and pgbouncer are throwaway (temp dir, free ports) and removed on exit.
# app-bench.sh sources this file for its PostgreSQL helpers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/system-tools.sh
source scripts/system-tools.sh

# Roles of the throwaway cluster (the names the program uses) and their random passwords.
OWNER_ROLE=app
RUNTIME_ROLE=app_web
declare -A PG_PASSWORD=()

as_postgres() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# postgres://ROLE:password@127.0.0.1:PORT/DATABASE (PORT defaults to PostgreSQL's own).
pg_url() {
  printf 'postgres://%s:%s@127.0.0.1:%s/%s' "$1" "${PG_PASSWORD[$1]}" "${3:-$PG_PORT}" "$2"
}

# Starts PostgreSQL and pgbouncer (transaction mode) on free loopback ports, set up like a
# DigitalOcean managed cluster with the database app, and sets PG_TMP, PGDATA, PG_PORT,
# DATABASE_URL_ADMIN (doadmin), DATABASE_URL_DIRECT (app, the owner: the migrations Job),
# DATABASE_URL_POOL (app_web through pgbouncer: the pods), PG_STOP_CMD, PG_START_CMD.
# Nothing is granted: run pg_grants before migrating, as the Job does.
pg_up() {
  PG_TMP="$(mktemp -d /tmp/app-pg.XXXXXX)"
  chmod 700 "$PG_TMP"
  if [[ $EUID -eq 0 ]]; then chown postgres:postgres "$PG_TMP"; fi
  PGDATA="$PG_TMP/data"
  local pgb_port role
  PG_PORT="$(free_port)"
  pgb_port="$(free_port)"
  for role in doadmin "$OWNER_ROLE" "$RUNTIME_ROLE"; do
    PG_PASSWORD[$role]="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  done

  as_postgres "$PG_BIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$PG_TMP/initdb.log"
  as_postgres tee -a "$PGDATA/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
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

  # As on DigitalOcean's managed PostgreSQL: the admin role doadmin is no superuser ("you cannot
  # grant users some superuser permissions"); users created through the API get "minimal
  # permissions by default" (LOGIN and a password); databases created through the API belong to
  # doadmin. Since PostgreSQL 15 only the database owner may create objects in schema public, so
  # app's migrations fail with "permission denied for schema public" until the grant scripts ran
  # (as in LukeMathWalker/zero-to-production#272, directus/directus#21890). The superuser
  # postgres only bootstraps the roles; everything else logs in as them with scram over TCP.
  as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_TMP" -p "$PG_PORT" -U postgres -d postgres \
    -c "CREATE ROLE doadmin LOGIN CREATEDB CREATEROLE REPLICATION PASSWORD '${PG_PASSWORD[doadmin]}'" \
    -c "CREATE ROLE $OWNER_ROLE LOGIN PASSWORD '${PG_PASSWORD[$OWNER_ROLE]}'" \
    -c "CREATE ROLE $RUNTIME_ROLE LOGIN PASSWORD '${PG_PASSWORD[$RUNTIME_ROLE]}'"
  pg_create_database app

  # DigitalOcean's pool: clients log in as app_web, and so do its server connections.
  as_postgres tee "$PG_TMP/userlist.txt" >/dev/null <<<"\"$RUNTIME_ROLE\" \"${PG_PASSWORD[$RUNTIME_ROLE]}\""
  as_postgres tee "$PG_TMP/pgbouncer.ini" >/dev/null <<EOF
[databases]
app = host=127.0.0.1 port=$PG_PORT dbname=app user=$RUNTIME_ROLE

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

  DATABASE_URL_ADMIN="$(pg_url doadmin app)"
  DATABASE_URL_DIRECT="$(pg_url "$OWNER_ROLE" app)"
  DATABASE_URL_POOL="$(pg_url "$RUNTIME_ROLE" app "$pgb_port")"
  export PG_START_CMD PG_STOP_CMD
  echo "app: PostgreSQL $("$PG_BIN/postgres" -V | awk '{print $3}') on 127.0.0.1:$PG_PORT, pgbouncer (transaction mode) on 127.0.0.1:$pgb_port, in $PG_TMP"
}

# Creates a database as doadmin, as DigitalOcean's API does: doadmin owns it.
pg_create_database() {
  PSQLRC=/dev/null "$PG_BIN/psql" "$(pg_url doadmin postgres)" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$1\""
}

# The migrations Job's grant step on a database, with the same commands and files.
pg_grants() {
  local ADMIN_URL OWNER_URL
  ADMIN_URL="$(pg_url doadmin "$1")"
  OWNER_URL="$(pg_url "$OWNER_ROLE" "$1")"
  # As ROLE_GRANTS_SCRIPT in components/app/database-roles.ts runs them.
  "$PG_BIN/psql" "$ADMIN_URL" -X -q -v ON_ERROR_STOP=1 -v database="$1" -v owner="$OWNER_ROLE" \
    -v runtime="$RUNTIME_ROLE" -f components/app/sql/admin.sql >/dev/null &&
    "$PG_BIN/psql" "$OWNER_URL" -X -q -v ON_ERROR_STOP=1 -v runtime="$RUNTIME_ROLE" \
      -f components/app/sql/owner.sql >/dev/null
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

# -- grants: the DigitalOcean model, the grant scripts, what each role may do ----------------

GRANTS_PASSED=0
GRANTS_FAILED=0

grants_count() { # STATUS: 0 is a pass
  if (($1 == 0)); then GRANTS_PASSED=$((GRANTS_PASSED + 1)); else GRANTS_FAILED=$((GRANTS_FAILED + 1)); fi
}

grants_result() { # STATUS NAME [DETAIL]
  grants_count "$1"
  if (($1 == 0)); then echo "  ok    $2"; else echo "  FAIL  $2${3:+ $3}"; fi
}

# Runs SQL with psql on URL; SQL_OUT gets its output (stdout and stderr), the status is psql's.
sql() { # URL SQL
  local rc=0
  SQL_OUT="$(PSQLRC=/dev/null "$PG_BIN/psql" "$1" -X -q -At -v ON_ERROR_STOP=1 -c "$2" 2>&1)" || rc=$?
  return "$rc"
}

expect_ok() { # NAME URL SQL [REGEX the output must match]
  local rc=0
  sql "$2" "$3" || rc=$?
  if ((rc == 0)) && [[ $# -lt 4 || "$SQL_OUT" =~ $4 ]]; then
    grants_result 0 "$1"
  else
    grants_result 1 "$1" "(status $rc: $SQL_OUT)"
  fi
}

expect_denied() { # NAME URL SQL MESSAGE
  local rc=0
  sql "$2" "$3" || rc=$?
  if ((rc != 0)) && [[ "$SQL_OUT" == *"$4"* ]]; then
    grants_result 0 "$1"
  else
    grants_result 1 "$1" "(status $rc, want \"$4\": $SQL_OUT)"
  fi
}

manage() { # DATABASE_URL ARGS...: manage.py as the test suite runs it
  local url=$1
  shift
  (cd app && env PYTHONDONTWRITEBYTECODE=1 LOG_LEVEL=CRITICAL SECRET_KEY=test-only-secret-key \
    DATABASE_URL="$url" .venv/bin/python manage.py "$@")
}

# The cluster is set up as DigitalOcean's, and migrate as app fails there before the grants.
grants_before() {
  local admin=$DATABASE_URL_ADMIN
  expect_ok "doadmin is no superuser but may create databases and roles" "$admin" \
    "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = 'doadmin'" '^f\|t\|t$'
  expect_ok "$OWNER_ROLE and $RUNTIME_ROLE may only log in" "$admin" \
    "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles
     WHERE rolname IN ('$OWNER_ROLE', '$RUNTIME_ROLE') AND rolcanlogin
       AND NOT (rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls)" \
    "^$OWNER_ROLE,$RUNTIME_ROLE\$"
  expect_ok "doadmin owns the databases app and test_app" "$admin" \
    "SELECT string_agg(datname || '=' || pg_get_userbyid(datdba), ',' ORDER BY datname)
     FROM pg_database WHERE datname IN ('app', 'test_app')" '^app=doadmin,test_app=doadmin$'

  local out rc=0
  out="$(manage "$DATABASE_URL_DIRECT" migrate --noinput 2>&1)" || rc=$?
  if ((rc != 0)) && [[ "$out" == *"permission denied for schema public"* ]]; then
    grants_count 0
    echo "app: migrate as $OWNER_ROLE before the grants fails as on DigitalOcean: permission denied for schema public"
  else
    grants_count 1
    echo "app: FAIL: migrate as $OWNER_ROLE before the grants should fail with permission denied for schema public" \
      "(status $rc): $(tail -3 <<<"$out")"
  fi
}

# After the migrations: the runtime role reads and writes rows and changes nothing else; the
# owner may create tables, and the runtime role may use them; the grant scripts run again.
grants_after() {
  local owner=$DATABASE_URL_DIRECT runtime=$DATABASE_URL_POOL t=guestbook_entry seq=guestbook_entry_id_seq
  local id='^[0-9]+$'
  expect_ok "$RUNTIME_ROLE (pool): SELECT on $t" "$runtime" "SELECT count(*) FROM $t" "$id"
  expect_ok "$RUNTIME_ROLE (pool): INSERT into $t, id from its identity default" "$runtime" \
    "INSERT INTO $t (name, message, created_at) VALUES ('grants', 'check', now()) RETURNING id" "$id"
  local row=0
  if [[ "$SQL_OUT" =~ $id ]]; then row=$SQL_OUT; fi
  expect_ok "$RUNTIME_ROLE (pool): UPDATE $t" "$runtime" \
    "UPDATE $t SET message = 'checked' WHERE id = $row RETURNING id" "^$row\$"
  expect_ok "$RUNTIME_ROLE (pool): DELETE from $t" "$runtime" \
    "DELETE FROM $t WHERE id = $row RETURNING id" "^$row\$"
  expect_ok "$RUNTIME_ROLE (pool): nextval on $seq" "$runtime" "SELECT nextval('$seq')" "$id"
  expect_denied "$RUNTIME_ROLE (pool): setval on $seq is denied" "$runtime" \
    "SELECT setval('$seq', 1)" "permission denied for sequence $seq"
  expect_denied "$RUNTIME_ROLE (pool): CREATE TABLE in public is denied" "$runtime" \
    "CREATE TABLE public.grants_intruder (id int)" "permission denied for schema public"
  expect_denied "$RUNTIME_ROLE (pool): CREATE SCHEMA is denied" "$runtime" \
    "CREATE SCHEMA grants_intruder" "permission denied for database app"
  expect_denied "$RUNTIME_ROLE (pool): DROP TABLE $t is denied" "$runtime" \
    "DROP TABLE $t" "must be owner of table $t"
  expect_denied "$RUNTIME_ROLE (pool): ALTER TABLE $t is denied" "$runtime" \
    "ALTER TABLE $t ADD COLUMN grants_probe int" "must be owner of table $t"
  expect_denied "$RUNTIME_ROLE (pool): TRUNCATE $t is denied" "$runtime" \
    "TRUNCATE $t" "permission denied for table $t"
  expect_ok "every table and sequence in public belongs to $OWNER_ROLE" "$owner" \
    "SELECT count(*) FILTER (WHERE relowner <> '$OWNER_ROLE'::regrole) || '/' || count(*)
     FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'S')" '^0/[1-9][0-9]*$'
  expect_ok "$RUNTIME_ROLE has SELECT, INSERT, UPDATE, DELETE on every table, nothing more" "$owner" \
    "SELECT count(*) FILTER (WHERE NOT (has_table_privilege('$RUNTIME_ROLE', c.oid, 'SELECT')
         AND has_table_privilege('$RUNTIME_ROLE', c.oid, 'INSERT')
         AND has_table_privilege('$RUNTIME_ROLE', c.oid, 'UPDATE')
         AND has_table_privilege('$RUNTIME_ROLE', c.oid, 'DELETE'))
       OR has_table_privilege('$RUNTIME_ROLE', c.oid, 'TRUNCATE, REFERENCES, TRIGGER'))
     FROM pg_class c WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')" '^0$'
  expect_ok "$RUNTIME_ROLE has USAGE, SELECT on every sequence, not UPDATE" "$owner" \
    "SELECT count(*) FILTER (WHERE NOT (has_sequence_privilege('$RUNTIME_ROLE', c.oid, 'USAGE')
         AND has_sequence_privilege('$RUNTIME_ROLE', c.oid, 'SELECT'))
       OR has_sequence_privilege('$RUNTIME_ROLE', c.oid, 'UPDATE'))
     FROM pg_class c WHERE relnamespace = 'public'::regnamespace AND relkind = 'S'" '^0$'
  expect_ok "$OWNER_ROLE: CREATE TABLE in public works after the grants" "$owner" \
    "CREATE TABLE grants_probe (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, note text)"
  expect_ok "$RUNTIME_ROLE (pool): a table $OWNER_ROLE creates later is usable (default privileges)" "$runtime" \
    "INSERT INTO grants_probe (note) VALUES ('x') RETURNING id" "$id"
  expect_ok "$OWNER_ROLE: DROP TABLE of its own table works" "$owner" "DROP TABLE grants_probe"
  expect_ok "test_app is still doadmin's after Django's test run (--keepdb did not create it)" \
    "$DATABASE_URL_ADMIN" "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'test_app'" '^doadmin$'

  local out rc=0
  out="$(pg_grants app 2>&1 && pg_grants test_app 2>&1)" || rc=$?
  grants_result "$rc" "the grant scripts run a second time on app and test_app" "($out)"
  expect_ok "$RUNTIME_ROLE (pool): reads and writes $t after the second run" "$runtime" \
    "INSERT INTO $t (name, message, created_at) VALUES ('grants', 'again', now()) RETURNING id" "$id"
  sql "$runtime" "DELETE FROM $t WHERE name = 'grants'" || true
}

main() {
  local started=$SECONDS
  ensure_pg_installed
  bash scripts/app-venv.sh
  trap pg_down EXIT
  pg_up
  # The test suite's database: created by doadmin and granted like app; Django's runner uses it
  # as it is with --keepdb (it creates a database only if none of that name exists).
  pg_create_database test_app

  local log="$PG_TMP/test-output.txt" rc_tests=0 rc_smoke=0 rc_grants=0
  echo "app: roles as on DigitalOcean: doadmin (no superuser) owns app and test_app; $OWNER_ROLE, $RUNTIME_ROLE without grants"
  grants_before

  echo "app: grant scripts as the migrations Job runs them (components/app/sql/admin.sql as doadmin, owner.sql as $OWNER_ROLE)"
  local out rc=0
  out="$(pg_grants app 2>&1 && pg_grants test_app 2>&1)" || rc=$?
  grants_result "$rc" "admin.sql and owner.sql on app and test_app" "($out)"

  echo "app: Django test suite as $OWNER_ROLE (direct connection, test_app kept)"
  manage "$DATABASE_URL_DIRECT" test --keepdb --noinput 2>&1 | tee -a "$log" || rc_tests=$?

  echo "app: smoke test (migrate as $OWNER_ROLE, direct; gunicorn as $RUNTIME_ROLE through pgbouncer)"
  (cd app && env PYTHONDONTWRITEBYTECODE=1 SMOKE_MIGRATE_DATABASE_URL="$DATABASE_URL_DIRECT" \
    SMOKE_DATABASE_URL="$DATABASE_URL_POOL" SMOKE_PG_STOP="$PG_STOP_CMD" SMOKE_PG_START="$PG_START_CMD" \
    .venv/bin/python smoke_test.py) 2>&1 | tee -a "$log" || rc_smoke=$?

  echo "app: least privilege ($RUNTIME_ROLE through pgbouncer, $OWNER_ROLE direct) and a second run of the grant scripts"
  grants_after
  echo "grants: $GRANTS_PASSED passed, $GRANTS_FAILED failed" | tee -a "$log"
  ((GRANTS_FAILED == 0)) || rc_grants=1

  local passed failed
  passed="$(awk '/^(django|smoke|grants): [0-9]+ passed, [0-9]+ failed/ {s += $2} END {print s + 0}' "$log")"
  failed="$(awk '/^(django|smoke|grants): [0-9]+ passed, [0-9]+ failed/ {s += $4} END {print s + 0}' "$log")"
  if ((rc_tests != 0 || rc_smoke != 0 || rc_grants != 0)) && ((failed == 0)); then failed=1; fi
  echo "app-test took $((SECONDS - started)) s"
  echo "app-test: $passed passed, $failed failed"
  ((rc_tests == 0 && rc_smoke == 0 && rc_grants == 0))
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
