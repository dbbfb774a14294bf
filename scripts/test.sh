#!/usr/bin/env bash
# `npm test`: install what is missing (npm packages, Temporal CLI, time-skipping test server, Chromium), check the
# format, lint, type-check, then run the whole suite. Ends with one line `N passed, N failed, N skipped` from
# vitest's JSON report (scripts/test-count.mjs), also when a step before the suite failed.
set -uo pipefail
cd "$(dirname "$0")/.."
artifacts=test/.artifacts
mkdir -p "$artifacts"
# A report left by an earlier run must never be counted as this one's.
rm -f "$artifacts/vitest-report.json"

# Names the step under way, so the count can say which one stopped the run.
step() { echo "$1" >"$artifacts/test-step"; }
# Ends the run after a failed step: the count (which names the step) is the last line.
stop() { node scripts/test-count.mjs "$1"; exit $?; }

step install
bash scripts/ensure-deps.sh || stop $?
step obtain-temporal
# Not `eval "$(…)"`: eval of an empty output succeeds, so a failed obtain step would go unnoticed.
out=$(bash scripts/obtain-temporal.sh all) || { echo "[test] could not obtain the Temporal servers (see above)" >&2; stop 1; }
eval "$out"
eval "$(bash scripts/obtain-chromium.sh || true)" # tolerant on purpose: Debian's Chromium for the browser test; prints why when it cannot
# The SDK core with our fix (scripts/core-bridge/README.md), built with cargo and cached; tolerant: without it the
# prebuilt core stays, test/core-bridge-eviction.test.ts is skipped and says so.
bash scripts/obtain-core-bridge.sh || true
# The production topology's test (test/cluster.test.ts): Debian's PostgreSQL, installed like Chromium (tolerant: without
# it that test is skipped and says so loudly), and the Temporal server built from go.temporal.io/server (cached).
eval "$(bash scripts/cluster/obtain-postgres.sh || true)"
# jemalloc, as `npm run start:cluster` installs it for its workers (tolerant too: without it they use the system's
# malloc, and test/worker-allocator.test.ts skips its jemalloc case), so the cluster test runs the workers it ships.
bash scripts/cluster/obtain-jemalloc.sh || true
out=$(bash scripts/cluster/obtain-temporal-server.sh) || { echo "[test] could not obtain the Temporal server (see above)" >&2; stop 1; }
eval "$out"
# Its Temporal UI (ui-server, built with Go and cached), which the cluster test opens in Chromium.
out=$(bash scripts/cluster/obtain-temporal-ui.sh) || { echo "[test] could not obtain the Temporal UI server (see above)" >&2; stop 1; }
eval "$out"
# `npm run test:cluster`: the suite's shared server is the production topology's (test/setup/cluster-server.ts), so
# PostgreSQL is required there, not optional.
shared="a real dev server"
if [ "${JOURNEY_TEST_TEMPORAL:-dev}" = cluster ]; then
  [ -x "${JOURNEY_PG_BIN:-}/pg_ctl" ] || { echo "[test] JOURNEY_TEST_TEMPORAL=cluster needs PostgreSQL, and it could not be obtained (see above; JOURNEY_PG_BIN='${JOURNEY_PG_BIN:-}')" >&2; stop 1; }
  shared="the Temporal server on PostgreSQL (JOURNEY_TEST_TEMPORAL=cluster)"
fi
step format
echo "[test] checking the format (prettier --check)..." >&2
npx prettier --check --log-level warn . || { echo "[test] files above are not formatted: npx prettier --write <file>" >&2; stop 1; }
step lint
echo "[test] linting (eslint, type-aware, no warnings allowed)..." >&2
npx eslint --max-warnings 0 . || stop $?
step typecheck
echo "[test] type-checking (tsc)..." >&2
npx tsc --noEmit -p . || stop $?
step suite
echo "[test] running the suite (vitest) against $shared and the time-skipping test server..." >&2
echo "[test] logs of passing tests are kept in $artifacts/logs/; a failing test prints its own" >&2
npx vitest run "$@"
stop $?
