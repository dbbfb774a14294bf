#!/usr/bin/env bash
# Runs the two Temporal benchmarks, each with its own servers and workers, one after the other.
#   bash bench/run.sh            defaults sized for 2 cores (ingest N=300 C=16 batch 500; journey M=20)
#   BENCH_INGEST_N=1000 BENCH_INGEST_C=32 BENCH_JOURNEY_M=50 bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/obtain-temporal.sh all)"
echo "== bench/ingest.ts =="
node --import tsx bench/ingest.ts
echo
echo "== bench/journey.ts =="
node --import tsx bench/journey.ts
