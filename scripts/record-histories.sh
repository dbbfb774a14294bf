#!/usr/bin/env bash
# Re-records the replay histories of the current release (test/histories/<release>/, <release> from
# workflows/release.ts): one full cycle of each shipped journey plus the runs the behaviour tests keep (every test
# file that calls recordHistory), then replays every release folder on the current code. Folders of earlier releases
# are left as they are: they stand for runs an older release started (docs/versioning.md).
# Usage: npm run histories:record
set -euo pipefail
cd "$(dirname "$0")/.."
release=$(sed -n "s/^export const RELEASE = '\([0-9.]*\)';/\1/p" workflows/release.ts)
if [ -z "$release" ]; then
  echo "[histories] could not read RELEASE from workflows/release.ts" >&2
  exit 1
fi
dir="test/histories/$release"
mapfile -t files < <(grep -l "recordHistory(" test/*.test.ts | sort)
echo "[histories] re-recording $dir from ${#files[@]} test files: ${files[*]}"
mkdir -p "$dir"
rm -f "$dir"/*.json
RECORD_HISTORIES=1 npx vitest run --fileParallelism=false "${files[@]}"
echo "[histories] $(find "$dir" -name '*.json' | wc -l) histories in $dir; replaying every release folder"
npx vitest run test/interpreter-replay.test.ts
