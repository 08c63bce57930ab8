#!/usr/bin/env bash
# The gateway and both bare endpoints, each side in a process of its own, interleaved round by round. In one process
# (the load tool's default) the sides run one after another on a GC that adapts as it goes (DATAS, on with Server GC),
# so the side that runs first — the gateway — also pays for that warm-up of the heap count, in some runs a third of its
# GET throughput; a fresh process per side gives every side the same start. Prints `/proc/loadavg` before every run.
#
#   tests/OrleansCausal.LoadTool/sides-apart.sh [load tool arguments…]
#   e.g. WORKLOAD=get ROUNDS=3 tests/OrleansCausal.LoadTool/sides-apart.sh --connections 64 --duration 10 --warmup 20
#
# Environment: WORKLOAD (default get), ROUNDS (default 3), NO_BUILD=1 to skip the Release build.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
load="$here/tests/OrleansCausal.LoadTool/bin/Release/net10.0/orleans-causal-load.dll"
arguments=("$@")
if [ ${#arguments[@]} -eq 0 ]; then arguments=(--connections 64 --duration 10 --warmup 20); fi
if [ "${NO_BUILD:-0}" != 1 ]; then
  dotnet build -c Release "$here/tests/OrleansCausal.LoadTool" -nologo -v q >/dev/null
fi

for round in $(seq "${ROUNDS:-3}"); do
  for side in gateway raw raw-group; do
    data=$(mktemp -d)
    echo "=== $side ${WORKLOAD:-get} round=$round $(cat /proc/loadavg)"
    dotnet "$load" --side "$side" --workload "${WORKLOAD:-get}" "${arguments[@]}" --data "$data" \
      | grep -E '^(gateway|bare Kestrel raw upsert|bare Kestrel group-commit upsert):' || true
    rm -rf "$data"
  done
done
