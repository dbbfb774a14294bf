#!/usr/bin/env bash
# Obtains the two Temporal servers this project runs on, on a machine without internet:
#   - the Temporal CLI (dev server with SQLite + web UI), built with `go install`
#   - the Java time-skipping test server, fetched from Maven Central
# Order (DESIGN.md): an env var path → `temporal` on PATH → our cache → build it → (SDK download, left to the SDK).
# Results are cached under $JOURNEY_ENGINE_CACHE (default ~/.cache/journey-engine), built under a temporary
# name and renamed into place only when complete, so a failed build never leaves a half-written binary.
# Progress goes to stderr; stdout gets only `export NAME=value` lines for `eval`.
set -euo pipefail
shopt -s inherit_errexit  # the obtain_* functions run in $(…), which would otherwise drop set -e

CLI_VERSION="${TEMPORAL_CLI_VERSION:-v1.5.1}"        # newest tag whose go.mod has no replace directive
TEST_SERVER_VERSION="${TEMPORAL_TEST_SERVER_VERSION:-1.31.0}"
CACHE="${JOURNEY_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/journey-engine}"
mkdir -p "$CACHE"

say() { echo "[temporal] $*" >&2; }
# build_tmp and go_install_or_exit: a build folder in the cache, and `go install` with its one fallback, as the
# cluster's builds use them.
# shellcheck source=scripts/cluster/go-install.sh
. "$(dirname "${BASH_SOURCE[0]}")/cluster/go-install.sh"
fail_route() { say "route failed: $1"; say "  command: $2"; if [ -n "${3:-}" ]; then sed 's/^/  | /' "$3" | tail -n 15 >&2; fi; return 0; }

# Each obtain_* body (and add_timer_fix) is its own subshell, so build_tmp's traps are scoped to it: the temporary
# build dir goes however the subshell ends (done, `exit 1` on a failed route, Ctrl-C, kill). After a successful rename
# the path no longer exists and the rm is a no-op.

obtain_cli() (
  if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
    [ -x "$TEMPORAL_CLI_PATH" ] || { say "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file; unset it or fix the path"; exit 1; }
    say "Temporal CLI from TEMPORAL_CLI_PATH: $TEMPORAL_CLI_PATH"; echo "$TEMPORAL_CLI_PATH"; return
  fi
  if command -v temporal >/dev/null 2>&1; then
    say "Temporal CLI on PATH: $(command -v temporal)"; command -v temporal; return
  fi
  local dest="$CACHE/temporal-cli-$CLI_VERSION/temporal"
  if [ -x "$dest" ]; then say "Temporal CLI $CLI_VERSION cached: $dest"; echo "$dest"; return; fi

  if ! command -v go >/dev/null 2>&1; then
    say "Go is not installed, so the Temporal CLI cannot be built. Install Go (>= 1.23) or set TEMPORAL_CLI_PATH to a temporal binary."
    exit 1
  fi
  build_tmp temporal-cli
  say "building the Temporal CLI $CLI_VERSION (dev server + UI) with Go; the first build takes a few minutes..."
  go_install_or_exit "the Temporal CLI" "Set TEMPORAL_CLI_PATH to a temporal binary built elsewhere." \
    "github.com/temporalio/cli/cmd/temporal@$CLI_VERSION"
  "$tmp/bin/temporal" --version >&2 || { say "the built binary does not run: $tmp/bin/temporal --version"; exit 1; }
  mkdir -p "$(dirname "$dest")"
  # rm first: mv onto an existing directory (say, a broken earlier attempt) would move into it instead of replacing it
  rm -rf "$dest.partial" "$dest"
  mv -f "$tmp/bin/temporal" "$dest.partial" && mv -f "$dest.partial" "$dest"
  say "Temporal CLI ready: $dest"
  echo "$dest"
)

# A throwaway Maven project whose one dependency is the test server at $TEST_SERVER_VERSION (its jars, or with
# $3 = "<classifier>sources</classifier>" its source jar), for `mvn dependency:copy-dependencies`.
test_server_pom() {
  cat >"$1" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>journey-engine</groupId><artifactId>temporal-test-server-$2</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>$TEST_SERVER_VERSION</version>$3</dependency>
  </dependencies>
</project>
POM
}

obtain_test_server() (
  if [ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ]; then
    [ -x "$TEMPORAL_TEST_SERVER_PATH" ] || { say "TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER_PATH is not executable"; exit 1; }
    say "time-skipping test server from TEMPORAL_TEST_SERVER_PATH"; echo "$TEMPORAL_TEST_SERVER_PATH"; return
  fi
  local dir="$CACHE/temporal-test-server-$TEST_SERVER_VERSION"
  if [ -x "$dir/test-server" ]; then
    say "time-skipping test server $TEST_SERVER_VERSION cached: $dir"
    # A wrapper without the fixes (a cache from before them, or a run stopped between the jar and the wrapper), or
    # with an older set of them (timer-fix.key), gets them (again).
    { grep -qF 'timer-fix.jar' "$dir/test-server" && [ "$(cat "$dir/timer-fix.key" 2>/dev/null)" = "$(timer_fix_key)" ]; } \
      || [ -f "$dir/timer-fix.skipped" ] || add_timer_fix "$dir"
    echo "$dir/test-server"; return
  fi

  command -v java >/dev/null 2>&1 || { say "Java is not installed, so the time-skipping test server cannot run. Install a JDK (>= 11) or set TEMPORAL_TEST_SERVER_PATH."; exit 1; }
  command -v mvn >/dev/null 2>&1 || { say "Maven is not installed, so the time-skipping test server cannot be fetched. Install Maven or set TEMPORAL_TEST_SERVER_PATH."; exit 1; }
  build_tmp temporal-test-server
  test_server_pom "$tmp/pom.xml" fetch ""
  local cmd="mvn -B -q -f $tmp/pom.xml dependency:copy-dependencies -DoutputDirectory=$tmp/lib -DincludeScope=runtime"
  say "fetching the Java time-skipping test server $TEST_SERVER_VERSION from Maven Central..."
  say "  $cmd"
  if ! mvn -B -q -f "$tmp/pom.xml" dependency:copy-dependencies -DoutputDirectory="$tmp/lib" -DincludeScope=runtime >"$tmp/build.log" 2>&1; then
    fail_route "maven" "$cmd" "$tmp/build.log"
    say "no route left to obtain the test server here. Set TEMPORAL_TEST_SERVER_PATH to an executable that starts it as '<path> <port>'."
    exit 1
  fi
  write_test_server_wrapper "$tmp" ""
  rm -f "$tmp/pom.xml" "$tmp/build.log"; chmod 755 "$tmp"
  # rm first: an existing $dir (a broken earlier attempt without test-server) would get $dir.partial nested into it
  rm -rf "$dir.partial" "$dir"
  mv "$tmp" "$dir.partial"; mv "$dir.partial" "$dir"
  say "time-skipping test server ready: $dir"
  add_timer_fix "$dir"
  echo "$dir/test-server"
)

# The wrapper the SDK starts as `<path> <port> <extra args>`; $2 is a jar put before the server's own (or "").
# cli/replay/test-server-cds.ts reads its exec line: keep the two in step.
write_test_server_wrapper() {
  local cp='$here/lib/*'
  [ -n "$2" ] && cp="\$here/$2:$cp"
  local tmp="$1/test-server.$BASHPID.tmp"  # two processes may obtain at once; each renames its own
  cat >"$tmp" <<WRAP
#!/usr/bin/env bash
# Started by the Temporal SDK as \`<path> <port> <extra args>\`.
here="\$(cd "\$(dirname "\$0")" && pwd)"
exec java -Xss4m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$cp" io.temporal.testserver.TestServer "\$@"
WRAP
  chmod +x "$tmp"
  mv -f "$tmp" "$1/test-server"
}

# Two fixes of ours to the test server's timers, compiled from the upstream source jar (io.temporal:temporal-test-server)
# into timer-fix.jar, which the wrapper puts first on the class path:
#  1. Its time-skipping timer keeps a debugging list of lock events that is never trimmed (an UNLOCK entry per
#     released lock, and the LOCK entries released that way stay too), and each timer it fires removes its own entry
#     by scanning that LinkedList from the head: the server's CPU per workflow task grows with every task it has run
#     (bench/README.md, backtest: 41 % of its samples at 150 customers). The fix makes the list a LinkedHashSet (same
#     order, same entries, O(1) removal; LockEvent has identity equality). Upstream: SelfAdvancingTimerImpl.
#  2. It refuses a CancelTimer for a timer that fired while the workflow task was out, and the run never gets another
#     task (test/experiment-population.test.ts hung this way). test-server-patches/cancel-fired-timer.patch does what
#     the real server does: takes the buffered TimerFired back and records TimerCanceled.
# When the first cannot be built (no javac, no source jar, the upstream line changed) the server runs as published and
# timer-fix.skipped says why (remove it to try again); when only the second does not apply, the jar holds the first and
# cancel-fix.skipped says why. timer-fix.key names the set of fixes built, so a changed set is built again. The jar is
# in place before the wrapper names it.
TIMER_FIX_PATCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/test-server-patches/cancel-fired-timer.patch"
timer_fix_key() { { echo "lock-events-linkedhashset"; cat "$TIMER_FIX_PATCH"; } | sha256sum | cut -c1-12; }

add_timer_fix() (
  local dir="$1"
  local file="io/temporal/internal/testservice/SelfAdvancingTimerImpl.java"
  local state="io/temporal/internal/testservice/TestWorkflowMutableStateImpl.java"
  local line='  private final LinkedList<LockEvent> lockEvents = new LinkedList<>();'
  skip() { say "time-skipping timer fix not applied: $1 (the server runs as published, slower on long replays; remove $dir/timer-fix.skipped to try again)"; echo "$1" >"$dir/timer-fix.skipped"; exit 0; }
  command -v javac >/dev/null 2>&1 && command -v jar >/dev/null 2>&1 || skip "no javac/jar (a JDK) on PATH"
  build_tmp temporal-test-server-fix
  test_server_pom "$tmp/pom.xml" sources "<classifier>sources</classifier>"
  say "building the time-skipping timer fixes (scripts/obtain-temporal.sh, add_timer_fix)..."
  mvn -B -q -f "$tmp/pom.xml" dependency:copy-dependencies -DoutputDirectory="$tmp/src-jar" -DexcludeTransitive=true >"$tmp/build.log" 2>&1 \
    || { fail_route "maven (source jar)" "mvn dependency:copy-dependencies (temporal-test-server sources)" "$tmp/build.log"; skip "the source jar could not be fetched"; }
  mkdir -p "$tmp/src" "$tmp/classes"
  (cd "$tmp/src" && jar xf "$tmp"/src-jar/*-sources.jar "$file" "$state") || skip "$file is not in the source jar"
  [ "$(grep -cxF "$line" "$tmp/src/$file")" = 1 ] || skip "the upstream lock-event list changed (no line '${line# *}')"
  sed -i 's/^  private final LinkedList<LockEvent> lockEvents = new LinkedList<>();$/  private final java.util.LinkedHashSet<LockEvent> lockEvents = new java.util.LinkedHashSet<>();/' "$tmp/src/$file"
  local sources=("$tmp/src/$file")
  rm -f "$dir/cancel-fix.skipped"
  if [ -f "$tmp/src/$state" ] && patch -s -p1 -d "$tmp/src" --no-backup-if-mismatch <"$TIMER_FIX_PATCH" >"$tmp/patch.log" 2>&1; then
    sources+=("$tmp/src/$state")
  else
    say "the test server's cancel-of-a-fired-timer fix does not apply to $TEST_SERVER_VERSION; the timer fix goes on without it"
    sed 's/^/  | /' "$tmp/patch.log" | tail -n 5 >&2 || true
    echo "test-server-patches/cancel-fired-timer.patch does not apply to $TEST_SERVER_VERSION" >"$dir/cancel-fix.skipped"
  fi
  javac -nowarn -d "$tmp/classes" -cp "$dir/lib/*" "${sources[@]}" >"$tmp/build.log" 2>&1 \
    || { fail_route "javac" "javac ${sources[*]#"$tmp/src/"}" "$tmp/build.log"; skip "the fix did not compile"; }
  jar cf "$tmp/timer-fix.jar" -C "$tmp/classes" . || skip "jar failed"
  mv -f "$tmp/timer-fix.jar" "$dir/timer-fix.jar"
  timer_fix_key >"$dir/timer-fix.key"
  write_test_server_wrapper "$dir" "timer-fix.jar"
  say "time-skipping timer fixes applied: $dir/timer-fix.jar"
)

what="${1:-all}"
case "$what" in
  cli) cli=$(obtain_cli); echo "export TEMPORAL_CLI_PATH='$cli'" ;;
  test-server) ts=$(obtain_test_server); echo "export TEMPORAL_TEST_SERVER_PATH='$ts'" ;;
  all) cli=$(obtain_cli); ts=$(obtain_test_server)
       echo "export TEMPORAL_CLI_PATH='$cli'"; echo "export TEMPORAL_TEST_SERVER_PATH='$ts'" ;;
  *) echo "usage: obtain-temporal.sh [cli|test-server|all]" >&2; exit 2 ;;
esac
