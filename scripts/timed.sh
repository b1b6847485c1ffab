#!/usr/bin/env bash
# Run one stage of `make test`, then print how long it took: "stage <name>: <seconds>s (ok|failed)".
set -u
name=$1; shift
start=$(date +%s%N)
"$@"
status=$?
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
outcome=ok; [ "$status" -eq 0 ] || outcome=failed
line=$(printf 'stage %s: %d.%01ds (%s)' "$name" $((elapsed_ms / 1000)) $(((elapsed_ms % 1000) / 100)) "$outcome")
echo "$line"
[ -z "${WDH_STAGE_LOG:-}" ] || echo "$line" >>"$WDH_STAGE_LOG"
exit "$status"
