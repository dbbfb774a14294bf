// A backtest: a recorded history replayed through the real engine (engine.ts) for the given journey versions, in a
// scratch data folder (removed afterwards unless kept), summarized per customer and in total (outcomes.ts).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompiledPlan } from '../../definitions/plan.ts';
import type { CustomerProfileDefaults } from '../../workflows/contract/index.ts';
import { replay } from './engine.ts';
import { replayShiftMs, shiftedEvents, type RecordedHistory } from './events-file.ts';
import { summarizeBacktest, type BacktestOutcome } from './outcomes.ts';

export interface BacktestOptions {
  testServerPath: string;
  customerDefaults?: CustomerProfileDefaults;
  shards?: number;
  /** Keep the scratch data folder (outbox, tracking log) here; default: a temporary folder, removed at the end. */
  outDir?: string;
  onProgress?(fraction: number): void;
  log?(line: string): void;
}

export interface BacktestRun {
  outcome: BacktestOutcome;
  /** How much later than recorded the history was replayed (every reported time is moved back by it). */
  shiftMs: number;
  zoneOf(customerId: string): string;
}

/** The customer's zone: the last traits.timezone their events carried, else the journey's default, else UTC. */
export function zonesOf(history: RecordedHistory, plans: CompiledPlan[]): (customerId: string) => string {
  const first = plans[0]?.definition.motions;
  const fallback = (first && Object.values(first)[0]?.invite.sendWindow.defaultTimezone) || 'UTC';
  const zones = new Map<string, string>();
  for (const [id, events] of history.byCustomer) {
    const zone = [...events].reverse().find((e) => typeof e.traits?.timezone === 'string')?.traits?.timezone;
    zones.set(id, typeof zone === 'string' ? zone : fallback);
  }
  return (id) => zones.get(id) ?? fallback;
}

export async function runBacktest(plans: CompiledPlan[], history: RecordedHistory, opts: BacktestOptions): Promise<BacktestRun> {
  if (opts.outDir) mkdirSync(opts.outDir, { recursive: true });
  const dataDir = opts.outDir ?? mkdtempSync(join(tmpdir(), 'journey-backtest-'));
  try {
    let shiftMs = 0;
    const { records, sent } = await replay(
      {
        plans,
        dataDir,
        testServerPath: opts.testServerPath,
        customerDefaults: opts.customerDefaults,
        shards: opts.shards,
        onProgress: opts.onProgress,
        log: opts.log,
      },
      (now) => {
        // A little room after the servers' start, so the first event is not already past when the feeders start.
        shiftMs = replayShiftMs(history.fromMs, now + 60_000);
        return { customers: shiftedEvents(history, shiftMs), untilMs: history.toMs + shiftMs };
      },
    );
    const outcome = summarizeBacktest({
      records,
      sent,
      customerIds: [...history.byCustomer.keys()],
      journeyIds: plans.map((p) => p.journeyId),
      shiftMs,
      fromMs: history.fromMs,
      toMs: history.toMs,
    });
    return { outcome, shiftMs, zoneOf: zonesOf(history, plans) };
  } finally {
    if (!opts.outDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
