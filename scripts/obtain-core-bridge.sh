#!/usr/bin/env bash
# The Temporal SDK's native core with our fix for one of its bugs (scripts/core-bridge/README.md): a worker whose
# workflow cache is full no longer evicts a run while that run's workflow task waits on a local activity, which
# dropped the task unanswered (the server timed it out after 10 s and the run was replayed).
#
# @temporalio/core-bridge ships the Rust sources of its prebuilt binary (sdk-core). This script copies them, applies
# scripts/core-bridge/*.patch, builds the bridge with cargo (a few minutes the first time; crates from the registry,
# compiled dependencies kept for the next build), caches the binary under
# $JOURNEY_ENGINE_CACHE/core-bridge-<version>-<patch hash>/, and puts it in place of the package's prebuilt binary
# (the prebuilt one is kept beside it as index.node.stock; `npm install` puts it back, and the next `npm test` or
# `npm start` runs this again). The worker logs which one it loaded (worker/core-bridge.ts).
#
# Needs cargo (Rust 1.94 or newer) and protoc (Debian's protobuf-compiler: installed as root, like Chromium). Without
# them the prebuilt binary stays, and this says so loudly and exits 1: callers treat it as optional (`|| true`), since
# the bug costs latency, never data. Its work is the file it puts in place: it prints nothing for `eval`.
# `--if-cached` (npm start): put a cached build in place, but build none (the demo does not need it; npm test builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/apt-install.sh

say() { echo "[core-bridge] $*" >&2; }
CACHE="${JOURNEY_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/journey-engine}"
pkg=node_modules/@temporalio/core-bridge
[ -f "$pkg/package.json" ] || { say "$pkg is not installed (run npm install first)"; exit 1; }
version=$(node -p "require('./$pkg/package.json').version")
triple=$(node -p "require('./$pkg/common.js').getPrebuiltTargetName()")
prebuilt="$pkg/releases/$triple/index.node"
patches=(scripts/core-bridge/*.patch)
hash=$(cat "${patches[@]}" | sha256sum | cut -c1-12)
id="$version-$hash"
dest="$CACHE/core-bridge-$id/index.node"

build() (
  local tmp
  tmp=$(mktemp -d "$CACHE/.core-bridge-build.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  # The package's sources without its prebuilt binaries (they are what we replace).
  cp -r "$pkg/." "$tmp/src" && rm -rf "$tmp/src/releases"
  for p in "${patches[@]}"; do
    patch -s -p1 -d "$tmp/src/sdk-core" <"$p" || { say "$p does not apply to @temporalio/core-bridge $version's sources: a new SDK version needs the patch redone (scripts/core-bridge/README.md)"; exit 1; }
  done
  say "building @temporalio/core-bridge $version with ${#patches[@]} patch(es) (cargo build --release; the first build takes about 10 minutes on 2 cores)..."
  local log="$tmp/build.log"
  # Compiled dependencies stay in one target folder across builds (a changed patch rebuilds only sdk-core and the bridge).
  if ! (cd "$tmp/src" && CARGO_TARGET_DIR="$CACHE/.core-bridge-target" nice -n 10 cargo build --release --locked) >"$log" 2>&1; then
    say "cargo build failed; the end of its output:"
    tail -n 20 "$log" | sed 's/^/  | /' >&2
    exit 1
  fi
  mkdir -p "$(dirname "$dest")"
  cp "$CACHE/.core-bridge-target/release/libtemporal_sdk_typescript_bridge.so" "$dest.tmp"
  mv "$dest.tmp" "$dest"
)

if [ ! -f "$dest" ] && [ "${1:-}" = --if-cached ]; then
  say "no patched SDK core is cached ($id): the prebuilt one stays for now (npm test, or bash scripts/obtain-core-bridge.sh, builds it)"
  exit 1
fi
if [ ! -f "$dest" ]; then
  command -v cargo >/dev/null 2>&1 || {
    say "LOUD: cargo is not installed, so the SDK core stays the prebuilt one, whose full cache can drop workflow tasks (a 10 s stall each; scripts/core-bridge/README.md). Install Rust (rustup or Debian's cargo, 1.94 or newer) and run npm test or npm start again."
    exit 1
  }
  if ! command -v protoc >/dev/null 2>&1; then
    if set_as_root; then
      log=$(install_log protobuf-compiler)
      say "protoc is missing: installing Debian's protobuf-compiler (log: $log)..."
      apt_install protobuf-compiler "$log" || { say "LOUD: apt-get install protobuf-compiler failed (see $log): the SDK core stays the prebuilt one"; exit 1; }
    else
      say "LOUD: protoc is missing and we are not root: run 'sudo apt-get install -y protobuf-compiler'; the SDK core stays the prebuilt one"
      exit 1
    fi
  fi
  build || { say "LOUD: the patched SDK core could not be built: the prebuilt one stays"; exit 1; }
fi

if ! cmp -s "$dest" "$prebuilt"; then
  [ -f "$prebuilt.stock" ] || cp "$prebuilt" "$prebuilt.stock"
  cp "$dest" "$prebuilt.tmp" && mv "$prebuilt.tmp" "$prebuilt"
  say "the SDK core in $prebuilt is now the patched build $id (the prebuilt one is kept as index.node.stock)"
fi
# What the worker compares the loaded binary with (worker/core-bridge.ts).
printf '%s %s\n' "$id" "$(sha256sum "$dest" | cut -d' ' -f1)" >"$(dirname "$prebuilt")/index.node.patched"
say "the SDK core is the patched build $id"
