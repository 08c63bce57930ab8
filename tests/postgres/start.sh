#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server for the OrleansCausal tests.
#
#   eval "$(tests/postgres/start.sh)"      # exports ORLEANSCAUSAL_TEST_POSTGRES and ORLEANSCAUSAL_TEST_POSTGRES_DIR
#   tests/postgres/stop.sh                  # stops it and removes its directory
#
# - installs PostgreSQL with apt-get when no server binaries are found (needs root);
# - runs initdb into a new temp dir as a NON-root OS user (the `postgres` user, created when absent) when run as root,
#   as the current user otherwise;
# - listens on 127.0.0.1 only, on a free port (a random port is tried, and another one when it is taken), with the
#   unix socket in the temp dir;
# - creates a login role with a random password (allowed to create databases, so tests can make one each) and a
#   database, and prints shell `export` lines with an Npgsql connection string. Everything else goes to stderr.
#
# Options: --parent-pid PID  stop the server (stop.sh) when process PID exits (used by the C# test fixture, so a
#                            crashed test host does not leave a server behind).
set -euo pipefail

parent_pid=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --parent-pid) parent_pid="$2"; shift 2 ;;
    *) echo "start.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { echo "postgres/start.sh: $*" >&2; }

find_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]]; then echo "$dir"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"; return 0
  fi
  return 1
}

bindir="$(find_bindir || true)"
if [[ -z "$bindir" ]]; then
  if [[ "$(id -u)" != "0" ]]; then
    log "PostgreSQL server binaries not found and not running as root, so they cannot be installed (apt-get install postgresql)."
    exit 1
  fi
  log "PostgreSQL not found: installing it with apt-get (postgresql)."
  # Ask the Debian package not to create and start its own 'main' cluster on port 5432: we only want the binaries.
  mkdir -p /etc/postgresql-common
  if [[ ! -f /etc/postgresql-common/createcluster.conf ]]; then
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y -o Dpkg::Options::=--force-confold postgresql >&2
  bindir="$(find_bindir || true)"
  if [[ -z "$bindir" ]]; then log "apt-get install postgresql finished, but no initdb/pg_ctl was found."; exit 1; fi
fi
log "using PostgreSQL binaries in $bindir ($("$bindir/postgres" --version))"

# The server refuses to run as root: use the postgres OS user (created when absent).
run_as=()
owner="$(id -un)"
if [[ "$(id -u)" == "0" ]]; then
  owner="postgres"
  if ! id -u postgres >/dev/null 2>&1; then
    log "creating the OS user 'postgres'"
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres 2>/dev/null \
      || useradd -r -M -s /bin/false postgres
  fi
  if command -v runuser >/dev/null 2>&1; then run_as=(runuser -u postgres --); else run_as=(su postgres -s /bin/sh -c); fi
fi
as_owner() {
  if [[ ${#run_as[@]} -eq 0 ]]; then "$@";
  elif [[ "${run_as[0]}" == "runuser" ]]; then "${run_as[@]}" "$@";
  else "${run_as[@]}" "$(printf '%q ' "$@")"; fi
}

# /tmp, not $TMPDIR: the server runs as another user, who must be able to reach the directory.
dir="$(mktemp -d "${ORLEANSCAUSAL_TEST_POSTGRES_TMP:-/tmp}/orleanscausal-pg.XXXXXX")"
touch "$dir/.orleanscausal-test-postgres"   # stop.sh removes only directories carrying this marker
chmod 0755 "$dir"
if [[ "$owner" != "$(id -un)" ]]; then chown "$owner" "$dir"; fi
data="$dir/data"

role="orleanscausal"
database="orleanscausal"
password="$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
superuser="oc_admin"

# Local (socket) connections for the superuser are trusted: only the owner and root can reach the socket dir.
# TCP connections (the ones the tests make) need the password (scram-sha-256).
as_owner "$bindir/initdb" --pgdata="$data" --username="$superuser" --auth-local=trust --auth-host=scram-sha-256 \
  --encoding=UTF8 --locale=C.UTF-8 --no-instructions >&2 \
  || as_owner "$bindir/initdb" --pgdata="$data" --username="$superuser" --auth-local=trust --auth-host=scram-sha-256 \
       --encoding=UTF8 --locale=C --no-instructions >&2
chmod 0700 "$dir"

# Durability stays at the safe defaults (fsync=on, synchronous_commit=on): the tests and the benchmark measure
# the store as it runs in production.
cat >> "$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 300
logging_collector = off
CONF

started=""
for attempt in $(seq 1 25); do
  port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
  if as_owner "$bindir/pg_ctl" --pgdata="$data" --log="$dir/server.log" --wait --timeout=60 \
       -o "-p $port" start >&2; then
    started="yes"; break
  fi
  if grep -q -E "could not bind|Address already in use|could not create any TCP/IP sockets" "$dir/server.log" 2>/dev/null; then
    log "port $port is taken, trying another one"; : > "$dir/server.log"; continue
  fi
  log "the server did not start; its log follows"; cat "$dir/server.log" >&2 || true
  exit 1
done
if [[ -z "$started" ]]; then log "no free port found after 25 attempts"; exit 1; fi
echo "$port" > "$dir/port"

psql_admin() { as_owner "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U "$superuser" -d postgres "$@"; }
psql_admin -c "CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password'" >&2
psql_admin -c "CREATE DATABASE $database OWNER $role" >&2

connection="Host=127.0.0.1;Port=$port;Username=$role;Password=$password;Database=$database"
printf 'export ORLEANSCAUSAL_TEST_POSTGRES=%q\nexport ORLEANSCAUSAL_TEST_POSTGRES_DIR=%q\n' "$connection" "$dir" > "$dir/env"
cat "$dir/env"

if [[ -n "$parent_pid" ]]; then
  # Watchdog: when the process that asked for this server is gone, stop the server and remove its directory.
  nohup setsid bash -c 'while kill -0 "$1" 2>/dev/null && [[ -d "$2" ]]; do sleep 2; done; "$3" "$2"' \
    _ "$parent_pid" "$dir" "$here/stop.sh" >/dev/null 2>&1 < /dev/null &
fi
log "$("$bindir/postgres" --version) is running on 127.0.0.1:$port (data in $dir)"
