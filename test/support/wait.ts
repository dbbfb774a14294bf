// Waiting in tests that watch real processes and servers: poll until something holds, bounded in time.

/**
 * Polls `probe` until it gives a value other than undefined, null or false, and returns it; after `timeoutMs`
 * throws "timed out waiting for <what>". A probe that throws ends the wait with its error.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Polls `fn` until `ok` holds or `ms` pass, and returns the last value either way, for the test to assert on. */
export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * Waits until a launcher (`npm start`, `npm run start:cluster`) prints `banner`, polling its output once a second;
 * a launcher that exits first ends the wait with its exit code and everything it printed.
 */
export async function waitForBanner(
  what: string,
  launcher: { name: string; child: { exitCode: number | null }; output: () => string; banner: string },
  timeoutMs: number,
): Promise<void> {
  await waitFor(
    what,
    () =>
      launcher.output().includes(launcher.banner)
        ? true
        : launcher.child.exitCode !== null
          ? Promise.reject(new Error(`${launcher.name} exited ${launcher.child.exitCode}:\n${launcher.output()}`))
          : undefined,
    timeoutMs,
    1000,
  );
}
