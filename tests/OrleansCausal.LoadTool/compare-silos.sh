#!/usr/bin/env bash
# Two builds' silos measured from outside, through the HTTP contract, by one and the same client: each round starts the
# before build's silo binary, then the after build's, as their own processes (fresh SQLite file each, Warning logs,
# loopback), drives each with this checkout's load tool (--target, gateway side only) and stops it. Unlike
# compare-builds.sh — where each build's own load tool hosts its silo in process — the client code is identical for both
# builds and never shares a process with the silo. Prints `uptime` before every run, and the silo's CPU time per
# operation (its /proc utime + stime over the run, warm-up included, divided by every operation the client sent).
#
#   tests/OrleansCausal.LoadTool/compare-silos.sh BEFORE_CHECKOUT AFTER_CHECKOUT [load tool arguments…]
#   e.g. git worktree add /tmp/before 865ec0e
#        WORKLOADS="get put-fresh get-put" ROUNDS=3 tests/OrleansCausal.LoadTool/compare-silos.sh /tmp/before . --connections 64 --duration 10 --warmup 20
#
# Environment: WORKLOADS (default "get-put"), ROUNDS (default 2), NO_BUILD=1 to skip the Release builds, MAX_LOAD and
# MAX_WAIT as in compare-builds.sh. The load tool's workloads other than get-put need this checkout's load tool; both
# silos must serve /v1/kv/default.
set -euo pipefail
# shellcheck source=wait-for-quiet.sh
source "$(dirname "$0")/wait-for-quiet.sh"

before=$(cd "$1" && pwd)
after=$(cd "$2" && pwd)
shift 2
arguments=("$@")
if [ ${#arguments[@]} -eq 0 ]; then arguments=(--connections 64 --duration 10 --warmup 20); fi
workloads=${WORKLOADS:-get-put}
rounds=${ROUNDS:-2}
here=$(cd "$(dirname "$0")/../.." && pwd)
load="$here/tests/OrleansCausal.LoadTool/bin/Release/net10.0/orleans-causal-load.dll"

if [ "${NO_BUILD:-0}" != 1 ]; then
  dotnet build -c Release "$here/tests/OrleansCausal.LoadTool" -nologo -v q >/dev/null
  for checkout in "$before" "$after"; do
    dotnet build -c Release "$checkout/silo/OrleansCausal.Silo" -nologo -v q >/dev/null
  done
fi

silo_dll() {
  find "$1/silo/OrleansCausal.Silo/bin/Release" -maxdepth 2 -name '*.runtimeconfig.json' | head -1 | sed 's/\.runtimeconfig\.json$/.dll/'
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

cpu_ticks() {
  # utime + stime (fields 14 and 15 of /proc/PID/stat; the command name may hold spaces, so count from its ')').
  sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

run_one() {
  local side=$1 checkout=$2 workload=$3 round=$4
  local data port pid start_ticks output operations silo_cpu
  data=$(mktemp -d)
  port=$(free_port)
  dotnet "$(silo_dll "$checkout")" --Region load --Urls "http://127.0.0.1:$port" --Store "sqlite:$data/load.db" \
    --Context:SigningKey load-tool-signing-key-0123456789abcdef --Logging:LogLevel:Default Warning >"$data/silo.log" 2>&1 &
  pid=$!
  for _ in $(seq 120); do
    if curl -fs -o /dev/null "http://127.0.0.1:$port/healthz"; then break; fi
    sleep 0.5
  done
  wait_for_quiet
  echo "=== $side $workload round=$round $(uptime)"
  start_ticks=$(cpu_ticks "$pid")
  output=$(dotnet "$load" --target "http://127.0.0.1:$port" --side gateway --workload "$workload" "${arguments[@]}" --data "$data" | grep -E '^gateway:' || true)
  silo_cpu=$(( $(cpu_ticks "$pid") - start_ticks ))
  kill -TERM "$pid"; wait "$pid" || true
  operations=$(echo "$output" | sed -nE 's/^gateway: ([0-9]+) ops.*/\1/p')
  echo "$output"
  if [ -n "$operations" ]; then
    # Ticks are 1/100 s (CLK_TCK); the load tool's operation count covers only the measured window, so the figure
    # over-counts CPU by the warm-up's share: compare it between builds, not as an absolute.
    echo "silo cpu: $silo_cpu ticks over the run ($(awk -v t="$silo_cpu" -v n="$operations" 'BEGIN { printf "%.0f", t * 10000 / n }') µs per measured op, warm-up included)"
  fi
  rm -rf "$data"
}

for workload in $workloads; do
  for round in $(seq "$rounds"); do
    run_one before "$before" "$workload" "$round"
    run_one after "$after" "$workload" "$round"
  done
done
