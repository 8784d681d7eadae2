#!/usr/bin/env bash
# End-to-end tests of the desktop app's renderer in headless Chromium against the real
# API (with its dispatcher) and desktop notifier, on a database and topology of their own.
set -euo pipefail
cd "$(dirname "$0")/.."

run_id="e2e$(date +%s)$$"
pg_root="${NUDGE_TEST_PG:-postgresql+asyncpg://postgres@127.0.0.1:5432}"
export NUDGE_DATABASE_URL="$pg_root/nudge_$run_id"
export NUDGE_TOPOLOGY_PREFIX="$run_id."
export NUDGE_API_PORT="${NUDGE_E2E_API_PORT:-18000}"
export NUDGE_WS_PORT="${NUDGE_E2E_WS_PORT:-18001}"
export NUDGE_LOG_LEVEL=WARNING
export NUDGE_E2E_URL="http://127.0.0.1:$NUDGE_API_PORT"
export NUDGE_E2E_WS="ws://127.0.0.1:$NUDGE_WS_PORT/ws"
bin=.venv/bin
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$bin/python" - <<PY || true
import asyncio
from nudge.store.db import drop_database
asyncio.run(drop_database("$NUDGE_DATABASE_URL"))
PY
  "$bin/python" scripts/drop_topology.py "$NUDGE_TOPOLOGY_PREFIX" || true
}
trap cleanup EXIT

wait_for() {
  for _ in $(seq 1 150); do
    if curl -fsS "$1" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "e2e: $1 did not come up" >&2
  return 1
}

"$bin/nudge" migrate
"$bin/nudge" api & pids+=($!)
"$bin/nudge" desktop-notifier & pids+=($!)
wait_for "$NUDGE_E2E_URL/readyz"
wait_for "http://127.0.0.1:$NUDGE_WS_PORT/healthz"
(cd desktop && npm run test:e2e)
