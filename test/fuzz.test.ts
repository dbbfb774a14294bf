// The fuzz campaign with a fixed seed, bounded to about a minute: generated HTTP requests over every route of the
// real API process (api/main.ts) on the dev server with a real worker, then signals and updates sent straight to the
// runs with the official client. The full run is bench/fuzz.ts (bench/README.md has its table).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevServer, terminateRunsOn, workflowBundle, type DevServerClients } from './support/temporal.ts';
import { runCampaign, type CampaignResult } from './fuzz-campaign.ts';
import { fuzzTable, violationSummary } from './fuzz-table.ts';

const SEED = Number(process.env.JOURNEY_FUZZ_SEED ?? 20261203);
const REQUESTS = Number(process.env.JOURNEY_FUZZ_REQUESTS ?? 1000);
const SIGNALS = Number(process.env.JOURNEY_FUZZ_SIGNALS ?? 200);

describe(`fuzzing the API and the runs (seed ${SEED})`, () => {
  let temporal: DevServerClients;
  let result: CampaignResult;
  beforeAll(async () => {
    temporal = await connectDevServer();
    result = await runCampaign({
      seed: SEED,
      requests: REQUESTS,
      signals: SIGNALS,
      concurrency: 4,
      temporalEnv: temporal.envFor('api'),
      client: temporal.client,
      workerConnection: temporal.workerConnection,
      workflowBundle: workflowBundle(),
    });
    console.log(fuzzTable(result));
    if (result.violations.length > 0) console.log(violationSummary(result));
    // Every violation, for whoever reads a failed run.
    writeFileSync(join('test', '.artifacts', 'fuzz-violations.json'), JSON.stringify(result.violations, null, 1));
  }, 300_000);
  afterAll(async () => {
    if (result) await terminateRunsOn(temporal.client, result.taskQueue);
    await temporal?.close();
  });

  it('answers no request with a 5xx or a dropped connection', () => {
    const broken = result.violations.filter((v) => v.status >= 500 || v.status === 0);
    expect(broken.slice(0, 5), JSON.stringify(broken.slice(0, 5), null, 1)).toEqual([]);
  });

  it('answers every 4xx in the one error shape, with a pointer naming the field', () => {
    const shape = result.violations.filter((v) => v.status >= 400 && v.status < 500);
    expect(shape.slice(0, 5), JSON.stringify(shape.slice(0, 5), null, 1)).toEqual([]);
  });

  it('reaches every route the API serves', () => {
    expect(Object.keys(result.byRoute).sort()).toEqual([...result.routesServed].sort());
  });

  it('leaves no workflow task failed or stuck and no run failed, after garbage signals and updates', () => {
    expect(Object.values(result.signals.sent).reduce((a, b) => a + b, 0) + result.signals.errors.length).toBe(SIGNALS);
    expect(result.audit.workflowTaskFailures).toEqual([]);
    expect(result.audit.stuck).toEqual([]);
    expect(result.audit.failedRuns).toEqual([]);
    expect(result.audit.unreadable).toEqual([]);
  });

  it('never lets a run act on an event for another customer', () => {
    expect(result.audit.foreignEventsSent).toBeGreaterThan(0);
    expect(result.audit.crossCustomer).toEqual([]);
  });
});
