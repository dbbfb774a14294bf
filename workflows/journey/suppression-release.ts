// The end of a suppression is a fact like its start: a bad signal's hold, or the cool-down after the last open issue
// resolved, ends at a known time, and `suppression.released` is recorded then, whatever stage the run is in (a run
// held while listening has no wait of its own at that time). A small watcher beside the stage loop sleeps until the
// next end; it costs a timer only while a hold is pending. `released` marks on the state (carried over
// continue-as-new) keep each end recorded once.
import { condition } from '@temporalio/workflow';
import { track, type RunContext } from './context.ts';
import { showProgress } from './visibility.ts';

interface Release {
  at: number;
  record(): void;
}

/** The earliest hold end not yet recorded. */
function nextRelease(ctx: RunContext): Release | undefined {
  const s = ctx.state.suppression;
  const candidates: Release[] = [];
  const hold = s.hold;
  if (hold && !hold.released) {
    candidates.push({
      at: Date.parse(hold.until),
      record: () => {
        hold.released = true;
        track(ctx, 'suppression.released', { rule: hold.rule, effect: 'hold', reason: hold.reason, since: hold.at, until: hold.until });
      },
    });
  }
  const after = s.afterResolve;
  if (after && !after.released) {
    candidates.push({
      at: Date.parse(after.until),
      record: () => {
        after.released = true;
        // Another issue opened meanwhile: the customer is still held; its own resolve brings a new cool-down.
        if (s.openIssues.length > 0) return;
        track(ctx, 'suppression.released', { rule: after.rule, effect: 'while-open', reason: after.reason, until: after.until });
      },
    });
  }
  return candidates.sort((a, b) => a.at - b.at)[0];
}

export function startReleaseWatcher(ctx: RunContext): void {
  void watch(ctx);
}

/** What the watcher's timer depends on: it re-arms only when a hold starts, moves or ends (not on every event). */
function holdsNow(ctx: RunContext): string {
  const { hold, afterResolve } = ctx.state.suppression;
  return JSON.stringify([hold?.until, hold?.released, afterResolve?.until, afterResolve?.released]);
}

async function watch(ctx: RunContext): Promise<void> {
  for (;;) {
    if (ctx.trackingWriter.closed) return;
    const next = nextRelease(ctx);
    const seen = holdsNow(ctx);
    const woke = () => holdsNow(ctx) !== seen || ctx.trackingWriter.closed;
    if (!next) {
      await condition(woke);
      continue;
    }
    const ms = next.at - ctx.now();
    if (ms > 0 && (await condition(woke, ms))) continue;
    if (ctx.trackingWriter.closed) return;
    next.record();
    if (ctx.state.stage !== 'ended') showProgress(ctx);
  }
}
