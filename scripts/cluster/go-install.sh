# Sourced by scripts/obtain-temporal.sh (the CLI and the test server), obtain-temporal-server.sh and
# obtain-temporal-ui.sh: a build folder in the cache and `go install` with its one fallback. Needs `say` and $CACHE
# from the sourcing script.

# build_tmp NAME (any build, Go's or Maven's): sets $tmp to a new folder $CACHE/.NAME-build.XXXXXX, removed however the
# script (or the subshell it runs in) ends: done, a failed route, Ctrl-C, kill. What is built is renamed out of it into
# place only when complete.
build_tmp() {
  mkdir -p "$CACHE"
  tmp=$(mktemp -d "$CACHE/.$1-build.XXXXXX")
  # The traps name the folder by a variable of their own: a function's `local tmp` (obtain-temporal.sh has one) may
  # be in scope when they run.
  BUILD_TMP=$tmp
  trap 'rm -rf "$BUILD_TMP"' EXIT
  trap 'say "interrupted: removing the temporary build dir $BUILD_TMP"; exit 130' INT
  trap 'say "terminated: removing the temporary build dir $BUILD_TMP"; exit 143' TERM
}

# go_install_or_exit WHAT REMEDY PKG...: `go install PKG...` into $tmp/bin (log in $tmp/build.log); when it fails,
# once more with GOSUMDB=off (the checksum database may be unreachable); when that fails too, says so with REMEDY
# and exits 1.
go_install_or_exit() {
  local what=$1 remedy=$2
  shift 2
  say "  GOTOOLCHAIN=local GOBIN=$tmp/bin go install $*"
  build() { GOTOOLCHAIN=local GOBIN="$tmp/bin" go install "$@" >"$tmp/build.log" 2>&1; }
  if ! build "$@"; then
    say "go install failed:"; tail -n 15 "$tmp/build.log" | sed 's/^/  | /' >&2
    say "retrying with GOSUMDB=off (the checksum database may be unreachable; module hashes are then not verified against it)"
    if ! GOSUMDB=off build "$@"; then
      tail -n 15 "$tmp/build.log" | sed 's/^/  | /' >&2
      say "no route left to build $what here. $remedy"
      exit 1
    fi
  fi
}
