// The chaos suite's deterministic subset (the full run is bench/chaos.ts): a dozen customers through demo-scaled
// copies of the shipped journeys, on a dev server of its own with a SQLite file, through the real API and worker
// processes, while the worker is SIGKILLed three times, Temporal is stopped and restarted on the same file (the API
// and the Postmark webhook answer 503 meanwhile and the callers' retries land), Postmark answers 429, 500, too late
// and drops the connection after accepting, and the reward webhook is down, slow and out of order. Seeded faults,
// bounded waits. Every check of the table must hold: one email per send key, none where not due, one payout per
// reward and the ledger equal to the payouts, every accepted event applied once, the tracking log exact, no run
// failed or stuck, no workflow task failing in a loop, no activity past its retry bound.
// With the suite on the production topology (`npm run test:cluster`, JOURNEY_TEST_TEMPORAL=cluster) it runs there
// instead, on a topology of its own: PostgreSQL, temporal-server (restarted while PostgreSQL stays up), two workers
// (killed in turn) and two APIs, one of which is also SIGKILLed once while traffic goes on.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChaos } from './chaos/run.ts';
import { formatTable } from './chaos/checks.ts';
import { sharedServerKind } from './setup/cluster-server.ts';

const target = sharedServerKind();

// In `npm test` (JOURNEY_CHAOS_SUBSET=0 holds it out, for a quick local run). The findings it made are fixed: tracking
// records of a workflow task that never completed (patch tracking-written-after-commit,
// test/tracking-after-commit.test.ts) and an action dropped without a trace in Listen (patch
// journey-records-ignored-actions, test/action-while-listening.test.ts); bench/README.md has both.
describe.skipIf(process.env.JOURNEY_CHAOS_SUBSET === '0')(
  'nothing lost, nothing twice, under faults (chaos subset, real processes)',
  () => {
    it(
      'a dozen customers through worker kills, a Temporal restart and provider faults: every check of the table holds',
      { timeout: 900_000 },
      async () => {
        const lines: string[] = [];
        const result = await runChaos({
          target,
          customers: 12,
          spacingSeconds: 0.5,
          daySeconds: 1,
          unsubscribeEvery: 2,
          // Every scenario that may unsubscribe does (test/chaos/traffic.ts, UNSUBSCRIBING), those with an action of
          // their own included: an action still on its way when the unsubscribe lands is honoured or recorded
          // (workflows/journey/opt-out-honour.ts), never lost.
          settleTimeoutMs: 240_000,
          faults: {
            seed: 1515,
            workerKills: 3,
            apiKills: target === 'cluster' ? 1 : 0,
            temporalRestarts: 1,
            temporalOutageMs: 8000,
            postmarkFaultsPerKind: 1,
            postmarkTimeoutMs: 33_000,
            rewardFaultsPerKind: 1,
          },
          log: (line) => lines.push(line),
        });
        const table = formatTable(result.rows);
        console.log(`${lines.join('\n')}\n${table}`);
        // A failing run keeps its processes' logs and the tracking log for a post-mortem: the cluster's folder is under
        // the test file's temporary root, which is removed when the file ends.
        if (result.rows.some((r) => !r.ok)) {
          const kept = join(import.meta.dirname, '.artifacts', `chaos-subset-failed-${Date.now()}`);
          mkdirSync(kept, { recursive: true });
          cpSync(join(result.dir, 'logs'), join(kept, 'logs'), { recursive: true });
          cpSync(join(result.dir, 'data'), join(kept, 'data'), { recursive: true });
          writeFileSync(join(kept, 'run.txt'), `${lines.join('\n')}\n${table}\n`);
          console.log(`kept the failing run's logs and tracking data in ${kept}`);
        }
        // The faults really happened: the checks below mean something only if they did.
        expect(result.faults.workerKills).toBe(3);
        expect(result.faults.temporalRestarts).toBe(1);
        expect(result.faults.outageWorkerKills).toBe(1); // its restart met Temporal down, and waited (a row below)
        expect(result.faults.apiKills).toBe(target === 'cluster' ? 1 : 0);
        expect(Object.values(result.faults.postmark).reduce((a, b) => a + b, 0)).toBe(5);
        expect(result.faults.unmet.postmark).toBeLessThan(5); // at least one of them met a send
        const taken = result.rows.find((r) => r.check.startsWith('events taken'))!;
        expect(Number(/\((\d+)\)/.exec(taken.value)![1])).toBeGreaterThan(0); // some events met a 503 first, and landed
        expect(result.rows.filter((r) => !r.ok).map((r) => `${r.check}: ${r.value}`)).toEqual([]);
      },
    );
  },
);
