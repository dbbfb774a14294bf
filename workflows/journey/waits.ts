// Every wait of the interpreter: until a time (a durable timer), until something changes, or until an operator
// skips it. The caller always re-reads the state afterwards: a bad signal that lands in the same workflow task as
// the timer has already been applied by then (signals are handled before timers fire).
// A wait that its stage can resume in a fresh run (`mayHandOver`) also ends when the run should hand over to a fresh
// history ('handover'): the caller returns up to the interpreter, which continues as new with the stage in the
// carried state (journey/handover.ts).
import { condition } from '@temporalio/workflow';
import { iso, stopRequested, type RunContext } from './context.ts';
import { handoverDue } from './handover.ts';
import { showProgress } from './visibility.ts';

export type WaitResult = 'elapsed' | 'skipped' | 'changed' | 'handover';

/** Waits until `untilMs` (or forever), waking early on a skip, a change, a stop, a handover (`mayHandOver`), or
 *  `alsoWakeOn`. A wait that is itself part of stopping (`whileStopped`) does not wake on the stop it is in, or it would spin. */
export async function waitUntil(
  ctx: RunContext,
  untilMs: number | undefined,
  what: string,
  alsoWakeOn?: () => boolean,
  whileStopped = false,
  mayHandOver = false,
): Promise<WaitResult> {
  const handover = () => mayHandOver && ctx.handoverInWaits && handoverDue(ctx);
  if (handover()) return 'handover';
  ctx.state.nextAction = { what, at: untilMs === undefined ? undefined : iso(untilMs) };
  showProgress(ctx);
  const skips = ctx.skipRequests;
  const changes = ctx.changes;
  const wakeUp = () =>
    ctx.skipRequests !== skips || (!whileStopped && stopRequested(ctx)) || ctx.changes !== changes || Boolean(alsoWakeOn?.()) || handover();
  if (untilMs === undefined) {
    await condition(wakeUp);
  } else {
    const ms = untilMs - ctx.now();
    if (ms > 0) await condition(wakeUp, ms, { summary: what.slice(0, 100) });
  }
  if (ctx.skipRequests !== skips) return 'skipped';
  if (untilMs !== undefined && ctx.now() >= untilMs) return 'elapsed';
  if (handover()) return 'handover';
  return 'changed';
}
