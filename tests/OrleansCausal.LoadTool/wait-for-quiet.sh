# Sourced by the comparison scripts. wait_for_quiet: before a run, wait up to MAX_WAIT seconds (default 60) while the
# 1-minute load average is at or above MAX_LOAD (default 3); then run anyway (the printed uptime says how loaded the
# machine was).
max_load=${MAX_LOAD:-3}
max_wait=${MAX_WAIT:-60}

wait_for_quiet() {
  for _ in $(seq $((max_wait / 5))); do
    if awk -v max="$max_load" '{ exit !($1 < max) }' /proc/loadavg; then return; fi
    sleep 5
  done
}
