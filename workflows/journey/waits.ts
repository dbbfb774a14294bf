// Every wait of the interpreter: until a time (a durable timer), until something changes, or until an operator
// skips it. The caller always re-reads the state afterwards: a bad signal that lands in the same workflow task as
// the timer has already been applied by then (signals are handled before timers fire).
// A wait that its stage can resume in a fresh run (`mayHandOver`) also ends when the run should hand over to a fresh
// history ('handover'): the caller returns up to the interpreter, which continues as new with the stage in the
// carried state (journey/handover.ts).
import { condition } from '@temporalio/workflow';
import { readableReason } from '../../definitions/readable.ts';
import { iso, stopRequested, type RunContext } from './context.ts';
import { handoverDue } from './handover.ts';
import { readerZone } from './state.ts';
import { showProgress } from './visibility.ts';

export type WaitResult = 'elapsed' | 'skipped' | 'changed' | 'handover';

export interface WaitOptions {
  /** Until this workflow time (ms); without it the wait lasts until something wakes it. */
  until?: number;
  /** Also wake when this holds (an action arrived, a reward was converted, ...). */
  alsoWakeOn?: () => boolean;
  /** The wait is itself part of stopping (opted out, ended): a stop must not wake it, or it would spin. */
  whileStopped?: boolean;
  /** The stage can be resumed by a fresh run: end the wait with 'handover' when the run should hand over. */
  mayHandOver?: boolean;
}

/** Waits as `options` say, waking early on a skip, a change, a stop, a handover (`mayHandOver`) or `alsoWakeOn`;
 *  `what` is what operators see as the run's next action. */
export async function waitUntil(ctx: RunContext, what: string, options: WaitOptions = {}): Promise<WaitResult> {
  const { until, alsoWakeOn, whileStopped = false, mayHandOver = false } = options;
  const handover = () => mayHandOver && handoverDue(ctx);
  if (handover()) return 'handover';
  // In words an operator reads (instants in the customer's zone and UTC, durations as "2 days"), in the state,
  // the Current Details and the timer's summary alike.
  const said = readableReason(what, readerZone(ctx.state.traits));
  ctx.state.nextAction = { what: said, at: until === undefined ? undefined : iso(until) };
  showProgress(ctx);
  const skips = ctx.skipRequests;
  const changes = ctx.changes;
  const wakeUp = () =>
    ctx.skipRequests !== skips || (!whileStopped && stopRequested(ctx)) || ctx.changes !== changes || Boolean(alsoWakeOn?.()) || handover();
  if (until === undefined) {
    await condition(wakeUp);
  } else {
    const ms = until - ctx.now();
    if (ms > 0) await condition(wakeUp, ms, { summary: said.slice(0, 100) });
  }
  if (ctx.skipRequests !== skips) return 'skipped';
  if (until !== undefined && ctx.now() >= until) return 'elapsed';
  if (handover()) return 'handover';
  return 'changed';
}
