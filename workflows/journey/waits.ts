// Every wait of the interpreter: until a time (a durable timer), until something changes, or until an operator
// skips it. The caller always re-reads the state afterwards: a bad signal that lands in the same workflow task as
// the timer has already been applied by then (signals are handled before timers fire).
import { condition } from '@temporalio/workflow';
import { iso, stopRequested, type RunContext } from './context.ts';
import { showProgress } from './visibility.ts';

export type WaitResult = 'elapsed' | 'skipped' | 'changed';

/** Waits until `untilMs` (or forever), waking early on a skip, a change, a stop, or `alsoWakeOn`. A wait that is
 *  itself part of stopping (`whileStopped`) does not wake on the stop it is in, or it would spin. */
export async function waitUntil(ctx: RunContext, untilMs: number | undefined, what: string, alsoWakeOn?: () => boolean, whileStopped = false): Promise<WaitResult> {
  ctx.state.nextAction = { what, at: untilMs === undefined ? undefined : iso(untilMs) };
  showProgress(ctx);
  const skips = ctx.skipRequests;
  const changes = ctx.changes;
  const wakeUp = () => ctx.skipRequests !== skips || (!whileStopped && stopRequested(ctx)) || ctx.changes !== changes || Boolean(alsoWakeOn?.());
  if (untilMs === undefined) {
    await condition(wakeUp);
  } else {
    const ms = untilMs - ctx.now();
    if (ms > 0) await condition(wakeUp, ms, { summary: what.slice(0, 100) });
  }
  if (ctx.skipRequests !== skips) return 'skipped';
  if (untilMs !== undefined && ctx.now() >= untilMs) return 'elapsed';
  return 'changed';
}
