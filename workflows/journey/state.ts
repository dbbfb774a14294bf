// The run's state: what operators see through the journeyState query, and what is carried over continue-as-new.
import { readableReason } from '../../definitions/readable.ts';
import type { JourneyEvent, ReferralRecordRequest, RewardRequest, SentEmail, TrackingRecord } from '../contract/index.ts';
import type { CompiledPlan } from '../../definitions/plan.ts';
import type { ExperimentAssignment } from './experiment.ts';

export type StageName = 'listen' | 'qualify' | 'invite' | 'activate' | 'reward' | 'track' | 'expand' | 'suppressed' | 'opted-out' | 'ended';

/** history.<field> in conditions (definitions/catalog/history.schema.json). */
export interface JourneyHistory {
  cycles: number;
  asks: number;
  actions: number;
  referrals: number;
  conversions: number;
  referredRevenue: number;
  rewardsIssued: number;
  lastNps?: number;
  tier?: string;
  /** The customer's advocate score and tier (customer:<id>), as read at the latest Qualify. */
  advocateScore?: number;
  advocateTier?: string;
  /** Workflow time of the last ask (ISO); daysSinceLastAsk is derived from it. */
  lastAskAt?: string;
}

export interface AskRecord {
  attempt: number;
  at: string;
  sendKey: string;
  /** in-product: the ask went out only as an in-product prompt (invite.channels ["in-product"]). */
  channel: 'email' | 'owner-outreach' | 'in-product';
  template: string;
  to: 'customer' | 'owner';
  status: 'sent' | 'already-sent';
}

export interface RewardEntry {
  key: string;
  role: 'referrer' | 'referred' | 'tier-bonus';
  referralId: string;
  recipientId: string;
  amount?: number;
  currency?: string;
  kind: string;
  status: 'held' | 'issued' | 'failed' | 'refused' | 'reversed' | 'forfeited';
  provider?: 'ledger' | 'webhook';
  at: string;
  reason: string;
  rewardId?: string;
  referred?: string;
  /** Set while issueReward is in flight: a reversal then waits for its outcome (reverseAfterIssue) instead of
   *  changing the status under it, so the payout is reversed after it, never before nor lost. */
  issuing?: boolean;
  /** A reversal accepted while the payout was in flight: applied (reverseReward) once the issue has its answer. */
  reverseAfterIssue?: string;
}

/** A reward granted and claimed, waiting for its release (stages/reward-release.ts); carried over a handover. */
export interface HeldReward {
  referralId: string;
  /** The requests issueReward gets on release (referrer, referred friend, tier bonus), each with its idempotency key. */
  requests: RewardRequest[];
  /** ISO: the end of the hold (or of the attribution window when released only on conversion). */
  releaseAt: string;
  /** release.on conversion: paid as soon as the referral closes won. */
  waitForConversion: boolean;
  /** Forfeited (never paid) when the referral does not convert (release.onNoConversion is not release). */
  forfeits: boolean;
  /** The tier this reward reaches once paid. */
  tier?: string;
  /** This run's claim created the advocate's own entries of it in their ledger (claimReward), and only this run writes
   *  them: their payout skips the ledger's pre-check on its first attempt (issueReward's `claimedByRun`). Absent in a
   *  hold an older run made, and when the claim found entries already there or the ledger could not be reached. */
  claimedFresh?: boolean;
}

export interface ReferralEntry {
  referralId: string;
  submittedAt: string;
  stage: 'submitted' | 'qualified' | 'opportunity' | 'closed-won' | 'closed-lost' | 'reversed';
  revenue?: number;
  referred?: string;
  /** referral.submitted's referredName, for the referrer updates. */
  referredName?: string;
}

/** An in-product prompt: one ask shown inside the product (journey/prompts.ts). Current until it expires, is
 *  dismissed, or is withdrawn (a bad signal, an opt-out, the ask's cycle over, the advocate acted). */
export interface PromptEntry {
  /** `<journeyId>/<cycle>/<motion>/<attempt>`: the id the product sends back with prompt.shown/clicked/dismissed. */
  id: string;
  motion: string;
  cycle: number;
  attempt: number;
  text: string;
  actionLabel: string;
  actionLink?: string;
  postedAt: string;
  expiresAt: string;
  shownAt?: string;
  clickedAt?: string;
}

/** A referrer update waiting to go out (journey/referrer-updates.ts): one per referral and stage, ever. */
export interface PendingReferrerUpdate {
  /** `<referralId>:<stage>`: the update's identity; its send key is built from it. */
  key: string;
  referralId: string;
  stage: 'qualified' | 'opportunity' | 'closed-won' | 'closed-lost' | 'reward-issued';
  queuedAt: string;
  /** Contact slots refused so far: the next reservation uses the next key (a key's decision is final). */
  slotTries: number;
  /** The contact policy (or a hold) moved it to this time. */
  notBefore?: string;
}

export interface OwnerTaskState {
  taskId: string;
  motion: string;
  cycle: number;
  sentAt: string;
  /** The answer is due by then; after it the task counts as not answered. */
  dueAt: string;
  provider: 'email' | 'crm-webhook';
  outcome?: 'done' | 'declined' | 'no-answer';
  outcomeAt?: string;
  /** The owner's note or reason, as the outcome event gave it. */
  detail?: string;
}

export interface OpenIssue {
  rule: string;
  key?: string;
  openedAt: string;
  reason: string;
}

export interface Suppression {
  /** `by`: the operator action's actor (UNSUBSCRIBE_LINK_ACTOR for the recipient's own unsubscribe link). */
  optedOut?: { reason: string; at: string; by?: string };
  /** A bad signal with effect hold: no ask until `until` (`released`: its end is tracked, journey/suppression-release.ts). */
  hold?: { rule: string; reason: string; until: string; at: string; released?: boolean };
  openIssues: OpenIssue[];
  /** After the last open issue resolved: asks stay held until `until`. */
  afterResolve?: { rule: string; reason: string; until: string; released?: boolean };
  /** The email activity said this address can never receive mail. */
  emailChannel?: { reason: string; at: string };
  /** The last reason an ask was held or cancelled, for operators. */
  lastHeld?: { reason: string; at: string };
}

export interface JourneyState {
  journeyId: string;
  journeyVersion: number;
  planHash: string;
  journeyName: string;
  customerId: string;
  stage: StageName;
  /** Cycle number (1-based), also part of every send key. */
  cycle: number;
  cycleStartedAt?: string;
  lastCycleStartedAt?: string;
  motion?: string;
  /** The invite variant this cycle's asks use (motions.<m>.invite.variants[].id), for the report's variant breakdown. */
  variant?: string;
  delight?: { signal: string; eventId: string; at: string; data: Record<string, unknown> };
  qualification?: { rule: string; motion: string; reason: string; at: string };
  attempts: number;
  asks: AskRecord[];
  nextAction?: { what: string; at?: string };
  suppression: Suppression;
  paused?: { at: string; actor?: string; reason?: string };
  traits: Record<string, unknown>;
  history: JourneyHistory;
  rewards: RewardEntry[];
  /** The Reward stage's rewards waiting for their release; empty outside it. */
  heldRewards?: HeldReward[];
  referrals: ReferralEntry[];
  promotionsUsed: string[];
  /** Event ids already taken (bounded, oldest dropped first). */
  seenEventIds: string[];
  /** Events waiting for a stage: delight candidates and actions. */
  inbox: JourneyEvent[];
  notes: Array<{ at: string; text: string }>;
  ended?: { reason: string; at: string };
  pendingPlan?: { version: number; hash: string };
  /** The email setup is broken (EmailConfigurationError), or Postmark did not take the ask within the activity's retry
   *  bound (unavailable): the ask is planned again later, operators see why. */
  emailProblem?: { kind: 'misconfigured' | 'unavailable'; reason: string; at: string; sendKey: string; failures: number; retryAt?: string };
  /** Expand's rest before listening again, kept so a handover in the middle of it does not restart it. */
  restingUntil?: string;
  /** The advocate's opaque referral code in this journey (journey/referral-code.ts), set when the run starts. */
  referralCode?: string;
  /** The pending ask (cycle:motion:attempt) and its send time as last tracked (ask.moved / ask.held), so a re-planned
   *  wait records only a change. */
  plannedSend?: { ask: string; at?: string; reason: string };
  /** Tracking records could not be written (stages/track.ts): they wait in the run and are retried; operators see why. */
  trackingProblem?: { reason: string; failures: number; since: string; retryAt: string };
  /** In-product prompts currently offered to the customer (journey/prompts.ts); absent in runs without prompts. */
  prompts?: PromptEntry[];
  /** Referrer updates queued and the keys already handled (sent or dropped), so none goes out twice. */
  referrerUpdates?: { queue: PendingReferrerUpdate[]; done: string[] };
  /** This cycle's owner task (owner-outreach with invite.ownerTask) and its answer; carried over a handover. */
  ownerTask?: OwnerTaskState;
  /** Referral records not yet written to the CRM (journey/crm-referrals.ts): written in order, then dropped. */
  crmQueue?: ReferralRecordRequest[];
  /** The CRM provider failed (an owner task or a referral record): what, why, and when it is tried again. */
  crmProblem?: { what: 'owner-task' | 'referral'; reason: string; at: string; failures: number; retryAt?: string };
  /** An earlier run of this workflow id had closed (failed, terminated) when this chain started (JourneyRunInput
   *  .previousRun): its send keys may have been used, so every send looks for an earlier one first. (Tracking keys
   *  hold the chain id, the first run id of this chain, so the once-per-key sink never takes them for the old run's.) */
  previousRun?: { runId: string; status: string };
  /** The customer's assignment in the journey's experiment (journey/experiment.ts): sticky, carried over
   *  continue-as-new; absent in a run that predates it or outside an experiment. */
  experiment?: ExperimentAssignment;
  /** Every email of this run the provider took (journey/sends.ts), oldest first; carried over continue-as-new
   *  (the last LIST_MAX within a year). Absent in runs from before it: their sends are in customer:<id>. */
  sends?: SentEmail[];
}

/** What survives continue-as-new. */
export type CarriedState = Omit<JourneyState, 'stage' | 'nextAction' | 'asks' | 'attempts'> & {
  plan?: CompiledPlan;
  /** The tracking-record counter: record keys hold the cycle, which a handover inside a cycle keeps, so the counter
   *  must go on where it was or the once-per-key tracking sink drops the new run's records. */
  trackingSeq?: number;
  /** A handover in the middle of a stage (a long wait whose history grew): the stage and its asks to pick up. */
  resume?: { stage: StageName; attempts: number; asks: AskRecord[] };
  /** A newer plan accepted (migrate-at-listen) but not yet moved to when a handover happened outside Listen. */
  pendingUpgrade?: CompiledPlan;
  /** Tracking records not yet written when the run handed over: the next run writes them first, keys unchanged. */
  pendingTracking?: TrackingRecord[];
};

export const SEEN_EVENT_IDS_MAX = 500;
export const NOTES_MAX = 30;
export const LIST_MAX = 100;

export function initialState(plan: CompiledPlan, customerId: string, carried: CarriedState | undefined): JourneyState {
  const base: JourneyState = {
    journeyId: plan.journeyId,
    journeyVersion: plan.version,
    planHash: plan.hash,
    journeyName: plan.name,
    customerId,
    stage: 'listen',
    cycle: 1,
    attempts: 0,
    asks: [],
    suppression: { openIssues: [] },
    traits: {},
    history: { cycles: 0, asks: 0, actions: 0, referrals: 0, conversions: 0, referredRevenue: 0, rewardsIssued: 0 },
    rewards: [],
    referrals: [],
    promotionsUsed: [],
    seenEventIds: [],
    inbox: [],
    notes: [],
  };
  if (!carried) return base;
  const { plan: _plan, trackingSeq: _seq, resume, pendingUpgrade: _upgrade, pendingTracking: _tracking, ...rest } = carried;
  // An ended run rests as a tombstone across handovers; a handover inside a stage picks that stage up again.
  const stage: StageName = rest.ended ? 'ended' : (resume?.stage ?? 'listen');
  return {
    ...base,
    ...rest,
    journeyId: plan.journeyId,
    journeyVersion: plan.version,
    planHash: plan.hash,
    journeyName: plan.name,
    stage,
    attempts: resume?.attempts ?? 0,
    asks: resume?.asks ?? [],
  };
}

export function carry(state: JourneyState): CarriedState {
  const { stage: _s, nextAction: _n, asks: _a, attempts: _t, ...rest } = state;
  return {
    ...rest,
    seenEventIds: rest.seenEventIds.slice(-SEEN_EVENT_IDS_MAX),
    // A tombstone never reads its inbox (event-intake.ts): what an older run queued there is not carried on.
    inbox: rest.ended ? [] : rest.inbox,
    rewards: rest.rewards.slice(-LIST_MAX),
    referrals: rest.referrals.slice(-LIST_MAX),
    notes: rest.notes.slice(-NOTES_MAX),
    ...(rest.sends ? { sends: rest.sends.slice(-LIST_MAX) } : {}),
  };
}

/** The zone a run's texts are read in: the customer's own (traits.timezone) when it is a zone; else UTC. */
export function readerZone(traits: Record<string, unknown>): string | undefined {
  return typeof traits.timezone === 'string' ? traits.timezone : undefined;
}

export function note(state: JourneyState, nowMs: number, text: string): void {
  state.notes.push({ at: new Date(nowMs).toISOString(), text: readableReason(text, readerZone(state.traits)) });
  if (state.notes.length > NOTES_MAX) state.notes.splice(0, state.notes.length - NOTES_MAX);
}

/** history as conditions see it, with daysSinceLastAsk derived from workflow time. */
export function historyView(state: JourneyState, nowMs: number): Record<string, unknown> {
  const last = state.history.lastAskAt ? Date.parse(state.history.lastAskAt) : undefined;
  return { ...state.history, daysSinceLastAsk: last === undefined ? 100_000 : (nowMs - last) / 86_400_000 };
}
