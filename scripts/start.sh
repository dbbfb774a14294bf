#!/usr/bin/env bash
# `npm start`: install what is missing, then bring up the dev server + UI, the worker and the API.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
eval "$(bash scripts/obtain-temporal.sh cli)"
exec node --import tsx scripts/start.ts "$@"
