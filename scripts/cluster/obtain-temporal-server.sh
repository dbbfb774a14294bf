#!/usr/bin/env bash
# Obtains the production-shaped Temporal server for `npm run start:cluster`: the server binary and its SQL schema
# tool, built from go.temporal.io/server at the version the dev server carries (the CLI v1.5.1 embeds server 1.29.1),
# with our patches applied (scripts/cluster/temporal-server-patches: each fixes one server bug and adds the Go test
# that shows it; the build runs those tests first), and the PostgreSQL schema files of that version (they ship in the
# module, not in the binaries). The module's source comes from the Go module proxy; its go.mod has no replace
# directive, so it builds as its own main module.
# Order, as scripts/obtain-temporal.sh: env vars (TEMPORAL_SERVER_PATH, TEMPORAL_SQL_TOOL_PATH, TEMPORAL_SCHEMA_DIR)
# → our cache → build. Cached under $JOURNEY_ENGINE_CACHE (default ~/.cache/journey-engine), built under a temporary
# name and renamed into place only when complete. Progress goes to stderr; stdout gets only `export` lines for `eval`.
# `--patch-key` prints only the key a patched build's folder ends with (`-patched-<key>`, from the patches' content;
# empty when no patch applies) and builds nothing: test/temporal-server-patches.test.ts checks the server against it.
set -euo pipefail

SERVER_VERSION="${TEMPORAL_SERVER_VERSION:-v1.29.1}"
CACHE="${JOURNEY_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/journey-engine}"
PATCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/temporal-server-patches"
# The patches are made against this version; another TEMPORAL_SERVER_VERSION builds without them, and says so.
PATCHED_VERSION=v1.29.1
# The Go tests the patches add, "<package> <go test -run pattern>" each: run in the patched source before the server
# is built from it.
PATCH_TESTS=(
  "./service/matching TestMatchingEngine_.*_Suite/Test.*StartCommittedAfterAttemptDeadline"
  "./common/authorization TestTLSSubjectClaimMapper_"
)
say() { echo "[temporal-server] $*" >&2; }
# shellcheck source=scripts/cluster/go-install.sh
. "$(dirname "${BASH_SOURCE[0]}")/go-install.sh"

patches=()
if [ "$SERVER_VERSION" = "$PATCHED_VERSION" ]; then
  patches=("$PATCH_DIR"/*.patch)
  [ -e "${patches[0]}" ] || patches=()
fi

# Keyed by the patches' content, so a changed patch builds anew beside the old build.
patch_key=""
[ "${#patches[@]}" -eq 0 ] || patch_key=$(cat "${patches[@]}" | sha256sum | cut -c1-12)
if [ "${1:-}" = --patch-key ]; then
  echo "$patch_key"
  exit 0
fi

if [ -n "${TEMPORAL_SERVER_PATH:-}" ] && [ -n "${TEMPORAL_SQL_TOOL_PATH:-}" ] && [ -n "${TEMPORAL_SCHEMA_DIR:-}" ]; then
  for f in "$TEMPORAL_SERVER_PATH" "$TEMPORAL_SQL_TOOL_PATH"; do [ -x "$f" ] || { say "$f is not an executable file"; exit 1; }; done
  [ -f "$TEMPORAL_SCHEMA_DIR/temporal/schema.sql" ] || { say "TEMPORAL_SCHEMA_DIR=$TEMPORAL_SCHEMA_DIR has no temporal/schema.sql"; exit 1; }
  say "Temporal server, SQL tool and schema from TEMPORAL_SERVER_PATH / TEMPORAL_SQL_TOOL_PATH / TEMPORAL_SCHEMA_DIR"
else
  dir="$CACHE/temporal-server-$SERVER_VERSION"
  [ -z "$patch_key" ] || dir="$dir-patched-$patch_key"
  if [ -x "$dir/temporal-server" ] && [ -x "$dir/temporal-sql-tool" ] && [ -f "$dir/schema/postgresql/v12/temporal/schema.sql" ]; then
    say "Temporal server $SERVER_VERSION cached: $dir"
  else
    command -v go >/dev/null 2>&1 || {
      say "Go is not installed, so the Temporal server cannot be built. Install Go (>= 1.23), or set TEMPORAL_SERVER_PATH, TEMPORAL_SQL_TOOL_PATH and TEMPORAL_SCHEMA_DIR."
      exit 1
    }
    build_tmp temporal-server
    # With patches the server is built from a patched copy of the module's source (below), so go install builds only
    # the SQL tool: it fetches the module and nearly every dependency the server needs, and compiles the packages the
    # two share into Go's build cache, where the patched build finds them.
    pkgs=("go.temporal.io/server/cmd/tools/sql@$SERVER_VERSION")
    [ -n "$patch_key" ] || pkgs=("go.temporal.io/server/cmd/server@$SERVER_VERSION" "${pkgs[@]}")
    say "building the Temporal server $SERVER_VERSION and its SQL tool with Go; the first build takes several minutes on 2 cores..."
    go_install_or_exit "the Temporal server" "Set TEMPORAL_SERVER_PATH, TEMPORAL_SQL_TOOL_PATH and TEMPORAL_SCHEMA_DIR." "${pkgs[@]}"
    # The schema files are in the module's source, which go install left in the module cache.
    moddir=$(GOTOOLCHAIN=local GOFLAGS=-mod=mod go mod download -json "go.temporal.io/server@$SERVER_VERSION" 2>/dev/null |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [ -f "$moddir/schema/postgresql/v12/temporal/schema.sql" ] || { say "no PostgreSQL schema in the module at '$moddir'"; exit 1; }
    mkdir -p "$tmp/out/schema"
    cp -R "$moddir/schema/postgresql" "$tmp/out/schema/"
    chmod -R u+w "$tmp/out/schema"
    mv "$tmp/bin/sql" "$tmp/out/temporal-sql-tool"
    if [ -n "$patch_key" ]; then
      # The server from a patched copy of the module's source; go test and go build fetch what go install did not.
      cp -R "$moddir" "$tmp/src" && chmod -R u+w "$tmp/src"
      for p in "${patches[@]}"; do
        say "applying $(basename "$p")"
        patch -d "$tmp/src" -p1 --batch --forward --quiet <"$p" >&2 || { say "$(basename "$p") does not apply to $SERVER_VERSION"; exit 1; }
        basename "$p" >>"$tmp/out/PATCHES"
      done
      : >"$tmp/out/patch-tests.log"
      for t in "${PATCH_TESTS[@]}"; do
        pkg=${t%% *} run=${t#* }
        say "running the patches' tests: go test $pkg -run '$run' (about a minute)"
        if ! (cd "$tmp/src" && GOTOOLCHAIN=local go test "$pkg" -run "$run" -count=1 -v) >>"$tmp/out/patch-tests.log" 2>&1; then
          grep -E -- '--- FAIL|Error:|Messages:|^FAIL' "$tmp/out/patch-tests.log" | head -n 20 | sed 's/^/  | /' >&2
          say "the patched server fails its patches' tests; not building it"
          exit 1
        fi
      done
      grep -E -- '^ *--- PASS' "$tmp/out/patch-tests.log" | sed 's/^/  | /' >&2
      say "building the patched server: go build ./cmd/server"
      (cd "$tmp/src" && GOTOOLCHAIN=local go build -o "$tmp/out/temporal-server" ./cmd/server) >"$tmp/build.log" 2>&1 || {
        tail -n 15 "$tmp/build.log" | sed 's/^/  | /' >&2; say "the patched server does not build"; exit 1
      }
    else
      [ "$SERVER_VERSION" = "$PATCHED_VERSION" ] || say "TEMPORAL_SERVER_VERSION=$SERVER_VERSION: our patches are for $PATCHED_VERSION, so this server is built without them"
      mv "$tmp/bin/server" "$tmp/out/temporal-server"
    fi
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
