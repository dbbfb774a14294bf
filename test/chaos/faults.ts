// The faults of the chaos suite, on a seeded schedule: a worker (and, when asked, an API) SIGKILLed at random points
// (and restarted by the cluster's supervisor), Temporal stopped and restarted on the same database while traffic goes
// on, the Postmark-compatible server answering 429, 500, too slowly (the client times out) or dropping the connection
// after accepting, the reward webhook down, slow, or answering out of order. Every injected fault is counted.
import type { Cluster } from './cluster.ts';

/** A small seeded PRNG (mulberry32), so a run's fault schedule is the same for the same seed. */
import { seededRandom } from '../../reports/experiments/stats.ts';

export { seededRandom };

export interface FaultPlan {
  seed: number;
  /** Worker SIGKILLs, spread over the traffic (the workers in turn, where there are two). */
  workerKills: number;
  /** API process SIGKILLs, spread over the traffic (default none): callers meet a dropped connection and retry. */
  apiKills?: number;
  /** Temporal stops (each followed by a restart on the same database), and how long each outage lasts. */
  temporalRestarts: number;
  temporalOutageMs: number;
  /** A worker SIGKILLed in each outage as well (default true), so its restart meets Temporal down: it must wait for
   *  Temporal (worker/temporal-connect.ts), not exit. Not counted in `workerKills`. */
  workerKillInOutage?: boolean;
  /** Postmark faults of each kind (429, 500, timeout, drop after accept, 500 after accept). */
  postmarkFaultsPerKind: number;
  /** Longer than the postmark client's timeout (30 s), so the send times out although Postmark accepted it. */
  postmarkTimeoutMs: number;
  /** Reward webhook outages (connection refused), slow answers and out-of-order bursts. */
  rewardFaultsPerKind: number;
}

export interface FaultCounts {
  workerKills: number;
  /** Workers SIGKILLed while Temporal was down (FaultPlan.workerKillInOutage). */
  outageWorkerKills: number;
  apiKills: number;
  temporalRestarts: number;
  /** Injected, by kind. */
  postmark: Record<string, number>;
  rewards: Record<string, number>;
  /** Injected faults that no request met before the system went quiet (dropped then; see faultsMet). */
  unmet: { postmark: number; rewards: number };
}

/** A plan's counts before any fault was played. */
export function noFaults(): FaultCounts {
  return {
    workerKills: 0,
    outageWorkerKills: 0,
    apiKills: 0,
    temporalRestarts: 0,
    postmark: {},
    rewards: {},
    unmet: { postmark: 0, rewards: 0 },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Plays the plan over `durationMs` and resolves when every fault has been injected and undone (Temporal up, reward
 * receiver listening). The worker is killed only once it polls again, so each kill meets a working worker.
 */
export async function playFaults(
  cluster: Cluster,
  plan: FaultPlan,
  durationMs: number,
  log: (line: string) => void,
  /** Called once Temporal is down: the traffic that must meet the outage. */
  duringOutage: () => void = () => undefined,
): Promise<FaultCounts> {
  const random = seededRandom(plan.seed);
  const counts = noFaults();
  const bump = (book: Record<string, number>, kind: string) => (book[kind] = (book[kind] ?? 0) + 1);
  const at = (fraction: number) => Math.round(fraction * durationMs);
  const started = Date.now();
  const until = (offsetMs: number) => sleep(Math.max(0, started + offsetMs - Date.now()));

  const kills = (async () => {
    for (let i = 0; i < plan.workerKills; i++) {
      await until(at((i + 0.3 + random() * 0.6) / plan.workerKills));
      await cluster.waitWorkerPolling(180_000);
      await sleep(500 + random() * 2000); // a random point in the worker's work, not the moment it starts polling
      await cluster.killWorker();
      counts.workerKills++;
      log(`fault: worker SIGKILLed (${counts.workerKills}/${plan.workerKills})`);
    }
  })();

  const apiKills = (async () => {
    const n = plan.apiKills ?? 0;
    for (let i = 0; i < n; i++) {
      await until(at((i + 0.2 + random() * 0.6) / n));
      await cluster.killApi();
      counts.apiKills++;
      log(`fault: API SIGKILLed (${counts.apiKills}/${n})`);
    }
  })();

  const outages = (async () => {
    for (let i = 0; i < plan.temporalRestarts; i++) {
      await until(at((i + 0.4 + random() * 0.3) / plan.temporalRestarts));
      log(`fault: Temporal stopped for ${Math.round(plan.temporalOutageMs / 1000)}s (API and Postmark webhook keep taking traffic)`);
      await cluster.stopTemporal();
      duringOutage();
      const outageEnds = Date.now() + plan.temporalOutageMs;
      if (plan.workerKillInOutage !== false) {
        await sleep(Math.min(1000, plan.temporalOutageMs / 4));
        // A worker between a death and its restart (a scheduled kill just before) cannot be killed: try again shortly,
        // within the first half of the outage, so the restart still meets Temporal down.
        const tryUntil = Date.now() + plan.temporalOutageMs / 2;
        while (Date.now() < tryUntil) {
          const before = cluster.counts.workerKills;
          await cluster.killWorker();
          if (cluster.counts.workerKills > before) {
            counts.outageWorkerKills++;
            log('fault: worker SIGKILLed while Temporal is down (its restart must wait for Temporal)');
            break;
          }
          await sleep(200);
        }
      }
      await sleep(outageEnds - Date.now());
      await cluster.startTemporal();
      counts.temporalRestarts++;
      log(`fault: Temporal restarted on the same database (${counts.temporalRestarts}/${plan.temporalRestarts})`);
    }
  })();

  const postmark = (async () => {
    const kinds = ['429', '500', 'timeout', 'drop-after-accept', '500-after-accept'] as const;
    const schedule = kinds.flatMap((kind) => Array.from({ length: plan.postmarkFaultsPerKind }, () => ({ kind, when: random() })));
    schedule.sort((a, b) => a.when - b.when);
    for (const { kind, when } of schedule) {
      await until(at(when * 0.9));
      if (kind === '429') cluster.postmark.injectFault({ kind: 'error', status: 429, errorCode: 0, message: 'Rate limit exceeded' });
      else if (kind === '500') cluster.postmark.injectFault({ kind: 'error', status: 500, errorCode: 0, message: 'Internal Server Error' });
      else if (kind === '500-after-accept')
        cluster.postmark.injectFault({ kind: 'error', status: 500, errorCode: 0, message: 'Internal Server Error', acceptFirst: true });
      else if (kind === 'timeout') cluster.postmark.injectFault({ kind: 'slow', delayMs: plan.postmarkTimeoutMs });
      else cluster.postmark.injectFault({ kind: 'drop-after-accept' });
      bump(counts.postmark, kind);
    }
  })();

  const rewards = (async () => {
    const kinds = ['down', 'slow', 'out-of-order', '503'] as const;
    const schedule = kinds.flatMap((kind) => Array.from({ length: plan.rewardFaultsPerKind }, () => ({ kind, when: random() })));
    schedule.sort((a, b) => a.when - b.when);
    for (const { kind, when } of schedule) {
      await until(at(0.2 + when * 0.7));
      if (kind === 'down') {
        await cluster.rewards.goDown();
        await sleep(5000 + random() * 10_000);
        await cluster.rewards.comeBack();
      } else if (kind === 'slow')
        cluster.rewards.slowFor(12_000, 1); // longer than the webhook's 10 s timeout: retried, same key
      else if (kind === 'out-of-order')
        cluster.rewards.slowFor(3000, 2); // the next two answer after later requests
      else cluster.rewards.failNext(2, 503);
      bump(counts.rewards, kind);
    }
  })();

  await Promise.all([kills, apiKills, outages, postmark, rewards]);
  return counts;
}

/**
 * Waits until every injected Postmark and reward fault has met a request, so that "faults over" is true: a fault is
 * queued for the next request, and when traffic is thin the next one may be an activity's retry long after the
 * schedule injected it (the likely cause of a subset failure in stop 52: one send meeting several queued faults in a
 * row, its backoff doubling each time, and its last attempt landing after the settle bound). Gives up when `quiet()` says nothing more will ask (no pending
 * activity or workflow task) three looks in a row, or at `boundMs`: the faults left then are dropped and counted in
 * `counts.unmet`. Returns how long it waited.
 */
export async function faultsMet(
  cluster: Pick<Cluster, 'postmark' | 'rewards'>,
  counts: FaultCounts,
  boundMs: number,
  quiet: () => Promise<boolean>,
  log: (line: string) => void,
): Promise<number> {
  const started = Date.now();
  const pending = () => cluster.postmark.pendingFaults + cluster.rewards.pendingFaults;
  let quietLooks = 0;
  while (pending() > 0 && quietLooks < 3 && Date.now() - started < boundMs) {
    await sleep(2000);
    quietLooks = pending() > 0 && (await quiet().catch(() => false)) ? quietLooks + 1 : 0;
  }
  const waited = Date.now() - started;
  counts.unmet.postmark = cluster.postmark.clearFaults().length;
  counts.unmet.rewards = cluster.rewards.pendingFaults;
  if (counts.unmet.rewards > 0) cluster.rewards.clearFaults();
  const unmet = counts.unmet.postmark + counts.unmet.rewards;
  if (unmet > 0)
    log(
      `fault: ${counts.unmet.postmark} Postmark and ${counts.unmet.rewards} reward faults met no request in ${Math.round(waited / 1000)}s; dropped`,
    );
  else if (waited >= 2000) log(`fault: the last queued provider fault met a request ${Math.round(waited / 1000)}s after traffic ended`);
  return waited;
}
