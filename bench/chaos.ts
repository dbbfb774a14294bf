// The fault-injection suite, full size, by hand: at least 200 customers through the shipped journeys (demo-scaled
// copies: one journey day lasts CHAOS_DAY_SECONDS) through the real API and the real worker processes, while workers
// (and, with CHAOS_API_KILLS, APIs) are SIGKILLed at random points, Temporal is stopped and restarted on the same
// database, the Postmark-compatible server and the reward webhook misbehave. CHAOS_TARGET=dev (the default) runs it
// on the CLI's dev server on a SQLite file with one worker and one API; CHAOS_TARGET=cluster on the production
// topology of `npm run start:cluster` (PostgreSQL, temporal-server, two workers, two APIs; PostgreSQL stays up while
// temporal-server restarts). Bounded: it stops by itself and prints ONE table at the end; exit code 1 when a check
// fails. bench/README.md has a run's table.
//   eval "$(bash scripts/obtain-temporal.sh cli)" && node --import tsx bench/chaos.ts
//   CHAOS_CUSTOMERS=300 CHAOS_KILLS=15 CHAOS_SEED=7 node --import tsx bench/chaos.ts
//   CHAOS_TARGET=cluster CHAOS_API_KILLS=4 node --import tsx bench/chaos.ts
import { runChaos, trafficSeconds } from '../test/chaos/run.ts';
import { formatTable } from '../test/chaos/checks.ts';

const num = (name: string, fallback: number) => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${raw} must be a number >= 0`);
  return n;
};

const target = process.env.CHAOS_TARGET || 'dev';
if (target !== 'dev' && target !== 'cluster') throw new Error(`CHAOS_TARGET must be dev or cluster, got ${JSON.stringify(target)}`);

const options = {
  target: target as 'dev' | 'cluster',
  customers: num('CHAOS_CUSTOMERS', 200),
  spacingSeconds: num('CHAOS_SPACING_SECONDS', 1.5),
  daySeconds: num('CHAOS_DAY_SECONDS', 2),
  unsubscribeEvery: num('CHAOS_UNSUBSCRIBE_EVERY', 5),
  settleTimeoutMs: num('CHAOS_SETTLE_SECONDS', 600) * 1000,
  faults: {
    seed: num('CHAOS_SEED', 15),
    workerKills: num('CHAOS_KILLS', 12),
    apiKills: num('CHAOS_API_KILLS', 0),
    temporalRestarts: num('CHAOS_TEMPORAL_RESTARTS', 2),
    temporalOutageMs: num('CHAOS_OUTAGE_SECONDS', 15) * 1000,
    postmarkFaultsPerKind: num('CHAOS_POSTMARK_FAULTS', 4),
    postmarkTimeoutMs: 35_000,
    rewardFaultsPerKind: num('CHAOS_REWARD_FAULTS', 3),
  },
  dir: process.env.CHAOS_DIR || undefined,
};
const t0 = Date.now();
const log = (line: string) => console.log(`[chaos ${Math.round((Date.now() - t0) / 1000)}s] ${line}`);
log(
  `target ${options.target}: ${options.customers} customers over ~${Math.round(trafficSeconds(options))}s of traffic (1 journey day = ${options.daySeconds}s), ` +
    `seed ${options.faults.seed}: ${options.faults.workerKills} worker SIGKILLs, ${options.faults.apiKills} API SIGKILLs, ` +
    `${options.faults.temporalRestarts} Temporal restarts, ` +
    `${options.faults.postmarkFaultsPerKind} Postmark faults and ${options.faults.rewardFaultsPerKind} reward faults of each kind`,
);
const result = await runChaos({ ...options, log });
const f = result.faults;
console.log('');
console.log(
  `chaos run (${options.target}): ${result.customers} customers, ${result.wallSeconds}s wall, seed ${options.faults.seed}; ` +
    `worker SIGKILLs ${f.workerKills} and ${f.outageWorkerKills} while Temporal was down (worker starts ${result.workerStarts}, exits by itself ${result.workerExitsByThemselves}), ` +
    `API SIGKILLs ${f.apiKills} (API starts ${result.apiStarts}), ` +
    `Temporal restarts ${f.temporalRestarts}; Postmark faults ${JSON.stringify(f.postmark)}; reward faults ${JSON.stringify(f.rewards)}`,
);
console.log(formatTable(result.rows));
console.log(`(cluster folder: ${result.dir})`);
process.exit(result.rows.every((r) => r.ok) ? 0 : 1);
