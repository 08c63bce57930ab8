#!/usr/bin/env bash
# Stops a server started by start.sh and removes its temp dir.
#   tests/postgres/stop.sh [DIR]     (DIR defaults to $ORLEANSCAUSAL_TEST_POSTGRES_DIR)
set -euo pipefail
dir="${1:-${ORLEANSCAUSAL_TEST_POSTGRES_DIR:-}}"
log() { echo "postgres/stop.sh: $*" >&2; }
if [[ -z "$dir" ]]; then log "no directory given and ORLEANSCAUSAL_TEST_POSTGRES_DIR is not set"; exit 2; fi
if [[ ! -d "$dir" ]]; then log "$dir does not exist (already stopped)"; exit 0; fi
if [[ ! -f "$dir/.orleanscausal-test-postgres" ]]; then
  log "$dir was not made by start.sh (no marker file): refusing to touch it"; exit 2
fi
data="$dir/data"
if [[ -f "$data/postmaster.pid" ]]; then
  bindir=""
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do [[ -x "$d/pg_ctl" ]] && { bindir="$d"; break; }; done
  pg_ctl="${bindir:+$bindir/}pg_ctl"
  owner="$(stat -c %U "$data")"
  if [[ "$(id -u)" == "0" && "$owner" != "root" ]]; then
    runuser -u "$owner" -- "$pg_ctl" --pgdata="$data" --mode=fast --wait --timeout=60 stop >&2 || true
  else
    "$pg_ctl" --pgdata="$data" --mode=fast --wait --timeout=60 stop >&2 || true
  fi
  # If pg_ctl could not stop it, end the postmaster by its pid (the one this script's server wrote).
  if [[ -f "$data/postmaster.pid" ]]; then
    pid="$(head -1 "$data/postmaster.pid")"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -QUIT "$pid" 2>/dev/null || true; fi
  fi
fi
rm -rf "$dir"
log "stopped and removed $dir"
