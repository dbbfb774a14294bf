// The replay engine's own bookkeeping, on the time-skipping server: the progress bar counts the replayed history (not
// the empty server time before its first event), and the SDK's per-promise stack traces are off while a replay runs
// (they cost a fifth of the replay's node CPU and answer only a stack-trace query nobody sends to a replay), and back
// on for the rest of the process once it ends.
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadJourneyFile } from '../definitions/loader.ts';
import { replay } from '../cli/replay/engine.ts';
import { firstEventMs, simulatedProgress } from '../cli/replay/progress.ts';
import { workflowStackTracesOn } from '../cli/replay/workflow-stack-traces.ts';
import { generateHistory } from './support/history-generator.ts';

const DAY = 86_400_000;

describe('the replay engine keeps its own books cheaply and truthfully', () => {
  it('progress counts the replayed history: 0 % until its first event, however long the empty lead-in, 100 % at its end', () => {
    const serverStart = Date.parse('2026-12-03T12:00:00Z');
    const customers = new Map([
      ['a', [{ occurredAt: '2027-06-10T00:00:00Z' }, { occurredAt: '2027-06-20T00:00:00Z' }]],
      ['b', [{ occurredAt: '2027-06-01T00:00:00Z' }]],
    ]);
    const startMs = firstEventMs(customers)!;
    expect(new Date(startMs).toISOString()).toBe('2027-06-01T00:00:00.000Z');
    const window = { startMs: Math.max(serverStart, startMs), untilMs: startMs + 90 * DAY };
    // 180 days of lead-in are skipped in a second: they are not 2/3 of the bar.
    expect(simulatedProgress(startMs - 1, window)).toBe(0);
    expect(simulatedProgress(serverStart, window)).toBe(0);
    expect(simulatedProgress(startMs + 45 * DAY, window)).toBeCloseTo(0.5, 6);
    expect(simulatedProgress(startMs + 90 * DAY, window)).toBe(1);
    expect(simulatedProgress(startMs + 99 * DAY, window)).toBe(1);
    expect(firstEventMs(new Map())).toBeUndefined();
  });

  it('while a replay runs, the SDK records no stack trace per promise; once it ends, the process has them back', async () => {
    const { plan } = await loadJourneyFile('definitions/journeys/nps-promoter-referral.json');
    const dataDir = mkdtempSync(join(tmpdir(), 'replay-stack-traces-'));
    const seenDuringRun: boolean[] = [];
    const fractions: number[] = [];
    try {
      const result = await replay(
        {
          plans: [plan!],
          dataDir,
          testServerPath: inject('testServerPath'),
          shards: 2,
          onProgress: (f) => fractions.push(f),
          async atEnd() {
            seenDuringRun.push(workflowStackTracesOn());
          },
        },
        (now) => {
          // The history starts 30 days after the server's clock: a lead-in the progress must not count.
          const events = generateHistory({ customers: 4, days: 20, startMs: now + 30 * DAY, seed: 3 });
          const customers = new Map<string, typeof events>();
          for (const e of events) {
            const owner = e.type === 'deal.closed_won' ? String(e.data.referrerId) : e.customerId;
            customers.set(owner, [...(customers.get(owner) ?? []), e]);
          }
          return { customers, untilMs: now + 50 * DAY };
        },
      );
      // The runs worked: the promoters were asked.
      expect(result.sent.length).toBeGreaterThan(0);
      expect(seenDuringRun).toEqual([false, false]);
      // The workers created by the replay installed the hook; it is back for whatever runs next in this process.
      expect(workflowStackTracesOn()).toBe(true);
      expect(fractions.at(-1)).toBe(1);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
