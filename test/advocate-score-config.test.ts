// The advocate score weights travel as the customer workflow's input, like the contact policy: the worker loads and
// checks definitions/advocate-score.json (or JOURNEY_ADVOCATE_SCORE) once, every customer workflow it starts scores
// with that config and keeps it over continue-as-new, and workflow code never reads the file (an edit cannot
// change a replayed history). A bad file is refused with every problem as data.
import { customerEventSignal, customerStateQuery, customerWorkflowId } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from '@temporalio/worker';
import {
  ADVOCATE_SCORE_FILE,
  AdvocateScoreConfigError,
  checkAdvocateScoreConfig,
  loadAdvocateScoreConfig,
  loadAdvocateScoreConfigFromEnv,
} from '../definitions/advocate-score.ts';
import { createJourneyWorker } from '../worker/worker.ts';
import { createContactActivities } from '../activities/contact/reserve-contact-slot.ts';
import { connectDevServer, terminateRunsOn, uniqueTaskQueue, workflowBundle, type DevServerClients } from './support/temporal.ts';

const root = join(import.meta.dirname, '..');
const shipped = JSON.parse(readFileSync(ADVOCATE_SCORE_FILE, 'utf8'));

describe('advocate score config file', () => {
  it('the shipped file loads (without $schema / $comment)', () => {
    const config = loadAdvocateScoreConfig();
    expect(config).toMatchObject({ halfLifeDays: 90, min: 0, max: 100 });
    expect(config).not.toHaveProperty('$comment');
    expect(config.signals.length).toBeGreaterThan(10);
  });

  it('a bad file is refused with every schema problem: file, line, pointer, message', () => {
    const source = JSON.stringify({ ...shipped, halfLifeDays: 0, weights: {}, tiers: [{ tier: 'gold' }] }, null, 2);
    const { value: config, diagnostics } = checkAdvocateScoreConfig(source, 'definitions/advocate-score.json');
    expect(config).toBeUndefined();
    const byPointer = Object.fromEntries(diagnostics.map((d) => [d.pointer, d]));
    expect(byPointer['/halfLifeDays']).toMatchObject({
      file: 'definitions/advocate-score.json',
      line: 4,
      message: 'must be > 0',
      severity: 'error',
    });
    expect(byPointer['/weights']).toMatchObject({ message: 'unknown key `weights`' });
    expect(byPointer['/tiers/0']).toMatchObject({ message: 'missing `minScore`' });
  });

  it('unknown events, duplicate ids and an empty range are named with a suggestion; the loader throws them all', () => {
    const bad = {
      ...shipped,
      min: 100,
      signals: [...shipped.signals, { ...shipped.signals[0] }, { id: 'typo', event: 'nps.submited', points: 1, reason: 'x' }],
    };
    const dir = mkdtempSync(join(tmpdir(), 'score-'));
    writeFileSync(join(dir, 'score.json'), JSON.stringify(bad, null, 2));
    const err = (() => {
      try {
        loadAdvocateScoreConfigFromEnv({ JOURNEY_ADVOCATE_SCORE: join(dir, 'score.json') });
      } catch (e) {
        return e;
      }
    })() as AdvocateScoreConfigError;
    expect(err).toBeInstanceOf(AdvocateScoreConfigError);
    expect(err.diagnostics.map((d) => [d.pointer, d.code])).toEqual([
      [`/signals/${shipped.signals.length}/id`, 'score.duplicateId'],
      [`/signals/${shipped.signals.length + 1}/event`, 'catalog.unknownEvent'],
      ['/max', 'score.range'],
    ]);
    expect(err.diagnostics[1].suggestion).toBe('did you mean `nps.submitted`?');
    expect(err.message).toContain('score.json');
  });

  it('workflow code does not read definitions/advocate-score.json (only its input, or the frozen legacy copy)', () => {
    const files = readdirSync(join(root, 'workflows'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const imports = /(from|import\()\s*['"][^'"]*definitions\/advocate-score\.json['"]/;
    const readers = files.filter((f) => imports.test(readFileSync(join(root, 'workflows', f), 'utf8')));
    expect(readers).toEqual([]);
  });
});

describe('the config as customer workflow input (dev server)', () => {
  let temporal: DevServerClients;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueTaskQueue('score-config');
  const run = Date.now().toString(36);
  beforeAll(async () => {
    temporal = await connectDevServer();
    worker = await createJourneyWorker({
      connection: temporal.workerConnection,
      namespace: 'default',
      taskQueue,
      activityDeps: { dataDir: '/nonexistent' },
      workflowBundle: workflowBundle(),
    });
    running = worker.run();
  });
  afterAll(async () => {
    await terminateRunsOn(temporal.client, taskQueue);
    worker?.shutdown();
    await running;
    await temporal?.close();
  });

  it('a customer workflow started with JOURNEY_ADVOCATE_SCORE weights scores with them, also after continue-as-new', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'score-'));
    const custom = {
      ...shipped,
      signals: shipped.signals.map((s: { id: string }) =>
        s.id === 'nps-promoter' ? { ...s, points: 50 } : s.id === 'milestone' ? { ...s, points: 1 } : s,
      ),
    };
    writeFileSync(join(dir, 'score.json'), JSON.stringify(custom, null, 2));
    const scoreConfig = loadAdvocateScoreConfigFromEnv({ JOURNEY_ADVOCATE_SCORE: join(dir, 'score.json') });
    // The activities start customer:<id> with the worker's defaults, as worker/main.ts builds them.
    const contact = createContactActivities({
      client: temporal.client,
      taskQueue,
      profileDefaults: { scoreConfig, continueAsNewAfter: 30 },
    });
    const customerId = `score-cfg-${run}`;
    await contact.reserveContactSlot({ customerId, journeyId: 'j', sendKey: `k-${run}`, at: '2026-03-10T10:00:00Z' });
    const handle = temporal.client.workflow.getHandle(customerWorkflowId(customerId));
    const now = () => new Date().toISOString();
    await handle.signal(customerEventSignal, {
      id: `nps-${run}`,
      type: 'nps.submitted',
      customerId,
      occurredAt: now(),
      data: { score: 10 },
    });
    const score = async () =>
      (
        (await temporal.client.workflow.getHandle(customerWorkflowId(customerId)).query(customerStateQuery)) as {
          advocate: { score: number };
        }
      ).advocate.score;
    expect(await score()).toBeCloseTo(50, 0); // the shipped file gives 25
    const firstRun = (await handle.describe()).runId;
    for (let i = 0; i < 25; i++)
      await handle.signal(customerEventSignal, {
        id: `m${i}-${run}`,
        type: 'milestone.reached',
        customerId,
        occurredAt: now(),
        data: { milestone: 'go-live' },
      });
    await expect
      .poll(async () => (await temporal.client.workflow.getHandle(customerWorkflowId(customerId)).describe()).runId, { timeout: 15_000 })
      .not.toBe(firstRun);
    await handle.signal(customerEventSignal, {
      id: `m-after-${run}`,
      type: 'milestone.reached',
      customerId,
      occurredAt: now(),
      data: { milestone: 'go-live' },
    });
    await expect.poll(score, { timeout: 10_000 }).toBeCloseTo(76, 0); // 50 + 26 × 1 (the shipped file would clamp at 100)
  }, 60_000);
});
