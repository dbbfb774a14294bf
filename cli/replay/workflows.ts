// The workflow bundle a replay runs: every workflow the worker registers (unchanged), plus one feeder per customer
// that plays that customer's recorded events back at their recorded times. The feeder waits on a workflow timer,
// so the time-skipping server jumps straight to the next event of any customer, and hands each event to the
// `deliverRecordedEvent` activity, which routes it exactly as the API does (cli/replay/deliver.ts). Time stands still
// while an activity runs, so an event is delivered at its own instant, however loaded the machine.
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { JourneyEvent } from '../../workflows/contract/index.ts';

export * from '../../workflows/index.ts';

export const RECORDED_EVENT_FEEDER = 'recordedEventFeeder';

const { deliverRecordedEvent } = proxyActivities<{ deliverRecordedEvent(event: JourneyEvent): Promise<void> }>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 5 },
});

/** Delivers one customer's events in order, each at its occurredAt (workflow time); returns how many it delivered. */
export async function recordedEventFeeder(input: { events: JourneyEvent[] }): Promise<number> {
  for (const event of input.events) {
    const wait = Date.parse(event.occurredAt) - Date.now();
    if (wait > 0) await sleep(wait);
    await deliverRecordedEvent(event);
  }
  return input.events.length;
}
