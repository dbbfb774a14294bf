// Raw-Temporal baselines for the benchmarks: the least a workflow can do for the same job, with no interpreter.
// Bundled on its own (bundleWorkflowCode) and run by a plain Worker on its own task queue.
import { condition, defineQuery, defineSignal, proxyActivities, proxyLocalActivities, setHandler, sleep } from '@temporalio/workflow';

export const baselineEventSignal = defineSignal<[unknown]>('baselineEvent');
/** How many events the run has received: lets a driver look at it as it looks at a journey run. */
export const baselineStateQuery = defineQuery<{ events: number }>('baselineState');

/** Ingest baseline: started by signalWithStart, keeps the signalled events, ends once it has one. */
export async function rawIngestBaseline(): Promise<number> {
  const events: unknown[] = [];
  setHandler(baselineEventSignal, (e) => void events.push(e));
  await condition(() => events.length > 0);
  return events.length;
}

interface EffectActivities {
  rawIngestEffect(eventId: string): Promise<void>;
}
const effect = proxyActivities<EffectActivities>({ startToCloseTimeout: '1 minute' });

/** Ingest baseline with an effect: started by signalWithStart, runs one activity for the signalled event (the least
 *  "event → effect" can be: bench/ingest.ts times it against ours, event → the journey's delight record). */
export async function rawIngestEffectBaseline(): Promise<number> {
  const events: Array<{ id?: unknown }> = [];
  setHandler(baselineEventSignal, (e) => void events.push(e as { id?: unknown }));
  await condition(() => events.length > 0);
  await effect.rawIngestEffect(String(events[0]?.id));
  return events.length;
}

/** One step of the journey baseline: a durable timer, one no-op activity, or one no-op local activity (a marker). */
export type BaselineStep = { timerMs: number } | { activity: string } | { localActivity: string };

interface BaselineActivities {
  rawBaselineActivity(name: string, key: string): Promise<string>;
}
const { rawBaselineActivity } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '1 minute' });
const local = proxyLocalActivities<BaselineActivities>({ startToCloseTimeout: '10 seconds' });

function runStep(step: BaselineStep, key: string): Promise<unknown> {
  if ('timerMs' in step) return sleep(step.timerMs);
  if ('activity' in step) return rawBaselineActivity(step.activity, key);
  return local.rawBaselineActivity(step.localActivity, key);
}

/**
 * Journey baseline: the same timers and activities a journey cycle schedules, with nothing around them. Steps come
 * in groups, one per workflow task of the journey run that scheduled them; a group's steps run at once, as there.
 */
export async function rawJourneyBaseline(groups: BaselineStep[][]): Promise<number> {
  const events: unknown[] = [];
  setHandler(baselineEventSignal, (e) => void events.push(e));
  setHandler(baselineStateQuery, () => ({ events: events.length }));
  let i = 0;
  for (const group of groups) {
    await Promise.all(group.map((step) => runStep(step, String(i++))));
  }
  return events.length;
}
