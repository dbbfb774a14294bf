#!/usr/bin/env bash
# `npm start`: install what is missing, then bring up the dev server + UI, the worker and the API.
set -euo pipefail
cd "$(dirname "$0")/.."
# When npm start was typed, so the time to the first demo run counts the installs too.
export JOURNEY_START_EPOCH_MS="${JOURNEY_START_EPOCH_MS:-$(date +%s%3N)}"
bash scripts/ensure-deps.sh
# The SDK core with our fix when a build is cached (npm test builds it; scripts/core-bridge/README.md); never fails the start.
bash scripts/obtain-core-bridge.sh --if-cached || true
# Not `eval "$(…)"`: eval of an empty output succeeds, so a failed obtain step would go unnoticed.
out=$(bash scripts/obtain-temporal.sh cli) || { echo "[start] could not obtain the Temporal CLI (see above)" >&2; exit 1; }
eval "$out"
exec node --import tsx scripts/start.ts "$@"
