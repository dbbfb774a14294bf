// Timing helpers of bench/pages.ts: rows timed back to back or paced (Poisson arrivals), with the bench process's CPU
// (the API answers in it) and the load average, and the table with a goal line per row.
import { loadavg } from 'node:os';
import { Rng } from '../test/fuzz-values.ts';

export const LIMIT_MS = 50;

export interface Row {
  name: string;
  latencies: number[];
  baseline?: string;
  /** CPU time of this process (user + system) per request while the row ran, ms. */
  cpuMsPerRequest?: number;
  /** The 1-minute load average when the row ended. */
  load?: number;
  /** How the requests arrived: back to back, or paced (e.g. "Poisson, mean 1000 ms apart"). */
  arrivals?: string;
}

export const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function withCpu(run: () => Promise<number[]>): Promise<{ latencies: number[]; cpuMsPerRequest: number; load: number }> {
  const cpu0 = process.cpuUsage();
  return run().then((latencies) => {
    const cpu = process.cpuUsage(cpu0);
    return { latencies, cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / latencies.length, load: loadavg()[0] };
  });
}

/** n requests one after the other (each starts when the previous ended): latency at the path's own pace. */
export function timed(n: number, one: (i: number) => Promise<void>) {
  return withCpu(async () => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await one(i);
      out.push(performance.now() - t0);
    }
    return out.sort((a, b) => a - b);
  });
}

/**
 * Two paths sharing one Poisson arrival process: arrivals alternate a, b, a, b… (n of each, the combined mean gap
 * `meanGapMs / 2`, so each path still sees a request every `meanGapMs` on average), open loop. Both see the same
 * server, worker and machine at the same moments, which two rows run one after the other do not: the second row
 * meets whatever work the first one left behind. The CPU per request is not split between them (undefined).
 */
export async function timedPacedPair(
  n: number,
  meanGapMs: number,
  seed: number,
  a: (i: number) => Promise<void>,
  b: (i: number) => Promise<void>,
): Promise<[{ latencies: number[]; load: number }, { latencies: number[]; load: number }]> {
  const rng = new Rng(seed);
  const out: [number[], number[]] = [[], []];
  const pending: Promise<void>[] = [];
  let at = performance.now();
  for (let k = 0; k < 2 * n; k++) {
    at += -Math.log(1 - rng.next()) * (meanGapMs / 2);
    const wait = at - performance.now();
    if (wait > 0) await sleep(wait);
    const side = k % 2;
    const i = Math.floor(k / 2);
    pending.push(
      (async () => {
        const t0 = performance.now();
        await (side === 0 ? a : b)(i);
        out[side].push(performance.now() - t0);
      })(),
    );
  }
  await Promise.all(pending);
  const load = loadavg()[0];
  return [
    { latencies: out[0].sort((x, y) => x - y), load },
    { latencies: out[1].sort((x, y) => x - y), load },
  ];
}

const fmt = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(1));

export function printRows(rows: Row[]): void {
  console.log(
    `\n${'path'.padEnd(40)} ${'n'.padStart(4)} ${'p50 ms'.padStart(7)} ${'p95 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)} ${'>50ms'.padStart(5)} ${'cpu/req'.padStart(7)} ${'load'.padStart(5)}  ratio p50 (p95) vs baseline`,
  );
  for (const r of rows) {
    const b = rows.find((x) => x.name === r.baseline);
    const ratio = b
      ? `${(pct(r.latencies, 0.5) / pct(b.latencies, 0.5)).toFixed(2)}x (${(pct(r.latencies, 0.95) / pct(b.latencies, 0.95)).toFixed(2)}x) vs ${b.name}`
      : '';
    const over = r.latencies.filter((l) => l > LIMIT_MS).length;
    console.log(
      `${r.name.padEnd(40)} ${String(r.latencies.length).padStart(4)} ${fmt(pct(r.latencies, 0.5)).padStart(7)} ${fmt(pct(r.latencies, 0.95)).padStart(7)} ${fmt(pct(r.latencies, 0.99)).padStart(7)} ${fmt(r.latencies.at(-1)).padStart(7)} ${String(over).padStart(5)} ${fmt(r.cpuMsPerRequest).padStart(7)} ${fmt(r.load).padStart(5)}  ${ratio}`,
    );
  }
  console.log('\ngoal: no request over 50 ms (issue 19), per row:');
  for (const r of rows) {
    const over = r.latencies.filter((l) => l > LIMIT_MS).length;
    const arrivals = r.arrivals ? `, ${r.arrivals}` : '';
    console.log(
      `  ${over === 0 ? 'MET    ' : 'NOT MET'} ${r.name}: ${over} of ${r.latencies.length} over 50 ms (max ${fmt(r.latencies.at(-1))} ms${arrivals})`,
    );
  }
}
