// Raw-Temporal baselines for the benchmarks: the least a workflow can do for the same job, with no interpreter.
// Bundled on its own (bundleWorkflowCode) and run by a plain Worker on its own task queue.
import { condition, defineSignal, proxyActivities, setHandler, sleep } from '@temporalio/workflow';

export const baselineEventSignal = defineSignal<[unknown]>('baselineEvent');

/** Ingest baseline: started by signalWithStart, keeps the signalled events, ends once it has one. */
export async function rawIngestBaseline(): Promise<number> {
  const events: unknown[] = [];
  setHandler(baselineEventSignal, (e) => void events.push(e));
  await condition(() => events.length > 0);
  return events.length;
}

/** One step of the journey baseline: a durable timer, or one no-op activity. */
export type BaselineStep = { timerMs: number } | { activity: string };

interface BaselineActivities {
  rawBaselineActivity(name: string, key: string): Promise<string>;
}
const { rawBaselineActivity } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '1 minute' });

/** Journey baseline: the same timers and activities a journey cycle schedules, in order, with nothing around them. */
export async function rawJourneyBaseline(steps: BaselineStep[]): Promise<number> {
  const events: unknown[] = [];
  setHandler(baselineEventSignal, (e) => void events.push(e));
  let i = 0;
  for (const step of steps) {
    if ('timerMs' in step) await sleep(step.timerMs);
    else await rawBaselineActivity(step.activity, String(i));
    i++;
  }
  return events.length;
}
