# Sourced by the test scripts: what they need from the machine, found where contributors install
# it, and installed (system packages with apt) only after a line that says what and why.
# shellcheck shell=bash

# Where a PostgreSQL server's bin directory (initdb, pg_ctl, psql, postgres) may be, in the order
# searched after PATH: Homebrew (Apple silicon, Intel), then Debian/Ubuntu and Fedora/RHEL
# (PGDG) packages. In each pattern the newest version wins.
PG_BIN_GLOBS=(
  "/opt/homebrew/opt/postgresql*/bin"
  "/usr/local/opt/postgresql*/bin"
  "/opt/homebrew/bin"
  "/usr/local/bin"
  "/usr/lib/postgresql/*/bin"
  "/usr/pgsql-*/bin"
)
PGBOUNCER_DIRS=(/opt/homebrew/bin /usr/local/bin /usr/sbin /usr/bin)
PG_TOOLS=(initdb pg_ctl psql postgres)

# Prints "NAME: MESSAGE" on stderr, so it shows at once even when stdout is captured.
say() { # NAME MESSAGE
  echo "$1: $2" >&2
}

is_pg_bindir() { # DIR
  local tool
  [[ -n "$1" && -d "$1" ]] || return 1
  for tool in "${PG_TOOLS[@]}"; do [[ -x "$1/$tool" ]] || return 1; done
}

# The directory of the first complete PostgreSQL server install: initdb on PATH (its real
# directory, which Homebrew and /usr/local links point into), then PG_BIN_GLOBS.
pg_bindir() {
  local initdb dir pattern
  if initdb="$(command -v initdb 2>/dev/null)"; then
    dir="$(dirname "$(readlink -f "$initdb")")"
    if is_pg_bindir "$dir"; then echo "$dir"; return 0; fi
  fi
  for pattern in "${PG_BIN_GLOBS[@]}"; do
    # shellcheck disable=SC2086 # the pattern is globbed on purpose
    while read -r dir; do
      if is_pg_bindir "$dir"; then echo "$dir"; return 0; fi
    done < <(compgen -G "$pattern" | sort -rV)
  done
  return 0
}

pgbouncer_bin() {
  local dir
  if command -v pgbouncer 2>/dev/null; then return 0; fi
  for dir in "${PGBOUNCER_DIRS[@]}"; do
    if [[ -x "$dir/pgbouncer" ]]; then echo "$dir/pgbouncer"; return 0; fi
  done
  return 0
}

# Installs Debian packages system-wide, one announcement per package before apt-get starts.
apt_install() { # NAME "PACKAGE:why it is needed"...
  local name=$1 item packages=()
  shift
  if ! command -v apt-get >/dev/null 2>&1; then
    say "$name" "no apt-get here: install ${*%%:*} yourself (see CONTRIBUTING.md)"
    return 1
  fi
  local sudo=()
  if [[ $EUID -ne 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1 || ! sudo -n true 2>/dev/null; then
      say "$name" "need root (or sudo without a password) to apt-get install ${*%%:*}"
      return 1
    fi
    sudo=(sudo -n)
  fi
  for item in "$@"; do
    say "$name" "installing the system package ${item%%:*} with apt-get (system-wide): ${item#*:}"
    packages+=("${item%%:*}")
  done
  if [[ -z "${APT_UPDATED:-}" ]]; then
    "${sudo[@]}" apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
}

# Runs a slow command, saying every PROGRESS_EVERY seconds (20) that it still runs.
with_progress() { # NAME WHAT COMMAND...
  local name=$1 what=$2 pid rc=0 started=$SECONDS every=${PROGRESS_EVERY:-20}
  shift 2
  "$@" &
  pid=$!
  while ! wait_at_most "$pid" "$every"; do
    say "$name" "still $what ($((SECONDS - started)) s)"
  done
  wait "$pid" || rc=$?
  return "$rc"
}

wait_at_most() { # PID SECONDS: 0 once PID has ended
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  ! kill -0 "$1" 2>/dev/null
}

# Sets PG_BIN and PGBOUNCER, installing what is missing with apt.
ensure_pg_installed() {
  local missing=()
  [[ -n "$(pg_bindir)" ]] ||
    missing+=("postgresql:the app's tests run a throwaway PostgreSQL server (none found on PATH, in Homebrew or under /usr/lib/postgresql or /usr/pgsql-*)")
  [[ -n "$(pgbouncer_bin)" ]] ||
    missing+=("pgbouncer:the app's tests reach PostgreSQL through pgbouncer in transaction mode, as the pods reach DigitalOcean's pool (none found on PATH)")
  if ((${#missing[@]})); then apt_install app "${missing[@]}"; fi
  PG_BIN="$(pg_bindir)"
  PGBOUNCER="$(pgbouncer_bin)"
  if [[ -z "$PG_BIN" || -z "$PGBOUNCER" ]]; then
    say app "PostgreSQL server (${PG_TOOLS[*]}) or pgbouncer still missing"
    return 1
  fi
}

module_dir() { # NAME MODULE@VERSION: the module's directory in the Go module cache, downloaded if need be
  local name=$1 tmp json
  shift
  tmp=$(mktemp -d)
  # outside any module, so that no go.mod is read or written
  json=$(cd "$tmp" && GOFLAGS=-mod=mod go mod download -json "$1") || { rm -rf "$tmp"; say "$name" "go mod download $1 failed"; exit 1; }
  rm -rf "$tmp"
  printf '%s' "$json" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);if(j.Error){console.error(j.Error);process.exit(1)}process.stdout.write(j.Dir)})'
}
