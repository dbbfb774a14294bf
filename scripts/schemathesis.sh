#!/usr/bin/env bash
# Property-based API test: schemathesis (from PyPI, in a venv cached under ~/.cache/journey-engine) generates requests
# from the API's own OpenAPI document and fails on any 5xx.
#   scripts/schemathesis.sh <base-url> <api-key> [extra schemathesis args...]
#   scripts/schemathesis.sh --install-only
set -euo pipefail
VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
VENV="${JOURNEY_ENGINE_CACHE:-${JOURNEY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/journey-engine}}/schemathesis-$VERSION" # the same cache as obtain-temporal.sh

say() { echo "[schemathesis] $*" >&2; }

if ! command -v python3 >/dev/null; then say "python3 is not installed: cannot run schemathesis"; exit 3; fi
if [ ! -x "$VENV/bin/schemathesis" ]; then
  say "installing schemathesis $VERSION into $VENV (first run only)..."
  tmp="$VENV.tmp.$$"
  rm -rf "$tmp"
  python3 -m venv "$tmp" || { say "python3 -m venv failed (Debian: apt-get install python3-venv)"; exit 3; }
  "$tmp/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$VERSION" || { say "pip install schemathesis==$VERSION failed"; rm -rf "$tmp"; exit 3; }
  rm -rf "$VENV"
  mv "$tmp" "$VENV" # built under a temporary name, renamed only when complete
  # venv scripts carry their absolute path in the shebang: fix it after the rename
  sed -i "1s|$tmp|$VENV|" "$VENV"/bin/schemathesis "$VENV"/bin/st 2>/dev/null || true
fi
[ "${1:-}" = "--install-only" ] && { echo "$VENV/bin/schemathesis"; exit 0; }

BASE="${1:?usage: scripts/schemathesis.sh <base-url> <api-key> [args...]}"
KEY="${2:?usage: scripts/schemathesis.sh <base-url> <api-key> [args...]}"
shift 2
cd "$(mktemp -d)" # schemathesis keeps a .schemathesis/ folder in the working directory
say "running against $BASE (OpenAPI from $BASE/openapi.json), failing on any 5xx..."
exec "$VENV/bin/python" -m schemathesis.cli run "$BASE/openapi.json" --url "$BASE" \
  --header "Authorization: Bearer $KEY" \
  --checks not_a_server_error \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-25}" \
  --seed "${SCHEMATHESIS_SEED:-7}" \
  --no-color "$@"
