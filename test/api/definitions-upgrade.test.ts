// Deploy upgrades runs in flight (dev server, real worker, visibility): after POST /v1/definitions/reload with v2,
// an open run of a journey that says `inFlight: migrate-at-listen` is sent the new plan and shows v2 once back in
// Listen; a journey that says `finish` leaves its run on v1. The reload response counts what it did.
import { JOURNEY_WORKFLOW_TYPE, customerWorkflowId, journeyEventSignal, journeyWorkflowId } from '../../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { JOURNEYS_DIR, loadJourneyDir } from '../../definitions/loader.ts';
import { parseApiKeys } from '../../api/auth.ts';
import { PlanRegistry } from '../../api/registry.ts';
import { buildApi } from '../../api/server.ts';
import { openRunsQuery, upgradeRunsInFlight } from '../../api/in-flight-upgrades.ts';
import { connectDevServer, type DevServerClients } from '../support/temporal.ts';
import { createHarness, state, type Harness } from '../interpreter/harness.ts';
import { event, newCustomer } from './support.ts';
import { eventually } from '../support/wait.ts';

describe('reload upgrades runs in flight (dev server)', () => {
  let dev: DevServerClients;
  let h: Harness;
  const dir = mkdtempSync(join(tmpdir(), 'journeys-upgrade-'));
  const shipped = JSON.parse(readFileSync(join(JOURNEYS_DIR, 'nps-promoter-referral.json'), 'utf8'));
  // Journey ids of this test only: a reload signals every open run of the journey on the shared dev server.
  const suffix = randomUUID().slice(0, 8);
  const MIGRATES = `nps-migrates-${suffix}`;
  const FINISHES = `nps-finishes-${suffix}`;
  const writeVersion = (version: number) => {
    writeFileSync(
      join(dir, 'migrates.json'),
      JSON.stringify({ ...shipped, id: MIGRATES, version, inFlight: 'migrate-at-listen' }, null, 2),
    );
    writeFileSync(join(dir, 'finishes.json'), JSON.stringify({ ...shipped, id: FINISHES, version, inFlight: 'finish' }, null, 2));
  };
  beforeAll(async () => {
    dev = await connectDevServer();
    // With a client: the runs read the customer's facts from customer:<id>, which this worker runs too.
    h = await createHarness(dev.workerConnection, { client: dev.client, scriptedSlots: true });
  });
  afterAll(async () => {
    await dev?.close();
  });

  it("v1 run of a migrate-at-listen journey shows v2 back in Listen; a finish journey's run stays on v1", async () => {
    writeVersion(1);
    const registry = new PlanRegistry(() => loadJourneyDir(dir));
    const api = await buildApi({ client: dev.client, taskQueue: h.taskQueue, apiKeys: parseApiKeys('k'), registry, dataDir: h.dataDir });
    const k = { authorization: 'Bearer k' };
    const customerId = newCustomer('upgrade');
    const migrating = dev.client.workflow.getHandle(journeyWorkflowId(MIGRATES, customerId));
    const finishing = dev.client.workflow.getHandle(journeyWorkflowId(FINISHES, customerId));
    h.handles.push(migrating, finishing, dev.client.workflow.getHandle(customerWorkflowId(customerId)));
    try {
      await h.run(async () => {
        const first = await api.inject({ method: 'POST', url: '/v1/definitions/reload', headers: k });
        expect(first.json()).toMatchObject({ applied: true, upgrades: [] });
        // A detractor starts no run; the promoter after it starts both, which read the detractor's hold from
        // customer:<id> and stay listening for delight.
        for (const score of [3, 10]) {
          const routed = await api.inject({
            method: 'POST',
            url: '/v1/events',
            headers: k,
            payload: event(customerId, { data: { score } }),
          });
          expect(routed.statusCode).toBeLessThan(300);
        }
        for (const run of [migrating, finishing]) {
          expect(
            await eventually(
              () => state(run).catch(() => undefined),
              (s) => s?.stage === 'listen',
            ),
          ).toMatchObject({ stage: 'listen', journeyVersion: 1 });
        }
        // Visibility has both runs before the deploy.
        await eventually(
          async () => {
            const o = [];
            for await (const w of dev.client.workflow.list({
              query: `CustomerId = '${customerId}' AND ExecutionStatus = 'Running' AND WorkflowType = 'advocacyJourney'`,
            }))
              o.push(w);
            return o;
          },
          (x) => x.length === 2,
        );

        writeVersion(2);
        const reload = await api.inject({ method: 'POST', url: '/v1/definitions/reload', headers: k });
        expect(reload.statusCode).toBe(200);
        const upgrades = reload.json().upgrades as { journeyId: string }[];
        expect(upgrades.find((u) => u.journeyId === MIGRATES)).toEqual({
          journeyId: MIGRATES,
          fromVersion: 1,
          toVersion: 2,
          inFlight: 'migrate-at-listen',
          action: 'signalled',
          runsFound: 1,
          signalled: 1,
          failed: 0,
          errors: [],
          truncated: false,
        });
        expect(upgrades.find((u) => u.journeyId === FINISHES)).toMatchObject({
          action: 'skipped',
          inFlight: 'finish',
          runsFound: 0,
          signalled: 0,
        });

        const moved = await eventually(
          () => state(migrating).catch(() => undefined),
          (s) => s?.journeyVersion === 2,
        );
        expect(moved).toMatchObject({ journeyVersion: 2, stage: 'listen' });
        const stayed = await state(finishing);
        expect(stayed).toMatchObject({ journeyVersion: 1, stage: 'listen' });
      });
    } finally {
      await api.close();
    }
  }, 90_000);

  it('bounded: with maxRuns 1 and two open runs, one is signalled and the report says truncated', async () => {
    writeVersion(1);
    const [v1] = (await loadJourneyDir(dir)).plans.filter((p) => p.journeyId === MIGRATES);
    const v2 = { ...structuredClone(v1), version: 2, hash: `${v1.hash}-v2` };
    const h = await createHarness(dev.workerConnection, { scriptedSlots: true }); // a worker runs once
    await h.run(async () => {
      for (const customerId of [newCustomer('bound'), newCustomer('bound')]) {
        await dev.client.workflow.signalWithStart(JOURNEY_WORKFLOW_TYPE, {
          workflowId: journeyWorkflowId(MIGRATES, customerId),
          taskQueue: h.taskQueue,
          args: [{ plan: v1, customerId }],
          signal: journeyEventSignal,
          signalArgs: [event(customerId, { data: { score: 7 } })],
        });
        h.handles.push(dev.client.workflow.getHandle(journeyWorkflowId(MIGRATES, customerId)));
      }
      await eventually(
        async () => {
          const o = [];
          for await (const w of dev.client.workflow.list({ query: openRunsQuery(MIGRATES) })) o.push(w);
          return o;
        },
        (x) => x.length >= 2,
      );
      const report = await upgradeRunsInFlight(dev.client, { previous: v1, next: v2 }, { maxRuns: 1, pageSize: 1 });
      expect(report).toMatchObject({ action: 'signalled', runsFound: 1, signalled: 1, failed: 0, truncated: true });
    });
  }, 60_000);

  it('an upgrader that fails is reported for each changed journey (the new plans still serve); an unchanged version is skipped with a reason', async () => {
    writeVersion(1);
    const registry = new PlanRegistry(() => loadJourneyDir(dir));
    await registry.reload();
    registry.upgradeRunsWith(async () => {
      throw new Error('visibility unavailable');
    });
    writeVersion(2);
    const failed = await registry.reload();
    expect(failed.applied).toBe(true);
    expect(failed.journeys.every((j) => j.version === 2)).toBe(true);
    expect(failed.upgrades).toHaveLength(2);
    expect(failed.upgrades[0]).toMatchObject({
      failed: 1,
      errors: [{ message: 'upgrading runs in flight failed: visibility unavailable' }],
    });

    const [a] = (await loadJourneyDir(dir)).plans.filter((p) => p.journeyId === MIGRATES);
    const sameVersion = await upgradeRunsInFlight(dev.client, { previous: a, next: { ...a, hash: 'edited-without-a-new-version' } });
    expect(sameVersion).toMatchObject({ action: 'skipped', signalled: 0 });
    expect(sameVersion.reason).toContain('raise "version"');
  });
});
