// Replay: every recorded history (test/histories/<release>/*.json) must replay on the current workflow code. The
// folder of the current release (workflows/release.ts) holds one full cycle of each shipped journey plus the runs the
// behaviour tests record; the folder of each earlier release stays until no open run's history predates its
// successor (docs/versioning.md), so a change that would break a run still in flight fails here: guard it with
// patched(). Re-record the current release's folder: npm run histories:record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { journeyWorkflowId } from '../workflows/contract/index.ts';
import { RELEASE } from '../workflows/release.ts';
import { createTimeSkippingEnv, workflowBundle } from './support/temporal.ts';
import { createHarness, createTimeSkippingEnvWithSearchAttributes, shippedPlan } from './interpreter/harness.ts';
import { HISTORIES_DIR, recordHistory, recording } from './interpreter/record-history.ts';
import { driveCycle, SCENARIOS } from './interpreter/scenarios.ts';

/** The release folders under test/histories, oldest first (by semantic version). A folder `<release>-<what>` holds
 *  histories of that release written before a later patch of the same release changed how its runs start (its
 *  README says which); they are replayed too and never re-recorded. */
function releaseFolders(): string[] {
  const key = (v: string) =>
    v
      .split('.')
      .map((n) => n.padStart(6, '0'))
      .join('.');
  return readdirSync(HISTORIES_DIR)
    .filter((f) => /^\d+\.\d+\.\d+(-[a-z0-9-]+)?$/.test(f) && statSync(join(HISTORIES_DIR, f)).isDirectory())
    .sort((a, b) => key(a).localeCompare(key(b)));
}

describe('replay of recorded histories', () => {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    if (recording()) env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it.runIf(recording())(
    'records one full cycle of each shipped journey on the current code',
    async () => {
      for (const sc of SCENARIOS) {
        const plan = await shippedPlan(sc.journeyId);
        const h = await createHarness(env!.nativeConnection, { client: env!.client });
        const customerId = `recorded-${sc.journeyId}`;
        await h.run(async () => {
          const r = await driveCycle(env!, env!.client, h, plan, sc, customerId, 1);
          expect(r.status).toBe('CONTINUED_AS_NEW');
          await recordHistory(
            `cycle-${sc.journeyId}`,
            env!.client.workflow.getHandle(journeyWorkflowId(plan.journeyId, customerId), r.runId),
          );
        });
      }
    },
    300_000,
  );

  it(`every recorded history of every release folder replays on the current workflow code (release ${RELEASE})`, async () => {
    const releases = releaseFolders();
    // The current release's own histories must be there: a release with nothing recorded guards nothing.
    expect(releases).toContain(RELEASE);
    const files = releases.flatMap((release) =>
      readdirSync(join(HISTORIES_DIR, release))
        .filter((f) => f.endsWith('.json'))
        .map((f) => `${release}/${f}`),
    );
    expect(files.filter((f) => f.startsWith(`${RELEASE}/cycle-`))).toHaveLength(SCENARIOS.length);
    const histories = files.map((f) => ({
      workflowId: f,
      history: historyFromJSON(JSON.parse(readFileSync(join(HISTORIES_DIR, f), 'utf8'))),
    }));
    const results = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: workflowBundle() }, histories)) results.push(r);
    expect(results.map((r) => [r.workflowId, r.error?.message])).toEqual(files.map((f) => [f, undefined]));
  });
});
