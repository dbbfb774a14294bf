#!/usr/bin/env bash
# Installs the npm packages from the lockfile when node_modules is missing or older than the lockfile.
# `npm install` rather than `npm ci`: with npm 11 here, `npm ci` rejects a lockfile that omits other platforms'
# optional @swc/core binaries ("Missing: @swc/core-darwin-arm64 from lock file"), even one npm itself just wrote.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[deps] installing npm packages from package-lock.json (npm install)..." >&2
  npm install --no-audit --no-fund >&2
fi
