// The demo behind `npm start`: demo copies of the shipped journeys compile with the real compiler, and the
// driver plays a generated population through the real API on the dev server, resuming without sending twice.
import { journeyEventSignal } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { JOURNEYS_DIR, loadJourneyDir } from '../definitions/loader.ts';
import { PlanRegistry } from '../api/registry.ts';
import { writeDemoJourneys, scaleDuration } from '../scripts/demo/demo-journeys.ts';
import { demoEventId, demoPopulation } from '../scripts/demo/population.ts';
import { DemoDriver } from '../scripts/demo/driver.ts';
import { operatorLinks } from '../scripts/demo/ui-links.ts';
import { waitFor } from './support/wait.ts';
import { signalsIn, startApi, type ApiFixture } from './api/support.ts';

describe('demo copies of the shipped journeys', () => {
  const out = mkdtempSync(join(tmpdir(), 'demo-journeys-'));

  it('compile without errors, with days shrunk to seconds and send windows opened', async () => {
    const files = writeDemoJourneys(JOURNEYS_DIR, out, { daySeconds: 2 });
    expect(files.length).toBeGreaterThanOrEqual(4);
    const { plans, diagnostics } = await loadJourneyDir(out);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(plans).toHaveLength(files.length);
    const nps = plans.find((p) => p.journeyId === 'nps-promoter-referral')!;
    const invite = nps.definition.motions.referral.invite!;
    expect(invite.firstAskDelay).toBe('PT4S'); // P2D at 2 s a day
    expect(invite.sendWindow?.days).toHaveLength(7);
    expect(nps.definition.contactPolicy?.quietHours).toBeUndefined();
    expect(nps.name).toContain('(demo: 1 day = 2s)');
  });

  it('are identical on every start, so a restart keeps the same plan hashes', async () => {
    const first = (await loadJourneyDir(out)).plans.map((p) => p.hash);
    writeDemoJourneys(JOURNEYS_DIR, out, { daySeconds: 2 });
    expect((await loadJourneyDir(out)).plans.map((p) => p.hash)).toEqual(first);
  });

  it('scale durations but never below a second', () => {
    expect(scaleDuration('P90D', { daySeconds: 2 })).toBe('PT3M');
    expect(scaleDuration('PT4H', { daySeconds: 2 })).toBe('PT1S');
  });
});

describe('the demo driver', () => {
  let f: ApiFixture;
  let apiUrl: string;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-journeys-'));
    writeDemoJourneys(JOURNEYS_DIR, dir, { daySeconds: 2 });
    const { plans } = await loadJourneyDir(dir);
    f = await startApi({ registry: PlanRegistry.of(plans) });
    apiUrl = await f.api.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => f?.close());

  it('sends each due event once through the API, saves progress, and resends nothing twice after losing it', async () => {
    const prefix = `demo-${randomUUID().slice(0, 6)}`;
    const population = demoPopulation(2, 1, prefix); // promoter-refers at 0 s, escalation-before-ask at 1 s (+1 s)
    const progressFile = join(mkdtempSync(join(tmpdir(), 'demo-progress-')), 'progress.json');
    const lines: string[] = [];
    const options = { apiUrl, apiKey: 'ingest-key', customers: population, progressFile, log: (l: string) => lines.push(l), tickMs: 50 };

    const first = new DemoDriver(options);
    void first.start();
    // demo-001's NPS at 0 s, demo-002's NPS at 1 s and its escalation at 2 s.
    await waitFor('three events', () => first.state().eventsSent >= 3);
    await first.stop();
    const saved = JSON.parse(readFileSync(progressFile, 'utf8'));
    expect(saved.sent).toEqual({ [`${prefix}-001`]: 1, [`${prefix}-002`]: 2 });
    expect(saved.elapsedSeconds).toBeGreaterThanOrEqual(2);
    expect(saved.refused).toEqual([]);

    const [c1, c2] = population;
    const npsRun = `journey:nps-promoter-referral:${c1.id}`;
    const signalled = await signalsIn(f.temporal, npsRun, journeyEventSignal);
    expect(signalled.map((e) => e.id)).toEqual([demoEventId(c1.id, 0, c1.steps[0])]);
    expect(signalled[0].traits?.email).toMatch(/@.+\.example$/);

    // Progress lost (e.g. the file deleted): the same deterministic ids are sent again and the API drops them.
    writeFileSync(progressFile, JSON.stringify({ elapsedSeconds: saved.elapsedSeconds, sent: {}, refused: [] }));
    const second = new DemoDriver(options);
    expect(second.demoSeconds()).toBeGreaterThanOrEqual(saved.elapsedSeconds);
    void second.start();
    await waitFor('the replay', () => second.state().eventsSent >= 3);
    await second.stop();
    expect(await signalsIn(f.temporal, npsRun, journeyEventSignal)).toHaveLength(1);
    const escalationRun = `journey:nps-promoter-referral:${c2.id}`;
    expect((await signalsIn(f.temporal, escalationRun, journeyEventSignal)).map((e) => e.type)).toEqual([
      'nps.submitted',
      'escalation.opened',
    ]);
  });

  it('prints Temporal UI links with URL-encoded visibility queries', () => {
    const links = operatorLinks('http://127.0.0.1:8233', 'default', { customerId: 'demo-001', stages: ['activate'] });
    const current = '%20AND%20ExecutionStatus%20%3D%20%22Running%22';
    expect(links.map((l) => l.url)).toEqual([
      `http://127.0.0.1:8233/namespaces/default/workflows?query=WorkflowType%20%3D%20%22advocacyJourney%22${current}`,
      `http://127.0.0.1:8233/namespaces/default/workflows?query=CustomerId%20%3D%20%22demo-001%22${current}`,
      `http://127.0.0.1:8233/namespaces/default/workflows?query=JourneyStage%20%3D%20%22activate%22${current}`,
      `http://127.0.0.1:8233/namespaces/default/workflows?query=JourneyStage%20%3D%20%22reward%22${current}`,
      `http://127.0.0.1:8233/namespaces/default/workflows?query=Suppressed%20%3D%20true${current}`,
    ]);
  });
});
