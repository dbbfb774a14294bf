// The raw-Temporal baseline of bench/scale.ts: one run per customer, started by signalWithStart, that runs one
// activity per event (the effect: a line appended and synced, as our tracking log does) and then waits, as a customer
// waits. No interpreter, no journeys. Its worker is a process of its own (bench/scale-raw-worker.ts), so its RSS and
// CPU are measured like ours.
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

export interface RawScaleEvent {
  id: string;
  customerId: string;
}
export const rawScaleEventSignal = defineSignal<[RawScaleEvent]>('rawScaleEvent');
interface RawScaleActivities {
  rawRecordEffect(eventId: string): Promise<void>;
}
const { rawRecordEffect } = proxyActivities<RawScaleActivities>({ startToCloseTimeout: '1 minute' });

/** One customer of the raw baseline: each event's effect once, then wait for the next event, for ever. */
export async function rawScaleCustomer(): Promise<void> {
  const pending: RawScaleEvent[] = [];
  setHandler(rawScaleEventSignal, (e) => void pending.push(e));
  for (;;) {
    await condition(() => pending.length > 0);
    await rawRecordEffect(pending.shift()!.id);
  }
}
