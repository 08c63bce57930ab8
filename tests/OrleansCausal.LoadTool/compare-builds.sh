#!/usr/bin/env bash
# Before/after comparison of the gateway: runs each build's own load tool (it hosts that build's silo in process, then
# the bare Kestrel baseline) interleaved — before, after, before, after — at each connection count, so both builds see
# the same machine state. Prints `uptime` before every run.
#
#   tests/OrleansCausal.LoadTool/compare-builds.sh BEFORE_CHECKOUT AFTER_CHECKOUT [load tool arguments…]
#   e.g. git worktree add /tmp/before 865ec0e && tests/OrleansCausal.LoadTool/compare-builds.sh /tmp/before . --duration 10 --warmup 2
#
# Environment: CONNECTIONS (default "1 16 64"), ROUNDS (pairs per connection count, default 2), MAX_LOAD and MAX_WAIT
# (before a run, wait up to MAX_WAIT seconds, default 60, while the 1-minute load average is at or above MAX_LOAD,
# default 3; then run anyway: the printed uptime says how loaded the machine was), NO_BUILD=1 to skip the builds.
set -euo pipefail
# shellcheck source=wait-for-quiet.sh
source "$(dirname "$0")/wait-for-quiet.sh"

before=$(cd "$1" && pwd)
after=$(cd "$2" && pwd)
shift 2
arguments=("$@")
if [ ${#arguments[@]} -eq 0 ]; then arguments=(--duration 10 --warmup 2); fi
connections=${CONNECTIONS:-"1 16 64"}
rounds=${ROUNDS:-2}
project=tests/OrleansCausal.LoadTool

if [ "${NO_BUILD:-0}" != 1 ]; then
  for checkout in "$before" "$after"; do
    dotnet build -c Release "$checkout/$project" -nologo -v q >/dev/null
  done
fi

for c in $connections; do
  for round in $(seq "$rounds"); do
    for side in before after; do
      checkout=$before; [ "$side" = after ] && checkout=$after
      wait_for_quiet
      data=$(mktemp -d)
      echo "=== $side connections=$c round=$round $(uptime)"
      dotnet "$checkout/$project/bin/Release/net10.0/orleans-causal-load.dll" "${arguments[@]}" --connections "$c" --data "$data" \
        | grep -E '^(gateway|bare Kestrel raw upsert|bare Kestrel group-commit upsert):'
      rm -rf "$data"
    done
  done
done
