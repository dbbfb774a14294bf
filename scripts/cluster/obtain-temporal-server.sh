#!/usr/bin/env bash
# Obtains the production-shaped Temporal server for `npm run start:cluster`: the server binary and its SQL schema
# tool, built from go.temporal.io/server at the version the dev server carries (the CLI v1.5.1 embeds server 1.29.1;
# the server's go.mod has no replace directive, so `go install` works from the Go module proxy), and the PostgreSQL
# schema files of that version (they ship in the module, not in the binaries).
# Order, as scripts/obtain-temporal.sh: env vars (TEMPORAL_SERVER_PATH, TEMPORAL_SQL_TOOL_PATH, TEMPORAL_SCHEMA_DIR)
# → our cache → build. Cached under $JOURNEY_ENGINE_CACHE (default ~/.cache/journey-engine), built under a temporary
# name and renamed into place only when complete. Progress goes to stderr; stdout gets only `export` lines for `eval`.
set -euo pipefail

SERVER_VERSION="${TEMPORAL_SERVER_VERSION:-v1.29.1}"
CACHE="${JOURNEY_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/journey-engine}"
say() { echo "[temporal-server] $*" >&2; }

if [ -n "${TEMPORAL_SERVER_PATH:-}" ] && [ -n "${TEMPORAL_SQL_TOOL_PATH:-}" ] && [ -n "${TEMPORAL_SCHEMA_DIR:-}" ]; then
  for f in "$TEMPORAL_SERVER_PATH" "$TEMPORAL_SQL_TOOL_PATH"; do [ -x "$f" ] || { say "$f is not an executable file"; exit 1; }; done
  [ -f "$TEMPORAL_SCHEMA_DIR/temporal/schema.sql" ] || { say "TEMPORAL_SCHEMA_DIR=$TEMPORAL_SCHEMA_DIR has no temporal/schema.sql"; exit 1; }
  say "Temporal server, SQL tool and schema from TEMPORAL_SERVER_PATH / TEMPORAL_SQL_TOOL_PATH / TEMPORAL_SCHEMA_DIR"
else
  dir="$CACHE/temporal-server-$SERVER_VERSION"
  if [ -x "$dir/temporal-server" ] && [ -x "$dir/temporal-sql-tool" ] && [ -f "$dir/schema/postgresql/v12/temporal/schema.sql" ]; then
    say "Temporal server $SERVER_VERSION cached: $dir"
  else
    command -v go >/dev/null 2>&1 || {
      say "Go is not installed, so the Temporal server cannot be built. Install Go (>= 1.23), or set TEMPORAL_SERVER_PATH, TEMPORAL_SQL_TOOL_PATH and TEMPORAL_SCHEMA_DIR."
      exit 1
    }
    mkdir -p "$CACHE"
    tmp=$(mktemp -d "$CACHE/.temporal-server-build.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    trap 'say "interrupted: removing $tmp"; exit 130' INT
    trap 'say "terminated: removing $tmp"; exit 143' TERM
    pkgs=("go.temporal.io/server/cmd/server@$SERVER_VERSION" "go.temporal.io/server/cmd/tools/sql@$SERVER_VERSION")
    say "building the Temporal server $SERVER_VERSION and its SQL tool with Go; the first build takes several minutes on 2 cores..."
    say "  GOTOOLCHAIN=local GOBIN=$tmp/bin go install ${pkgs[*]}"
    build() { GOTOOLCHAIN=local GOBIN="$tmp/bin" go install "${pkgs[@]}" >"$tmp/build.log" 2>&1; }
    if ! build; then
      say "go install failed:"; tail -n 15 "$tmp/build.log" | sed 's/^/  | /' >&2
      say "retrying with GOSUMDB=off (the checksum database may be unreachable; module hashes are then not verified against it)"
      if ! GOSUMDB=off build; then
        tail -n 15 "$tmp/build.log" | sed 's/^/  | /' >&2
        say "no route left to build the Temporal server here. Set TEMPORAL_SERVER_PATH, TEMPORAL_SQL_TOOL_PATH and TEMPORAL_SCHEMA_DIR."
        exit 1
      fi
    fi
    # The schema files are in the module's source, which go install left in the module cache.
    moddir=$(GOTOOLCHAIN=local GOFLAGS=-mod=mod go mod download -json "go.temporal.io/server@$SERVER_VERSION" 2>/dev/null |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [ -f "$moddir/schema/postgresql/v12/temporal/schema.sql" ] || { say "no PostgreSQL schema in the module at '$moddir'"; exit 1; }
    mkdir -p "$tmp/out/schema"
    cp -R "$moddir/schema/postgresql" "$tmp/out/schema/"
    chmod -R u+w "$tmp/out/schema"
    mv "$tmp/bin/server" "$tmp/out/temporal-server"
    mv "$tmp/bin/sql" "$tmp/out/temporal-sql-tool"
    "$tmp/out/temporal-server" --version >&2 || { say "the built server does not run"; exit 1; }
    rm -rf "$dir.partial" "$dir"
    mv "$tmp/out" "$dir.partial" && mv "$dir.partial" "$dir"
    say "Temporal server ready: $dir"
  fi
  TEMPORAL_SERVER_PATH="$dir/temporal-server"
  TEMPORAL_SQL_TOOL_PATH="$dir/temporal-sql-tool"
  TEMPORAL_SCHEMA_DIR="$dir/schema/postgresql/v12"
fi
echo "export TEMPORAL_SERVER_PATH='$TEMPORAL_SERVER_PATH'"
echo "export TEMPORAL_SQL_TOOL_PATH='$TEMPORAL_SQL_TOOL_PATH'"
echo "export TEMPORAL_SCHEMA_DIR='$TEMPORAL_SCHEMA_DIR'"
