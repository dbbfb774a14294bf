#!/usr/bin/env bash
# `npm run start:cluster`: install what is missing (npm packages; the Temporal server and its SQL tool, built once
# and cached; Debian's PostgreSQL), then bring up PostgreSQL, the Temporal server, two workers and two APIs
# (scripts/cluster/start-cluster.ts), the workers with jemalloc where it can be installed. Ctrl-C stops everything in order.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/ensure-deps.sh
# Not `eval "$(…)"`: eval of an empty output succeeds, so a failed obtain step would go unnoticed.
out=$(bash scripts/cluster/obtain-temporal-server.sh) || { echo "[cluster] could not obtain the Temporal server (see above)" >&2; exit 1; }
eval "$out"
out=$(bash scripts/cluster/obtain-postgres.sh) || { echo "[cluster] could not obtain PostgreSQL (see above)" >&2; exit 1; }
eval "$out"
# The Temporal Web UI (ui-server, built once with Go and cached); optional: without it the cluster starts, UI-less.
if out=$(bash scripts/cluster/obtain-temporal-ui.sh); then eval "$out"; else echo "[cluster] the Temporal UI could not be obtained (see above): starting without it" >&2; fi
bash scripts/cluster/obtain-jemalloc.sh # optional: the workers' malloc (worker/allocator.ts); never fails the start
# The SDK core with our fix (scripts/core-bridge/README.md), built once with cargo and cached; never fails the start.
bash scripts/obtain-core-bridge.sh || true
exec node --import tsx scripts/cluster/start-cluster.ts "$@"
