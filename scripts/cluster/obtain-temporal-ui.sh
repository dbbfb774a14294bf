#!/usr/bin/env bash
# Obtains the Temporal Web UI server for `npm run start:cluster`: github.com/temporalio/ui-server at the version the
# dev server embeds (the CLI v1.5.1 carries ui-server v2.42.1, so both topologies show operators the same UI). The
# module holds the built web app (ui/assets, embedded at build time), so `go install` from the Go module proxy gives
# the whole UI in one binary; its go.mod has no replace directive.
# Order, as obtain-temporal-server.sh: TEMPORAL_UI_SERVER_PATH → our cache → build. Cached under $JOURNEY_ENGINE_CACHE
# (default ~/.cache/journey-engine), built under a temporary name and renamed into place only when complete. Progress
# goes to stderr; stdout gets only the `export` line for `eval`.
set -euo pipefail

UI_VERSION="${TEMPORAL_UI_SERVER_VERSION:-v2.42.1}"
CACHE="${JOURNEY_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/journey-engine}"
say() { echo "[temporal-ui] $*" >&2; }
# shellcheck source=scripts/cluster/go-install.sh
. "$(dirname "${BASH_SOURCE[0]}")/go-install.sh"

if [ -n "${TEMPORAL_UI_SERVER_PATH:-}" ]; then
  [ -x "$TEMPORAL_UI_SERVER_PATH" ] || { say "TEMPORAL_UI_SERVER_PATH=$TEMPORAL_UI_SERVER_PATH is not an executable file"; exit 1; }
  say "Temporal UI server from TEMPORAL_UI_SERVER_PATH"
else
  dir="$CACHE/temporal-ui-server-$UI_VERSION"
  if [ -x "$dir/temporal-ui-server" ]; then
    say "Temporal UI server $UI_VERSION cached: $dir"
  else
    command -v go >/dev/null 2>&1 || {
      say "Go is not installed, so the Temporal UI server cannot be built. Install Go (>= 1.24), or set TEMPORAL_UI_SERVER_PATH."
      exit 1
    }
    build_tmp temporal-ui
    say "building the Temporal UI server $UI_VERSION with Go (a minute or two on 2 cores the first time)..."
    go_install_or_exit "the Temporal UI server" "Set TEMPORAL_UI_SERVER_PATH." "github.com/temporalio/ui-server/v2/cmd/server@$UI_VERSION"
    mkdir -p "$tmp/out"
    mv "$tmp/bin/server" "$tmp/out/temporal-ui-server"
    "$tmp/out/temporal-ui-server" --version >/dev/null 2>&1 || { say "the built UI server does not run"; exit 1; }
    rm -rf "$dir.partial" "$dir"
    mv "$tmp/out" "$dir.partial" && mv "$dir.partial" "$dir"
    say "Temporal UI server ready: $dir"
  fi
  TEMPORAL_UI_SERVER_PATH="$dir/temporal-ui-server"
fi
echo "export TEMPORAL_UI_SERVER_PATH='$TEMPORAL_UI_SERVER_PATH'"
