// Who a referral code or a status token belongs to, read from the advocate's live run (the journeyState query on
// journey:<journeyId>:<customerId>): never from a second store, never by ending anything. The referral page's
// answers are cached briefly (a code is shared and opened many times; a fresh query each time would put the
// Temporal round trip, and a replay when the run is not in the worker's cache, on every visitor's request).
import { WorkflowNotFoundError } from '@temporalio/client';
import { journeyStateQuery, journeyWorkflowId, type JourneySnapshot } from '../../workflows/contract/index.ts';
import type { CompiledPlan } from '../../definitions/plan.ts';
import type { ApiContext } from '../context.ts';
import { withDeadline } from '../temporal-calls.ts';
import { DEV_REFERRAL_CODE_SECRET, resolveReferralCode } from '../referral-code.ts';

export type CodeLookup =
  | { kind: 'active'; customerId: string; plan: CompiledPlan; state: JourneySnapshot }
  /** Not a code this engine minted (or a malformed one). */
  | { kind: 'unknown' }
  /** Ours, but no longer usable: the journey is not active, the run is gone or ended, the advocate opted out. */
  | { kind: 'revoked'; reason: string };

const TTL_MS = 15_000;
const MAX_ENTRIES = 10_000;

/** The advocate's live run state, or undefined when there is no open run. Throws when Temporal does not answer. */
export async function queryRun(ctx: ApiContext, journeyId: string, customerId: string): Promise<JourneySnapshot | undefined> {
  try {
    return await withDeadline(ctx, () => ctx.client.workflow.getHandle(journeyWorkflowId(journeyId, customerId)).query(journeyStateQuery));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

export class ReferralCodeLookup {
  private readonly cache = new Map<string, { at: number; answer: Promise<CodeLookup> }>();

  constructor(private readonly ctx: ApiContext) {}

  /** `fresh`: skip the cache. */
  lookup(code: string, opts: { fresh?: boolean } = {}, nowMs: number = Date.now()): Promise<CodeLookup> {
    const hit = this.cache.get(code);
    if (hit && !opts.fresh && nowMs - hit.at < TTL_MS) return hit.answer;
    const answer = this.fresh(code);
    this.cache.set(code, { at: nowMs, answer });
    if (this.cache.size > MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    // A failed query is not an answer: the next visitor asks again.
    answer.catch(() => this.cache.get(code)?.answer === answer && this.cache.delete(code));
    return answer;
  }

  private async fresh(code: string): Promise<CodeLookup> {
    const active = this.ctx.registry.current().filter((p) => p.definition.status === 'active');
    const secret = this.ctx.opts.referralCodeSecret ?? DEV_REFERRAL_CODE_SECRET;
    const all = this.ctx.registry.current().map((p) => p.journeyId);
    const resolved = /^[A-Za-z0-9_-]{4,300}$/.test(code) ? resolveReferralCode(secret, code, all) : undefined;
    if (!resolved) return { kind: 'unknown' };
    // An old `ref_` code names no journey: the journey whose run carries it is the one that asked.
    const candidates = resolved.journeyId ? active.filter((p) => p.journeyId === resolved.journeyId) : active;
    if (candidates.length === 0) return { kind: 'revoked', reason: 'the journey that sent this code is not active' };
    for (const plan of candidates) {
      const state = await queryRun(this.ctx, plan.journeyId, resolved.customerId);
      if (!state || state.referralCode !== code) continue;
      if (state.stage === 'ended' || state.ended) return { kind: 'revoked', reason: 'the advocate’s journey has ended' };
      if (state.suppression.optedOut) return { kind: 'revoked', reason: 'the advocate opted out' };
      return { kind: 'active', customerId: resolved.customerId, plan, state };
    }
    return { kind: 'revoked', reason: 'no open run carries this code' };
  }
}
