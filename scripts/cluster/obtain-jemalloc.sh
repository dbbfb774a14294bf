#!/usr/bin/env bash
# jemalloc for the workers of the production-shaped topology (worker/allocator.ts: worker RSS at rest stays lower
# than with glibc's malloc). Optional: where Debian's libjemalloc2 is missing it is installed when we are root (or may
# sudo); otherwise, or when the install fails, we say so and the workers run with the system's malloc. Prints nothing
# for `eval`: the launcher finds the library itself.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../apt-install.sh"
say() { echo "[jemalloc] $*" >&2; }

# The same paths as JEMALLOC_PATHS in worker/allocator.ts.
for p in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/aarch64-linux-gnu/libjemalloc.so.2 /usr/lib64/libjemalloc.so.2 /usr/lib/libjemalloc.so.2; do
  [ -e "$p" ] && exit 0
done
[ "${JOURNEY_WORKER_ALLOCATOR:-auto}" = system ] && exit 0
if ! set_as_root; then
  say "libjemalloc2 is not installed and we are neither root nor allowed sudo: the workers use the system's malloc ('sudo apt-get install -y libjemalloc2' keeps their memory lower)"
  exit 0
fi
command -v apt-get >/dev/null 2>&1 || { say "no apt-get here: the workers use the system's malloc"; exit 0; }
log=$(install_log jemalloc)
say "installing Debian's libjemalloc2 for the workers (log: $log)..."
if ! apt_install libjemalloc2 "$log"; then
  say "'apt-get install -y libjemalloc2' failed: the workers use the system's malloc. The end of $log:"
  tail -n 5 "$log" | sed 's/^/  | /' >&2
fi
exit 0
