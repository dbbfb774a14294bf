// The reload API's dry run (dev server, real worker, visibility): POST /v1/definitions/reload?dryRun=true with v2 on
// disk lists the open v1 run a migrate-at-listen journey would move and the stage it is in, while nothing changes:
// the API keeps serving v1 and the run stays on v1. A `finish` journey's run is reported as staying.
import { customerWorkflowId, journeyWorkflowId } from '../../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { JOURNEYS_DIR, loadJourneyDir } from '../../definitions/loader.ts';
import { parseApiKeys } from '../../api/auth.ts';
import { PlanRegistry } from '../../api/registry.ts';
import { buildApi } from '../../api/server.ts';
import { connectDevServer, type DevServerClients } from '../support/temporal.ts';
import { createHarness, state, type Harness } from '../interpreter/harness.ts';
import { event, newCustomer } from './support.ts';
import { eventually } from '../support/wait.ts';

describe('reload dry run (dev server)', () => {
  let dev: DevServerClients;
  let h: Harness;
  const dir = mkdtempSync(join(tmpdir(), 'journeys-dry-run-'));
  const shipped = JSON.parse(readFileSync(join(JOURNEYS_DIR, 'nps-promoter-referral.json'), 'utf8'));
  const suffix = randomUUID().slice(0, 8);
  const MIGRATES = `nps-dry-migrates-${suffix}`;
  const FINISHES = `nps-dry-finishes-${suffix}`;
  const writeVersion = (version: number) => {
    writeFileSync(join(dir, 'migrates.json'), JSON.stringify({ ...shipped, id: MIGRATES, version, inFlight: 'migrate-at-listen' }));
    writeFileSync(join(dir, 'finishes.json'), JSON.stringify({ ...shipped, id: FINISHES, version, inFlight: 'finish' }));
  };
  beforeAll(async () => {
    dev = await connectDevServer();
    // With a client: the runs read the customer's facts from customer:<id>, which this worker runs too.
    h = await createHarness(dev.workerConnection, { client: dev.client, scriptedSlots: true });
  });
  afterAll(async () => {
    await dev?.close();
  });

  it('names the run that would move and its stage, and changes nothing', async () => {
    writeVersion(1);
    const registry = new PlanRegistry(() => loadJourneyDir(dir));
    const api = await buildApi({ client: dev.client, taskQueue: h.taskQueue, apiKeys: parseApiKeys('k'), registry, dataDir: h.dataDir });
    const k = { authorization: 'Bearer k' };
    const customerId = newCustomer('dry');
    const migrating = dev.client.workflow.getHandle(journeyWorkflowId(MIGRATES, customerId));
    const finishing = dev.client.workflow.getHandle(journeyWorkflowId(FINISHES, customerId));
    h.handles.push(migrating, finishing, dev.client.workflow.getHandle(customerWorkflowId(customerId)));
    try {
      await h.run(async () => {
        expect((await api.inject({ method: 'POST', url: '/v1/definitions/reload', headers: k })).statusCode).toBe(200);
        // A detractor starts no run; the promoter after it starts both, which read the detractor's hold from
        // customer:<id> and stay listening for delight (as in definitions-upgrade.test.ts).
        for (const score of [3, 10])
          expect(
            (await api.inject({ method: 'POST', url: '/v1/events', headers: k, payload: event(customerId, { data: { score } }) }))
              .statusCode,
          ).toBeLessThan(300);
        for (const run of [migrating, finishing])
          await eventually(
            () => state(run).catch(() => undefined),
            (s) => s?.stage === 'listen',
          );
        // Visibility shows both runs (and the stage search attribute) before the dry run reads them.
        await eventually(
          async () => {
            const o = [];
            for await (const w of dev.client.workflow.list({
              query: `CustomerId = '${customerId}' AND ExecutionStatus = 'Running' AND JourneyStage = 'listen'`,
            }))
              o.push(w);
            return o;
          },
          (x) => x.length === 2,
        );

        writeVersion(2);
        const dry = await api.inject({ method: 'POST', url: '/v1/definitions/reload?dryRun=true', headers: k });
        expect(dry.statusCode, dry.body).toBe(200);
        const body = dry.json();
        expect(body).toMatchObject({ applied: false, dryRun: true, upgrades: [] });
        const impact = body.impact as Array<{ journeyId: string }>;
        expect(impact.find((i) => i.journeyId === MIGRATES)).toEqual({
          journeyId: MIGRATES,
          fromVersion: 1,
          toVersion: 2,
          inFlight: 'migrate-at-listen',
          wouldMove: true,
          reason: 'inFlight: migrate-at-listen; each older run moves to version 2 when it is next back in Listen',
          runsFound: 1,
          moving: [{ workflowId: journeyWorkflowId(MIGRATES, customerId), version: 1, stage: 'listen' }],
          staying: {},
          truncated: false,
        });
        expect(impact.find((i) => i.journeyId === FINISHES)).toMatchObject({
          wouldMove: false,
          runsFound: 1,
          moving: [],
          staying: { '1': 1 },
        });

        // Nothing was applied: the API serves v1, and the run is still on v1 a moment later.
        const served = (await api.inject({ method: 'GET', url: '/v1/definitions', headers: k })).json().journeys as Array<{
          journeyId: string;
          version: number;
        }>;
        expect(served.find((j) => j.journeyId === MIGRATES)?.version).toBe(1);
        await new Promise((r) => setTimeout(r, 1500));
        expect(await state(migrating)).toMatchObject({ journeyVersion: 1, stage: 'listen' });
      });
    } finally {
      await api.close();
    }
  }, 90_000);
});
