// Handing a long-lived run over to a fresh history (continue-as-new) from any long wait, not only between cycles:
// when the server suggests it, when the history reaches the run's limit, or when an operator asks for it (the
// handOver update, so that no run's history predates a patch that is to be removed: docs/versioning.md). The stage,
// its asks and any reward still held travel in the carried state, so the next run picks the wait up where this one
// left it.
import { workflowInfo } from '@temporalio/workflow';
import type { RunContext } from './context.ts';
import { carry, type CarriedState } from './state.ts';

/** The default history limit per run (events); the profile workflow uses the same idea (workflows/customer/profile.ts). */
export const DEFAULT_HISTORY_LIMIT = 2000;

/** Whether the run should hand over at its next safe point (a wait its stage can resume in a fresh run). */
export function handoverDue(ctx: RunContext): boolean {
  if (ctx.handoverRequested) return true;
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= ctx.historyLimit;
}

/** The state the next run starts from. `inStage`: the handover happened inside a stage, which the next run resumes. */
export function carriedState(ctx: RunContext, inStage: boolean): CarriedState {
  const { state } = ctx;
  const carried: CarriedState = { ...carry(state), trackingSeq: ctx.trackingSeq };
  if (inStage && !state.ended) {
    carried.resume = { stage: state.stage, attempts: state.attempts, asks: state.asks };
    // Not at Listen: a migrate-at-listen upgrade waits for the next run's Listen.
    if (ctx.upgrade) carried.pendingUpgrade = ctx.upgrade;
  }
  return carried;
}
