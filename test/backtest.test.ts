// journey backtest and journey diff on the time-skipping server, with the real interpreter and activities: a backtest
// of many customers at once gives each customer exactly what `journey simulate` of that customer's timeline alone
// gives; a diff of a version against itself is empty; a diff that lengthens the last reminder's delay moves exactly
// the third asks, later, and nothing else about the asks.
import { describe, expect, it, beforeAll } from 'vitest';
import { inject } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadJourneyFile } from '../definitions/loader.ts';
import type { CompiledPlan } from '../definitions/plan.ts';
import { runBacktest, type BacktestRun } from '../cli/replay/backtest.ts';
import { compareOutcomes } from '../cli/replay/compare.ts';
import { readEventsFile, type RecordedHistory } from '../cli/replay/events-file.ts';
import { summarizeBacktest } from '../cli/replay/outcomes.ts';
import { simulateTimeline, type Timeline } from '../cli/simulate/run-timeline.ts';
import { generateHistory, toNdjson } from './support/history-generator.ts';

const DAY = 86_400_000;

type Definition = { version: number; motions: { referral: { invite: { reminders: Array<{ after: string }> } } } };

async function planWith(change: (definition: Definition) => void): Promise<CompiledPlan> {
  const { plan } = await loadJourneyFile('definitions/journeys/nps-promoter-referral.json');
  const definition = structuredClone(plan!.definition) as unknown as Definition;
  change(definition);
  const dir = mkdtempSync(join(tmpdir(), 'backtest-plan-'));
  const file = join(dir, 'nps-promoter-referral.json');
  writeFileSync(file, JSON.stringify(definition));
  const { plan: changed, diagnostics } = await loadJourneyFile(file);
  if (!changed) throw new Error(JSON.stringify(diagnostics));
  return changed;
}

/** A customer's recorded events as a `journey simulate` timeline that starts at their first event. */
function timelineOf(history: RecordedHistory, customerId: string): Timeline {
  const events = history.byCustomer.get(customerId)!;
  const startMs = Date.parse(events[0].occurredAt);
  const last = Date.parse(events[events.length - 1].occurredAt);
  return {
    customerId,
    start: events[0].occurredAt,
    runDays: (history.toMs - last) / DAY,
    events: events.map((e) => ({
      id: e.id,
      day: (Date.parse(e.occurredAt) - startMs) / DAY,
      type: e.type,
      data: e.data,
      traits: e.traits,
      ...(e.customerId !== customerId ? { customerId: e.customerId } : {}),
    })),
  };
}

describe('journey backtest and diff (time-skipping server, real interpreter and activities)', () => {
  let v1: CompiledPlan;
  let history: RecordedHistory;
  let base: BacktestRun;
  const testServerPath = () => inject('testServerPath');

  beforeAll(async () => {
    v1 = (await loadJourneyFile('definitions/journeys/nps-promoter-referral.json')).plan!;
    // Starts in two days: a history in the future replays unshifted, so simulate can start each timeline at its own time.
    const dir = mkdtempSync(join(tmpdir(), 'backtest-history-'));
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, toNdjson(generateHistory({ customers: 16, days: 45, startMs: Date.now() + 2 * DAY, seed: 5 })));
    history = readEventsFile(file);
    rmSync(dir, { recursive: true, force: true }); // read into memory: nothing left in /tmp after the suite
    base = await runBacktest([v1], history, { testServerPath: testServerPath(), shards: 2 });
    expect(base.shiftMs).toBe(0);
  }, 400_000);

  it('each customer of a backtest gets exactly what journey simulate of their timeline alone gives (asks, moves, suppressions, rewards, referrals)', async () => {
    const t = base.outcome.totals;
    // The history exercises every part: asks, suppressions, rewards and referrals all happen.
    expect(t.asks).toBeGreaterThan(5);
    expect(t.suppressions).toBeGreaterThan(0);
    expect(t.referrals).toBeGreaterThan(0);
    const pick = (test: (c: (typeof base.outcome.customers)[number]) => boolean) => base.outcome.customers.find(test)!.customerId;
    const chosen = [
      ...new Set([
        pick((c) => c.suppressions.length > 0 && c.asks.length > 0),
        pick((c) => c.referrals.length > 0),
        pick((c) => c.asks.length >= 3),
        pick((c) => c.asks.length === 0),
      ]),
    ];
    for (const customerId of chosen) {
      const sim = await simulateTimeline(v1, timelineOf(history, customerId), { testServerPath: testServerPath() });
      const alone = summarizeBacktest({
        records: sim.records,
        sent: sim.sent,
        customerIds: [customerId],
        journeyIds: [v1.journeyId],
        shiftMs: 0,
        fromMs: history.fromMs,
        toMs: history.toMs,
      }).customers[0];
      expect(alone, customerId).toEqual(base.outcome.customers.find((c) => c.customerId === customerId));
    }
  }, 400_000);

  it('a diff of a version against itself is empty', async () => {
    const again = await runBacktest([v1], history, { testServerPath: testServerPath() });
    const diff = compareOutcomes(base.outcome, again.outcome);
    expect(diff.customers).toEqual([]);
    expect(diff.empty).toBe(true);
  }, 400_000);

  it('a diff that lengthens the second reminder (P7D → P14D) moves exactly the third asks, each a week later or out of the window', async () => {
    const v2 = await planWith((d) => {
      d.version = 2;
      d.motions.referral.invite.reminders[1].after = 'P14D';
    });
    const after = await runBacktest([v2], history, { testServerPath: testServerPath() });
    const diff = compareOutcomes(base.outcome, after.outcome);
    const thirdAsks = base.outcome.customers.flatMap((c) => c.asks.filter((a) => a.attempt === 3));
    expect(thirdAsks.length).toBeGreaterThan(0);
    const moved = diff.customers.flatMap((c) => c.asksMoved);
    const removed = diff.customers.flatMap((c) => c.asksRemoved);
    expect(diff.customers.flatMap((c) => c.asksAdded)).toEqual([]);
    // Only third asks change, and every third ask changes: a week later, or past the end of the window.
    expect([...moved, ...removed].every((a) => a.attempt === 3)).toBe(true);
    expect(moved.length + removed.length).toBe(thirdAsks.length);
    for (const m of moved) expect(Date.parse(m.to) - Date.parse(m.from)).toBeGreaterThanOrEqual(7 * DAY - 3_600_000);
    // A third ask drops out only when its new due time is past the window or past the Activate deadline (P21D after
    // the first ask, when the run stops asking), or the customer did something recorded in the week it was pushed by
    // (a referral ends the asking, an escalation holds it).
    for (const c of diff.customers)
      for (const r of c.asksRemoved) {
        const due = Date.parse(r.at) + 7 * DAY;
        const firstAsk = Date.parse(base.outcome.customers.find((x) => x.customerId === c.customerId)!.asks[0].at);
        const between = history.byCustomer.get(c.customerId)!.filter((e) => {
          const at = Date.parse(e.occurredAt);
          return at > Date.parse(r.at) && at <= due;
        });
        const pastDeadline = due + 3_600_000 >= firstAsk + 21 * DAY;
        expect(due > history.toMs || pastDeadline || between.length > 0, `${r.sendKey} removed with nothing in its way`).toBe(true);
      }
    expect(diff.total.asksMoved + diff.total.asksRemoved).toBe(thirdAsks.length);
  }, 400_000);
});
