#!/usr/bin/env bash
# A local multi-region OrleansCausal deployment on one machine: one silo per region on 127.0.0.1, each with its own
# SQLite file, all sharing Context:SigningKey and Replication:Secret, every region peered with every other.
#
#   deploy/local-cluster.sh start  [--regions A,B[,C...]] [--data DIR] [--base-port N | --ports P1,P2,...] [--silo DLL]
#   deploy/local-cluster.sh status [--data DIR]
#   deploy/local-cluster.sh stop   [--data DIR]
#
# Defaults: regions A,B; data ./data/local-cluster; ports 7101, 7102, ...; the silo is built (Release) unless --silo
# names a built orleans-causal-silo.dll. Secrets: $OC_SIGNING_KEY and $OC_REPLICATION_SECRET if set, otherwise
# generated once and kept in DATA/secrets.env (mode 600) so a restart keeps them. They reach the silos through
# environment variables (OrleansCausal__...), never the command line (visible in ps).
# Logs: DATA/logs/REGION.log; pids: DATA/run/REGION.pid. `stop` sends SIGTERM (the silo drains and exits) and waits.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
command="${1:-}"; shift || true
regions="A,B"; data="$repo/data/local-cluster"; base_port=7101; ports=""; silo=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --regions) regions="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --base-port) base_port="$2"; shift 2 ;;
    --ports) ports="$2"; shift 2 ;;
    --silo) silo="$2"; shift 2 ;;
    *) echo "local-cluster: unknown option '$1'" >&2; exit 2 ;;
  esac
done
mkdir -p "$data"
data="$(cd "$data" && pwd)"

die() { echo "local-cluster: $*" >&2; exit 1; }

port_of() { # region index -> port
  local index="$1"
  if [[ -n "$ports" ]]; then
    IFS=',' read -r -a list <<<"$ports"
    [[ $index -lt ${#list[@]} ]] || die "--ports lists ${#list[@]} port(s) for more regions"
    echo "${list[$index]}"
  else
    echo $((base_port + index))
  fi
}

secrets() {
  local file="$data/secrets.env"
  if [[ ! -f "$file" ]]; then
    umask 077
    {
      echo "OC_SIGNING_KEY=${OC_SIGNING_KEY:-$(head -c 32 /dev/urandom | base64 | tr -d '=+/\n')}"
      echo "OC_REPLICATION_SECRET=${OC_REPLICATION_SECRET:-$(head -c 32 /dev/urandom | base64 | tr -d '=+/\n')}"
    } >"$file"
  fi
  # shellcheck disable=SC1090
  source "$file"
}

running_pid() { # region -> pid if its silo runs
  local pidfile="$data/run/$1.pid"
  [[ -f "$pidfile" ]] || return 1
  local pid; pid="$(cat "$pidfile")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  IFS=',' read -r -a names <<<"$regions"
  [[ ${#names[@]} -ge 1 ]] || die "no regions"
  if [[ -z "$silo" ]]; then
    echo "local-cluster: building the silo (Release)"
    dotnet build "$repo/silo/OrleansCausal.Silo" -c Release -v quiet -nologo >/dev/null
    silo="$repo/silo/OrleansCausal.Silo/bin/Release/net10.0/orleans-causal-silo.dll"
  fi
  [[ -f "$silo" ]] || die "silo not found at $silo"
  secrets
  mkdir -p "$data/run" "$data/logs"
  for i in "${!names[@]}"; do
    local region="${names[$i]}" port; port="$(port_of "$i")"
    if pid="$(running_pid "$region")"; then echo "local-cluster: $region already runs (pid $pid)"; continue; fi
    mkdir -p "$data/$region"
    local -a peers=()
    for j in "${!names[@]}"; do
      [[ $j -eq $i ]] && continue
      peers+=("--Peers:${names[$j]}" "http://127.0.0.1:$(port_of "$j")")
    done
    OrleansCausal__Context__SigningKey="$OC_SIGNING_KEY" \
    OrleansCausal__Replication__Secret="$OC_REPLICATION_SECRET" \
      nohup dotnet "$silo" --Region "$region" --Urls "http://127.0.0.1:$port" \
        --Store "sqlite:$data/$region/$region.db" --Namespaces:Open true "${peers[@]}" \
        >"$data/logs/$region.log" 2>&1 &
    echo $! >"$data/run/$region.pid"
    echo "local-cluster: started $region on http://127.0.0.1:$port (pid $!, log $data/logs/$region.log)"
  done
  for i in "${!names[@]}"; do
    local region="${names[$i]}" port; port="$(port_of "$i")"
    for _ in $(seq 1 300); do
      if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then continue 2; fi
      running_pid "$region" >/dev/null || { tail -n 30 "$data/logs/$region.log" >&2; die "$region exited during start (log above)"; }
      sleep 0.1
    done
    die "$region did not become ready on port $port within 30 s"
  done
  echo "local-cluster: ready"
}

status() {
  shopt -s nullglob
  for pidfile in "$data"/run/*.pid; do
    local region; region="$(basename "$pidfile" .pid)"
    if pid="$(running_pid "$region")"; then echo "$region: running (pid $pid)"; else echo "$region: stopped"; fi
  done
}

stop() {
  shopt -s nullglob
  local -a waiting=()
  for pidfile in "$data"/run/*.pid; do
    local region; region="$(basename "$pidfile" .pid)"
    if pid="$(running_pid "$region")"; then kill -TERM "$pid"; waiting+=("$region:$pid"); else rm -f "$pidfile"; fi
  done
  for entry in "${waiting[@]}"; do
    local region="${entry%%:*}" pid="${entry##*:}"
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then echo "local-cluster: $region (pid $pid) ignored SIGTERM for 30 s; killing" >&2; kill -KILL "$pid"; fi
    rm -f "$data/run/$region.pid"
    echo "local-cluster: stopped $region"
  done
}

case "$command" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|status|stop [--regions A,B] [--data DIR] [--base-port N | --ports P1,P2] [--silo DLL]" >&2; exit 2 ;;
esac
