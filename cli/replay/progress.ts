// A progress bar on stderr for long replays: redrawn in place on a terminal, a line per 10% otherwise (CI logs).
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): { update(fraction: number): void; done(): void } {
  const started = Date.now();
  let lastTenth = -1;
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  return {
    update(fraction) {
      const pct = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
      if (stream.isTTY) {
        const filled = Math.round(pct / 4);
        stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(25 - filled)}] ${String(pct).padStart(3)}%  ${elapsed()}`);
      } else if (Math.floor(pct / 10) > lastTenth) {
        lastTenth = Math.floor(pct / 10);
        stream.write(`${label} ${pct}% of simulated time, ${elapsed()}\n`);
      }
    },
    done() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}

/** The earliest occurredAt (ms) among the customers' events, or undefined when there are none. */
export function firstEventMs(customers: Map<string, { occurredAt: string }[]>): number | undefined {
  let first: number | undefined;
  for (const events of customers.values())
    for (const e of events) {
      const at = Date.parse(e.occurredAt);
      if (first === undefined || at < first) first = at;
    }
  return first;
}

/**
 * The fraction of the replayed history done at server time `nowMs`: 0 until the history's first event, 1 at its end.
 * A backtest replays a history whole years (weeks) later than recorded, so that weekdays and seasons match, which
 * leaves up to a year of empty server time before the first event; the server skips it in a second or two. Counted
 * from the server's start instead, the bar showed 70 % before the first event was delivered and then seemed to crawl
 * (the quiet 1,000-customer run of bench/README.md: "70 % at 24 s, 100 % at 218 s" was the whole history in 194 s).
 */
export function simulatedProgress(nowMs: number, window: { startMs: number; untilMs: number }): number {
  return Math.min(1, Math.max(0, (nowMs - window.startMs) / Math.max(1, window.untilMs - window.startMs)));
}
