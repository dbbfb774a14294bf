// Benchmark: what the dev server's options cost its one SQLite connection. The same N signalWithStart calls (C at
// once, each with the three search attributes the API sets on a journey run) against an in-memory dev server started
// by scripts/dev-server.ts twice: with the CLI's own dynamic config (raw) and with DEV_SERVER_DYNAMIC_CONFIG (ours).
// Prints calls per second and the server's persistence operations per call, read from its Prometheus metrics: every
// operation waits its turn on that one connection, which is what bounded bench/scale.ts. Rounds alternate, so a slow
// spell of the machine falls on both.
// Run: eval "$(bash scripts/obtain-temporal.sh cli)" && node --import tsx bench/dev-server.ts [N] [C] [ROUNDS]
//      (or BENCH_DEV_SERVER_N, _C, _ROUNDS; defaults 2000, 16, 2)
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DEV_SERVER_DYNAMIC_CONFIG, freePort, persistenceRequests, startDevServer } from '../scripts/dev-server.ts';
import { CustomerId, JourneyId, JourneyVersion } from '../workflows/contract/index.ts';

const arg = (i: number, env: string, dflt: number, max: number) =>
  Math.max(1, Math.min(max, Math.floor(Number(process.argv[2 + i] ?? process.env[env] ?? dflt)) || dflt));
const N = arg(0, 'BENCH_DEV_SERVER_N', 2000, 20_000);
const C = arg(1, 'BENCH_DEV_SERVER_C', 16, 128);
const ROUNDS = arg(2, 'BENCH_DEV_SERVER_ROUNDS', 2, 5);

const cliPath = process.env.TEMPORAL_CLI_PATH;
if (!cliPath) {
  console.error('TEMPORAL_CLI_PATH is not set: run  eval "$(bash scripts/obtain-temporal.sh cli)"  first');
  process.exit(2);
}

interface Result {
  perSecond: number;
  opsPerCall: number;
  byOp: [string, number][];
}

async function round(dynamicConfig: readonly string[]): Promise<Result> {
  const metricsPort = await freePort();
  const server = await startDevServer({ cliPath: cliPath!, port: await freePort(), uiPort: await freePort(), metricsPort, dynamicConfig });
  const connection = await Connection.connect({ address: server.address });
  try {
    const client = new Client({ connection });
    const tag = randomUUID().slice(0, 8);
    // One warm-up call, so the namespace and search-attribute caches are filled on both sides.
    await client.workflow.signalWithStart('devServerBench', {
      taskQueue: `${tag}-nobody`,
      workflowId: `${tag}-warm`,
      signal: 's',
      signalArgs: [],
    });
    const before = await persistenceRequests(metricsPort);
    const t0 = performance.now();
    let next = 0;
    const lane = async () => {
      while (next < N) {
        const i = next++;
        await client.workflow.signalWithStart('devServerBench', {
          taskQueue: `${tag}-nobody`,
          workflowId: `${tag}-${i}`,
          signal: 's',
          signalArgs: [i],
          typedSearchAttributes: [
            { key: JourneyId, value: 'bench' },
            { key: JourneyVersion, value: '1' },
            { key: CustomerId, value: `${tag}-${i}` },
          ],
        });
      }
    };
    await Promise.all(Array.from({ length: C }, lane));
    const seconds = (performance.now() - t0) / 1000;
    // The counters show each call once the server has reported it: wait (bounded) until every start is counted.
    let after = await persistenceRequests(metricsPort);
    for (let i = 0; i < 50 && (after.get('CreateWorkflowExecution') ?? 0) - (before.get('CreateWorkflowExecution') ?? 0) < N; i++) {
      await new Promise((r) => setTimeout(r, 200));
      after = await persistenceRequests(metricsPort);
    }
    const byOp = [...after]
      .map(([op, v]) => [op, (v - (before.get(op) ?? 0)) / N] as [string, number])
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1]);
    return { perSecond: N / seconds, opsPerCall: byOp.reduce((s, [, v]) => s + v, 0), byOp };
  } finally {
    await connection.close();
    await server.stop();
  }
}

const sides = [
  { name: 'raw: the CLI dev server, its defaults', config: [] as string[] },
  { name: `ours: ${DEV_SERVER_DYNAMIC_CONFIG.join(' ')}`, config: DEV_SERVER_DYNAMIC_CONFIG },
];
const results: Result[][] = [[], []];
console.log(`${N} signalWithStart with 3 search attributes, ${C} at once, ${ROUNDS} round(s) per side, in-memory dev servers`);
for (let r = 0; r < ROUNDS; r++) {
  for (const [i, side] of sides.entries()) {
    const res = await round(side.config);
    results[i].push(res);
    const top = res.byOp
      .slice(0, 6)
      .map(([op, v]) => `${op} ${v.toFixed(2)}`)
      .join(', ');
    console.log(
      `round ${r + 1} ${side.name.padEnd(70)} ${res.perSecond.toFixed(0).padStart(5)}/s  ${res.opsPerCall.toFixed(2)} ops/call (${top})`,
    );
  }
}
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const [raw, ours] = results.map((rs) => ({ perSecond: mean(rs.map((x) => x.perSecond)), ops: mean(rs.map((x) => x.opsPerCall)) }));
console.log();
console.log(`${'side'.padEnd(78)} calls/s  persistence ops/call`);
console.log(`${sides[0].name.padEnd(78)} ${raw.perSecond.toFixed(0).padStart(7)}  ${raw.ops.toFixed(2).padStart(20)}`);
console.log(`${sides[1].name.padEnd(78)} ${ours.perSecond.toFixed(0).padStart(7)}  ${ours.ops.toFixed(2).padStart(20)}`);
console.log(
  `ratio ours/raw: calls/s ${(ours.perSecond / raw.perSecond).toFixed(2)}x, persistence ops per call ${(ours.ops / raw.ops).toFixed(2)}x`,
);
