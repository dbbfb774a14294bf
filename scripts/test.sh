#!/usr/bin/env bash
# `npm test`: install what is missing (npm packages, Temporal CLI, time-skipping test server), then run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
# Not `eval "$(…)"`: eval of an empty output succeeds, so a failed obtain step would go unnoticed.
out=$(bash scripts/obtain-temporal.sh all) || { echo "[test] could not obtain the Temporal servers (see above)" >&2; exit 1; }
eval "$out"
eval "$(bash scripts/obtain-chromium.sh || true)"  # tolerant on purpose: Debian's Chromium for the browser test; prints why when it cannot
echo "[test] type-checking..." >&2
npx tsc --noEmit -p .
echo "[test] running the suite (vitest) against a real dev server and the time-skipping test server..." >&2
exec npx vitest run "$@"
