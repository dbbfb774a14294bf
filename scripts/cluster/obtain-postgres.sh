#!/usr/bin/env bash
# PostgreSQL for the production-shaped topology (`npm run start:cluster`, test/cluster.test.ts): Debian's
# `postgresql` package, whose binaries (initdb, pg_ctl, postgres, psql) we run as a private cluster under the data
# folder, never as the system service. Like scripts/obtain-chromium.sh, a missing package is installed when we are
# root (or may sudo), otherwise we say what to run. Prints JOURNEY_PG_BIN (the folder of pg_ctl) for `eval`.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../apt-install.sh"
say() { echo "[postgres] $*" >&2; }

find_bin() {
  if [ -n "${JOURNEY_PG_BIN:-}" ]; then
    [ -x "$JOURNEY_PG_BIN/pg_ctl" ] && [ -x "$JOURNEY_PG_BIN/initdb" ] && { echo "$JOURNEY_PG_BIN"; return 0; }
    say "JOURNEY_PG_BIN=$JOURNEY_PG_BIN has no pg_ctl / initdb"; return 1
  fi
  # Debian keeps each major version's server binaries under /usr/lib/postgresql/<major>/bin: take the newest.
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$d" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1 && { dirname "$(command -v pg_ctl)"; return 0; }
  return 1
}

if bin=$(find_bin); then
  echo "export JOURNEY_PG_BIN='$bin'"
  exit 0
fi
[ -z "${JOURNEY_PG_BIN:-}" ] || exit 1
if ! set_as_root; then
  say "PostgreSQL is not installed and we are neither root nor allowed sudo: run 'sudo apt-get install -y postgresql' (the cluster topology needs it)"
  exit 1
fi
log=$(install_log postgresql)
say "PostgreSQL is missing: installing Debian's postgresql package (apt-get update && apt-get install -y postgresql; log: $log)..."
# policy-rc.d exit 101 keeps the package from starting the system service: we run our own private cluster.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null && "${as_root[@]}" chmod 755 "$policy" && made_policy=1
fi
ok=1
apt_install postgresql "$log" || ok=0
[ "$made_policy" = 1 ] && "${as_root[@]}" rm -f "$policy"
if [ "$ok" = 0 ]; then
  say "'apt-get install -y postgresql' failed: the cluster topology cannot run. The end of $log:"
  tail -n 15 "$log" | sed 's/^/  | /' >&2
  exit 1
fi
bin=$(find_bin) || { say "apt-get finished but no pg_ctl was found under /usr/lib/postgresql/*/bin"; exit 1; }
say "installed PostgreSQL $("$bin/postgres" --version 2>/dev/null | awk '{print $NF}') ($bin)"
echo "export JOURNEY_PG_BIN='$bin'"
