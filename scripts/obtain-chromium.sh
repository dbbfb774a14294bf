#!/usr/bin/env bash
# The browser test drives the Temporal UI in Debian's Chromium (/usr/bin/chromium) through playwright-core.
# We never download a browser: when it is missing we install Debian's package (as root or with sudo),
# otherwise we say what to run. Prints JOURNEY_CHROMIUM_PATH for `eval`.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
path="${JOURNEY_CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$path" ]; then
  echo "export JOURNEY_CHROMIUM_PATH='$path'"
  exit 0
fi
if ! set_as_root; then
  echo "[chromium] $path is missing and we are neither root nor allowed sudo: run 'sudo apt-get install -y chromium' (the browser test needs it)" >&2
  exit 1
fi
# apt's progress lines go to a log file; its last lines are shown when it fails.
log=$(install_log chromium)
echo "[chromium] $path is missing: installing Debian's chromium package (apt-get update && apt-get install -y chromium; log: $log)..." >&2
if ! apt_install chromium "$log"; then
  echo "[chromium] 'apt-get install -y chromium' failed: the browser test cannot run. The end of $log:" >&2
  tail -n 15 "$log" | sed 's/^/  | /' >&2
  exit 1
fi
[ -x /usr/bin/chromium ] || { echo "[chromium] apt-get finished but /usr/bin/chromium is still missing" >&2; exit 1; }
echo "[chromium] installed $(/usr/bin/chromium --version 2>/dev/null)" >&2
echo "export JOURNEY_CHROMIUM_PATH='/usr/bin/chromium'"
