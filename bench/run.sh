#!/usr/bin/env bash
# Runs the six benchmarks one after the other (never at once: each measures a 2-core machine on its own), each
# with its own servers and workers. See bench/README.md for what each one measures.
#   bash bench/run.sh            defaults sized for 2 cores (compile 200 folders; email 400 sends per case; report 5,000,000 records;
#                                ingest N=300 C=16 batch 500; journey M=10)
#   BENCH_COMPILE_N=500 BENCH_EMAIL_N=1000 BENCH_INGEST_N=1000 BENCH_INGEST_C=32 BENCH_JOURNEY_M=50 bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(bash scripts/obtain-temporal.sh all) || { echo "[bench] could not obtain the Temporal servers (see above)" >&2; exit 1; }
eval "$out"
echo "== bench/compile.ts =="
node --import tsx bench/compile.ts "${BENCH_COMPILE_N:-200}"
echo
echo "== bench/email-send.ts =="
node --import tsx bench/email-send.ts
echo
echo "== bench/ingest.ts =="
node --import tsx bench/ingest.ts
echo
echo "== bench/routing.ts =="
node --import tsx bench/routing.ts "${BENCH_ROUTING_K:-40}"
echo
echo "== bench/journey.ts =="
node --import tsx bench/journey.ts
echo
echo "== bench/report.ts =="
node --import tsx bench/report.ts "${BENCH_REPORT_N:-5000000}"
echo
echo "== bench/payload-codec.ts =="
node --import tsx bench/payload-codec.ts "${BENCH_CODEC_N:-5000}"
