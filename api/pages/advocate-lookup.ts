// Who a referral code or a status token belongs to, read from the advocate's live run (the journeyState query on
// journey:<journeyId>:<customerId>): never from a second store, never by ending anything. The referral page's
// answers are cached briefly (a code is shared and opened many times; a fresh query each time would put the
// Temporal round trip, and a replay when the run is not in the worker's cache, on every visitor's request).
// Revocation: an opt-out this API process took drops the advocate's cached answers at once (api/advocate-revocations.ts);
// a journey no longer active in this process's registry is refused on the cached answer too. Another process's
// opt-out reaches this one's visitors within the cache's 15 s, but never a submission: confirm() asks the Temporal
// server for the run's stage (describe: the server's own record, no worker involved) before a referral is sent.
import { WorkflowNotFoundError } from '@temporalio/client';
import { JourneyStage, Suppressed, journeyStateQuery, journeyWorkflowId, type JourneySnapshot } from '../../workflows/contract/index.ts';
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

export const LOOKUP_TTL_MS = 15_000;
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

/** Stages of a run that takes no more referrals (the run rests in them, taking events and never acting). */
const CLOSED_STAGES = new Set(['ended', 'opted-out']);

export class ReferralCodeLookup {
  private readonly cache = new Map<string, { at: number; customerId?: string; answer: Promise<CodeLookup> }>();

  constructor(private readonly ctx: ApiContext) {}

  /** Drops every cached answer about this advocate: the next visit asks their run. */
  forgetCustomer(customerId: string): void {
    for (const [code, entry] of this.cache) if (entry.customerId === customerId) this.cache.delete(code);
  }

  /** `fresh`: skip the cache. */
  lookup(code: string, opts: { fresh?: boolean } = {}, nowMs: number = Date.now()): Promise<CodeLookup> {
    const hit = this.cache.get(code);
    if (hit && !opts.fresh && nowMs - hit.at < LOOKUP_TTL_MS) return hit.answer.then((answer) => this.stillActive(answer));
    const answer = this.fresh(code);
    const secret = this.ctx.opts.referralCodeSecret ?? DEV_REFERRAL_CODE_SECRET;
    const all = this.ctx.registry.current().map((p) => p.journeyId);
    const customerId = /^[A-Za-z0-9_-]{4,300}$/.test(code) ? resolveReferralCode(secret, code, all)?.customerId : undefined;
    this.cache.set(code, { at: nowMs, customerId, answer });
    if (this.cache.size > MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    // A failed query is not an answer: the next visitor asks again.
    answer.catch(() => this.cache.get(code)?.answer === answer && this.cache.delete(code));
    return answer;
  }

  /** A cached answer, unless its journey is no longer active here (a reload deactivated or removed it). */
  private stillActive(answer: CodeLookup): CodeLookup {
    if (answer.kind !== 'active') return answer;
    const plan = this.ctx.registry.current().find((p) => p.journeyId === answer.plan.journeyId);
    return plan?.definition.status === 'active' ? answer : { kind: 'revoked', reason: 'the journey that sent this code is not active' };
  }

  /**
   * The authoritative check before a referral is sent: the run's stage as the Temporal server has it (describe reads
   * the server's record of the run, its JourneyStage search attribute as of its last workflow task; no worker is
   * asked, so it does not queue behind the run's work as a query does). An ended or opted-out run, or none, revokes.
   * A run held from asking (Suppressed: opted out while in a stage it finishes, or only a passing hold such as an
   * open escalation) is asked itself (the query), which tells the two apart. A server without these search
   * attributes (never registered) leaves the cached answer standing.
   */
  async confirm(code: string, found: Extract<CodeLookup, { kind: 'active' }>): Promise<CodeLookup> {
    const workflowId = journeyWorkflowId(found.plan.journeyId, found.customerId);
    let stage: unknown;
    let held: unknown;
    try {
      const described = await withDeadline(this.ctx, () => this.ctx.client.workflow.getHandle(workflowId).describe());
      if (described.status.name !== 'RUNNING') return this.revoke(found, 'the advocate’s journey has ended');
      stage = described.typedSearchAttributes.get(JourneyStage);
      held = described.typedSearchAttributes.get(Suppressed);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return this.revoke(found, 'no open run carries this code');
      throw err;
    }
    if (typeof stage === 'string' && CLOSED_STAGES.has(stage))
      return this.revoke(found, stage === 'ended' ? 'the advocate’s journey has ended' : 'the advocate opted out');
    if (held === true) {
      const asked = await this.lookup(code, { fresh: true });
      if (asked.kind !== 'active') this.forgetCustomer(found.customerId);
      return asked;
    }
    return found;
  }

  private revoke(found: Extract<CodeLookup, { kind: 'active' }>, reason: string): CodeLookup {
    this.forgetCustomer(found.customerId);
    return { kind: 'revoked', reason };
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
