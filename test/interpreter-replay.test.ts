// Replay: recorded histories of the shipped journeys (one full cycle each, test/histories/*.json) must replay on
// the current interpreter. A change that would break running journeys fails here; guard it with patched().
// Record the current code's cycles after an intended, patched change: RECORD_HISTORIES=1 npx vitest run
// test/interpreter-replay.test.ts writes current-<journey>.json. The <journey>.json files without the prefix were
// recorded before the patches and are kept: they stand for runs still in flight from then.
import { journeyWorkflowId } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { createTimeSkippingEnv, workflowBundle } from './support/temporal.ts';
import { createHarness, createTimeSkippingEnvWithSearchAttributes, shippedPlan } from './interpreter/harness.ts';
import { driveCycle, SCENARIOS } from './interpreter/scenarios.ts';

const DIR = join(process.cwd(), 'test', 'histories');
const RECORD = process.env.RECORD_HISTORIES === '1';

describe('replay of recorded histories', () => {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    if (RECORD) env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it.runIf(RECORD)(
    'records one full cycle of each shipped journey on the current code',
    async () => {
      for (const sc of SCENARIOS) {
        const plan = await shippedPlan(sc.journeyId);
        const h = await createHarness(env!.nativeConnection, { client: env!.client });
        const customerId = `recorded-${sc.journeyId}`;
        await h.run(async () => {
          const r = await driveCycle(env!, env!.client, h, plan, sc, customerId, 1);
          expect(r.status).toBe('CONTINUED_AS_NEW');
          const history = await env!.client.workflow.getHandle(journeyWorkflowId(plan.journeyId, customerId), r.runId).fetchHistory();
          writeFileSync(join(DIR, `current-${sc.journeyId}.json`), historyToJSON(history));
        });
      }
    },
    300_000,
  );

  it('every recorded history replays on the current workflow code', async () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    const histories = files.map((f) => ({ workflowId: f, history: historyFromJSON(JSON.parse(readFileSync(join(DIR, f), 'utf8'))) }));
    const results = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: workflowBundle() }, histories)) results.push(r);
    expect(results.map((r) => [r.workflowId, r.error?.message])).toEqual(files.map((f) => [f, undefined]));
  });
});
