#!/usr/bin/env bash
# Installs the npm packages from the lockfile when node_modules is missing or older than the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[deps] installing npm packages from package-lock.json (npm ci)..." >&2
  npm ci --no-audit --no-fund >&2
fi
