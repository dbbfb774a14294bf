// Who a referral code or a status token belongs to, read from the advocate's live run (the journeyState query on
// journey:<journeyId>:<customerId>): never from a second store, never by ending anything. The referral page's
// answers are cached briefly (a code is shared and opened many times; a fresh query each time would put the
// Temporal round trip, and a replay when the run is not in the worker's cache, on every visitor's request).
// Revocation: an opt-out this API process took drops the advocate's cached answers at once (api/advocate-revocations.ts);
// a journey no longer active in this process's registry is refused on the cached answer too. Another process's
// opt-out reaches this one's visitors within the cache's 15 s, but never a referral: confirm() asks the Temporal
// server for the run's stage (describe: the server's own record, no worker involved) while the referral is sent (the
// page answers 410 when it finds the code revoked within its wait), and the run refuses a referral on a code it no
// longer honours itself.
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
/** How old a cached "active" answer a submission may use: the form's own life (api/pages/csrf.ts). A submission's answer only
 *  names the advocate and the journey and gives the page its words; whether the code still works is decided by the
 *  describe of confirm(), made on every submission whatever the answer's age. */
export const SUBMIT_LOOKUP_TTL_MS = 2 * 60 * 60 * 1000;
const MAX_ENTRIES = 10_000;

interface CachedAnswer {
  at: number;
  customerId?: string;
  answer: Promise<CodeLookup>;
  /** Set once the answer is in and says the code works (only such answers serve a submission longer). */
  active?: boolean;
}

/** The server's record of a run (describe): closed, none, or running with its stage and hold. */
type RunRecord = { kind: 'closed' } | { kind: 'none' } | { kind: 'running'; stage: unknown; held: unknown };

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
  private readonly cache = new Map<string, CachedAnswer>();

  constructor(private readonly ctx: ApiContext) {}

  /** Drops every cached answer about this advocate: the next visit asks their run. */
  forgetCustomer(customerId: string): void {
    for (const [code, entry] of this.cache) if (entry.customerId === customerId) this.cache.delete(code);
  }

  /** `fresh`: skip the cache; `activeMaxAgeMs`: an "active" answer serves up to this age (a refusal only LOOKUP_TTL_MS,
   *  so a code whose run has started since is not refused for longer than a visit would be). */
  lookup(code: string, opts: { fresh?: boolean; activeMaxAgeMs?: number } = {}, nowMs: number = Date.now()): Promise<CodeLookup> {
    const hit = this.cache.get(code);
    if (hit && !opts.fresh && this.serves(hit, opts.activeMaxAgeMs, nowMs)) return hit.answer.then((answer) => this.stillActive(answer));
    const answer = this.fresh(code);
    const customerId = this.resolve(code)?.customerId;
    const entry: CachedAnswer = { at: nowMs, customerId, answer };
    answer.then((a) => (entry.active = a.kind === 'active')).catch(() => undefined);
    this.cache.set(code, entry);
    if (this.cache.size > MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    // A failed query is not an answer: the next visitor asks again.
    answer.catch(() => this.cache.get(code)?.answer === answer && this.cache.delete(code));
    return answer;
  }

  private serves(hit: CachedAnswer, activeMaxAgeMs: number | undefined, nowMs: number): boolean {
    const age = nowMs - hit.at;
    return age < LOOKUP_TTL_MS || (hit.active === true && activeMaxAgeMs !== undefined && age < activeMaxAgeMs);
  }

  /** A cached answer, unless its journey is no longer active here (a reload deactivated or removed it). */
  private stillActive(answer: CodeLookup): CodeLookup {
    if (answer.kind !== 'active') return answer;
    const plan = this.ctx.registry.current().find((p) => p.journeyId === answer.plan.journeyId);
    return plan?.definition.status === 'active' ? answer : { kind: 'revoked', reason: 'the journey that sent this code is not active' };
  }

  /**
   * A submission's two answers. `answer` names the advocate and the journey and gives the page its words: a cached
   * answer up to SUBMIT_LOOKUP_TTL_MS old serves (a visitor takes longer than the visit cache's 15 s to fill in the
   * form, and the query it would cost waits on the worker, busiest when referrals arrive); without one, the run is
   * queried. `confirmed` is the authoritative check (confirm: the Temporal server's record of the run), started at
   * once, beside the query when there is one: the caller sends the referral while it runs and decides the page on it.
   * What the check refuses, the run refuses too (it ended or opted out: patch journey-refuses-revoked-code-referrals),
   * so a referral sent before the answer is in is never taken on a revoked code. `timing` gets each call's milliseconds.
   */
  async openSubmission(
    code: string,
    timing: { lookupMs?: number; checkMs?: number } = {},
    nowMs = Date.now(),
  ): Promise<{ answer: CodeLookup; confirmed: Promise<CodeLookup> }> {
    const timed = async <T>(key: 'lookupMs' | 'checkMs', call: Promise<T>): Promise<T> => {
      const t0 = performance.now();
      try {
        return await call;
      } finally {
        timing[key] = performance.now() - t0;
      }
    };
    const resolved = this.resolve(code);
    const described = resolved?.journeyId
      ? timed('checkMs', this.describeRun(journeyWorkflowId(resolved.journeyId, resolved.customerId)))
      : undefined;
    described?.catch(() => undefined); // judged below unless the lookup fails or refuses the code first
    const answer = await timed('lookupMs', this.lookup(code, { activeMaxAgeMs: SUBMIT_LOOKUP_TTL_MS }, nowMs));
    if (answer.kind !== 'active') return { answer, confirmed: Promise.resolve(answer) };
    const confirmed =
      described && answer.plan.journeyId === resolved?.journeyId && answer.customerId === resolved.customerId
        ? described.then((run) => this.judge(code, answer, run))
        : timed('checkMs', this.confirm(code, answer));
    confirmed.catch(() => undefined); // the caller awaits it; a page that never gets there (a bot, a bad form) does not
    return { answer, confirmed };
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
    return this.judge(code, found, await this.describeRun(journeyWorkflowId(found.plan.journeyId, found.customerId)));
  }

  private async describeRun(workflowId: string): Promise<RunRecord> {
    try {
      const described = await withDeadline(this.ctx, () => this.ctx.client.workflow.getHandle(workflowId).describe());
      if (described.status.name !== 'RUNNING') return { kind: 'closed' };
      return {
        kind: 'running',
        stage: described.typedSearchAttributes.get(JourneyStage),
        held: described.typedSearchAttributes.get(Suppressed),
      };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { kind: 'none' };
      throw err;
    }
  }

  private async judge(code: string, found: Extract<CodeLookup, { kind: 'active' }>, run: RunRecord): Promise<CodeLookup> {
    if (run.kind === 'closed') return this.revoke(found, 'the advocate’s journey has ended');
    if (run.kind === 'none') return this.revoke(found, 'no open run carries this code');
    if (typeof run.stage === 'string' && CLOSED_STAGES.has(run.stage))
      return this.revoke(found, run.stage === 'ended' ? 'the advocate’s journey has ended' : 'the advocate opted out');
    if (run.held === true) {
      const asked = await this.lookup(code, { fresh: true });
      if (asked.kind !== 'active') this.forgetCustomer(found.customerId);
      return asked;
    }
    return found;
  }

  /** The advocate and journey a code names (its signature checked), or undefined. */
  private resolve(code: string) {
    const secret = this.ctx.opts.referralCodeSecret ?? DEV_REFERRAL_CODE_SECRET;
    const all = this.ctx.registry.current().map((p) => p.journeyId);
    return /^[A-Za-z0-9_-]{4,300}$/.test(code) ? resolveReferralCode(secret, code, all) : undefined;
  }

  private revoke(found: Extract<CodeLookup, { kind: 'active' }>, reason: string): CodeLookup {
    this.forgetCustomer(found.customerId);
    return { kind: 'revoked', reason };
  }

  private async fresh(code: string): Promise<CodeLookup> {
    const active = this.ctx.registry.current().filter((p) => p.definition.status === 'active');
    const resolved = this.resolve(code);
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
