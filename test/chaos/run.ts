// One chaos run, start to end: the cluster up, the customers' traffic and the fault schedule played together, a
// bounded wait for the journeys to settle, then every check read and the cluster stopped. bench/chaos.ts runs it at
// full size by hand; test/chaos-subset.test.ts runs a small seeded one in `npm test`.
import { importScriptExports } from '../support/script-exports.ts';
import { SCENARIOS } from '../../scripts/demo/scenarios.ts';
import { startCluster, type ChaosTarget } from './cluster.ts';
import { faultsMet, playFaults, type FaultCounts, type FaultPlan } from './faults.ts';
import { checkChaos, pendingWork, readRuns, settled, type CheckRow } from './checks.ts';
import { startTraffic } from './traffic.ts';

export interface ChaosOptions {
  /** `dev` (default): the CLI's dev server, one worker, one API. `cluster`: the production topology (test/chaos/cluster.ts). */
  target?: ChaosTarget;
  customers: number;
  spacingSeconds: number;
  daySeconds: number;
  unsubscribeEvery: number;
  unsubscribeScenarios?: string[];
  faults: FaultPlan;
  /** Longest wait for the journeys to settle once traffic and faults are over. */
  settleTimeoutMs: number;
  log: (line: string) => void;
  /** Keep the cluster's folder (SQLite file, logs) for a post-mortem; it is printed either way. */
  dir?: string;
}

export interface ChaosResult {
  rows: CheckRow[];
  faults: FaultCounts;
  customers: number;
  workerStarts: number;
  workerExitsByThemselves: number;
  apiStarts: number;
  wallSeconds: number;
  dir: string;
}

function temporalCli(): string {
  if (!process.env.TEMPORAL_CLI_PATH) {
    importScriptExports('scripts/obtain-temporal.sh', ['cli']);
  }
  return process.env.TEMPORAL_CLI_PATH!;
}

/** How long the traffic lasts: the last customer's first event plus the longest scenario, in real seconds. */
export function trafficSeconds(o: Pick<ChaosOptions, 'customers' | 'spacingSeconds' | 'daySeconds'>): number {
  const longest = Math.max(...SCENARIOS.map((s) => Math.max(...s.steps('x').map((step) => step.at))));
  return (o.customers - 1) * o.spacingSeconds + (longest * o.daySeconds) / 2;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const started = Date.now();
  const target = o.target ?? 'dev';
  const cluster = await startCluster({
    target,
    cliPath: target === 'dev' ? temporalCli() : undefined,
    daySeconds: o.daySeconds,
    dir: o.dir,
    log: o.log,
  });
  try {
    const traffic = startTraffic({
      apiUrl: cluster.apiUrl,
      apiUrls: cluster.apiUrls,
      postmark: cluster.postmark,
      count: o.customers,
      spacingSeconds: o.spacingSeconds,
      daySeconds: o.daySeconds,
      unsubscribeEvery: o.unsubscribeEvery,
      unsubscribeScenarios: o.unsubscribeScenarios,
      log: o.log,
    });
    const progress = setInterval(() => {
      const taken = traffic.events.filter((e) => e.status < 300).length;
      o.log(
        `t=${Math.round((Date.now() - started) / 1000)}s events taken ${taken} (retried ${traffic.events.filter((e) => e.refusals.length).length})` +
          `  emails ${cluster.postmark.accepted.length}  payouts ${cluster.rewards.payouts.size}` +
          `  worker kills ${cluster.counts.workerKills}${o.faults.apiKills ? `  API kills ${cluster.counts.apiKills}` : ''}  Temporal ${cluster.temporalUp() ? 'up' : 'DOWN'} (restarts ${cluster.counts.temporalRestarts})`,
      );
    }, 10_000);
    let faults: FaultCounts;
    try {
      faults = await playFaults(cluster, o.faults, trafficSeconds(o) * 1000, o.log, () => traffic.duringOutage());
      await traffic.finished;
      await cluster.waitWorkerPolling(180_000);
      await faultsMet(cluster, faults, o.settleTimeoutMs, () => settled(cluster.client, cluster.taskQueue), o.log);
      o.log(`all ${traffic.events.length} events taken; faults over; waiting for the journeys to settle`);
      const deadline = Date.now() + o.settleTimeoutMs;
      // Settled: no pending activity or workflow task, and nothing new at Postmark or the receiver, three looks in a row.
      let calm = 0;
      let last = '';
      while (calm < 3 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5000));
        const now = `${cluster.postmark.accepted.length}|${cluster.rewards.requests.length}`;
        calm = (await settled(cluster.client, cluster.taskQueue).catch(() => false)) && now === last ? calm + 1 : 0;
        last = now;
      }
      if (calm >= 3) o.log('settled; reading every side');
      else {
        o.log('did not settle within the bound; reading every side as it is. Still pending:');
        for (const line of await pendingWork(cluster.client, cluster.taskQueue).catch((e: Error) => [`(not read: ${e.message})`]))
          o.log(`  ${line}`);
      }
    } finally {
      clearInterval(progress);
    }
    const runs = await readRuns(cluster.client, cluster.taskQueue);
    const rows = await checkChaos(cluster, traffic, runs);
    return {
      rows,
      faults,
      customers: traffic.customers.length,
      workerStarts: cluster.counts.workerStarts,
      workerExitsByThemselves: cluster.counts.workerExits,
      apiStarts: cluster.counts.apiStarts,
      wallSeconds: Math.round((Date.now() - started) / 1000),
      dir: cluster.dir,
    };
  } finally {
    await cluster.close();
  }
}
