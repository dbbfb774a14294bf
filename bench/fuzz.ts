// The full fuzz run: at least 10,000 generated HTTP requests over every route of the real API process (api/main.ts)
// and direct signals and updates sent to live runs with the official client, on a dev server of its own with a real
// worker, then an audit of every run (test/fuzz-campaign.ts). Bounded: requests and signals are capped, each request
// times out after 60 s, the audit waits at most 60 s for tasks to settle. Prints one table; exits 1 on any 5xx, lost
// answer, 4xx outside the error shape, failed or stuck workflow task, failed run, or act on another customer's event.
// Run: eval "$(bash scripts/obtain-temporal.sh cli)" && node --import tsx bench/fuzz.ts [REQUESTS] [SIGNALS] [SEED]
//      (or BENCH_FUZZ_REQUESTS / BENCH_FUZZ_SIGNALS / BENCH_FUZZ_SEED); defaults 10000, 1000, 1.
import { Client } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { freePort } from '../scripts/dev-server.ts';
import { startBenchServer } from './bench-server.ts';
import { bundleJourneyWorkflows } from '../worker/worker.ts';
import { runCampaign } from '../test/fuzz-campaign.ts';
import { fuzzTable, violationSummary } from '../test/fuzz-table.ts';

const arg = (i: number, env: string, dflt: number, max: number) =>
  Math.max(1, Math.min(max, Math.floor(Number(process.argv[2 + i] ?? process.env[env] ?? dflt)) || dflt));
const REQUESTS = arg(0, 'BENCH_FUZZ_REQUESTS', 10_000, 100_000);
const SIGNALS = arg(1, 'BENCH_FUZZ_SIGNALS', 1000, 20_000);
const SEED = arg(2, 'BENCH_FUZZ_SEED', 1, 2 ** 31);

const cliPath = process.env.TEMPORAL_CLI_PATH;
if (!cliPath) {
  console.error('TEMPORAL_CLI_PATH is not set: run  eval "$(bash scripts/obtain-temporal.sh cli)"  first');
  process.exit(2);
}

Runtime.install({ logger: new DefaultLogger('ERROR') }); // the refused garbage would drown the table in warnings
const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;
const stops: Array<() => Promise<unknown>> = [];
let failed = false;
try {
  console.log(
    `fuzz: seed ${SEED}, ${REQUESTS} requests, ${SIGNALS} direct signals and updates; starting a dev server, a worker, the API...`,
  );
  const { server, connection, workerConnection } = await startBenchServer(
    { cliPath, port: await freePort(), uiPort: await freePort() },
    stops,
  );
  const result = await runCampaign({
    seed: SEED,
    requests: REQUESTS,
    signals: SIGNALS,
    concurrency: 8,
    temporalEnv: { TEMPORAL_ADDRESS: server.address },
    client: new Client({ connection, namespace: server.namespace }),
    workerConnection,
    workflowBundle: await bundleJourneyWorkflows(quietLogger),
    log: (line) => console.log(line),
  });
  console.log(`\n${fuzzTable(result)}`);
  const { audit } = result;
  failed =
    result.violations.length > 0 ||
    audit.workflowTaskFailures.length > 0 ||
    audit.stuck.length > 0 ||
    audit.failedRuns.length > 0 ||
    audit.unreadable.length > 0 ||
    audit.crossCustomer.length > 0;
  if (result.violations.length > 0) console.log(`\nviolations:\n${violationSummary(result)}`);
  for (const line of [
    ...audit.stuck.map((s) => JSON.stringify(s)),
    ...audit.failedRuns.map((r) => JSON.stringify(r)),
    ...audit.unreadable,
    ...audit.crossCustomer,
  ])
    console.log(`  ${line}`);
  console.log(failed ? '\nFUZZ FAILED' : '\nfuzz: no 5xx, every 4xx in the error shape, no failed or stuck task, no cross-customer act');
} finally {
  for (const stop of stops) await stop().catch(() => undefined);
}
process.exit(failed ? 1 : 0);
