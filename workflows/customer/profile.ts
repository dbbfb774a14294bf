// The per-customer workflow `customer:<id>`: the one owner of what holds across all journeys of a customer —
// traits, global opt-out and suppression, contact history (reserveContactSlot), the advocate score and the reward
// ledger. (What each email's provider took is kept by the run that sent it, journey/sends.ts; recordSend is still
// taken from workers of earlier builds, which signal it for every send.) Runs for the customer's lifetime and
// continues as new when its history grows, or at once when an operator hands it over (handOver: docs/versioning.md).
import { allHandlersFinished, condition, continueAsNew, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { ApplicationFailure } from '@temporalio/common';
import legacyScoreConfig from './advocate-score-legacy.json' with { type: 'json' };
import {
  customerEventSignal,
  customerStartFactsQuery,
  customerStateQuery,
  globalOptInUpdate,
  globalOptOutUpdate,
  UNSUBSCRIBE_LINK_ACTOR,
  reserveContactSlotUpdate,
  updateTraitsSignal,
  type ContactSlotDecision,
  type JourneyEvent,
} from '../contract/index.ts';
import { AdvocateScore, AdvocateTier, CustomerId, JourneyRelease } from '../contract/index.ts';
import { RELEASE } from '../release.ts';
import { emptyScore, scoreEvent, viewScore, type AdvocateScoreConfig, type ScoreState } from './advocate-score.ts';
import { SHIPPED_CONTACT_POLICY, decideContactSlot, resolveContactPolicy, type GrantedAsk } from './contact-policy.ts';
import { isKnownTimeZone } from '../journey/send-window.ts';
import type { ContactPolicy } from '../../definitions/contact-policy.ts';
import { applySuppressionEvent, currentSuppression, emptySuppression, type SuppressionState } from './global-suppression.ts';
import { applyLedgerWrite, claimLedgerReward, type LedgerEntry } from './ledger.ts';
import {
  type CustomerSnapshot,
  claimRewardUpdate,
  handOverCustomerUpdate,
  recordRewardUpdate,
  recordSendSignal,
  operatorActionProblem,
} from '../contract/index.ts';
import { recordSend, sendRecordProblems, type SentEmail } from './sends.ts';
import { countRefusal, customerEventRefusal, traitsRefusal, type RefusedSignals } from './signal-checks.ts';
import { emptyFactLog, factsInOrder, recordFact, type FactLog } from './start-facts.ts';

export interface CustomerCarried {
  traits: Record<string, unknown>;
  suppression: SuppressionState;
  score: ScoreState;
  contactHistory: GrantedAsk[];
  decisions: Record<string, { decision: ContactSlotDecision; at: string }>;
  ledger: Record<string, LedgerEntry>;
  seenEventIds: string[];
  /** Emails recorded by recordSend, which workers of earlier builds signal (now the sending run keeps them). */
  sends?: SentEmail[];
  /** recordSend signals dropped as malformed. */
  malformedSends?: number;
  /** customerEvent / updateTraits signals refused (customer/signal-checks.ts). */
  refusedSignals?: RefusedSignals;
  /** The events a journey run started later applies (start-facts.ts); absent in state carried from before 1.1.0's
   *  routing change: such a customer's journeys were routed every event, so their runs already know them. */
  facts?: FactLog;
}

export interface CustomerProfileInput {
  customerId: string;
  /**
   * The global contact policy (frequency cap across journeys, quiet hours, suppression rules), as loaded and checked
   * from definitions/contact-policy.json (or JOURNEY_CONTACT_POLICY) by the worker / API; build this input with
   * customerProfileStartInput. Top-level keys given here replace the shipped file's; carried over continue-as-new.
   */
  contactPolicy?: Partial<ContactPolicy>;
  /**
   * The advocate score config, as loaded and checked from definitions/advocate-score.json (or JOURNEY_ADVOCATE_SCORE)
   * by the worker / API (customerProfileStartInput); pinned over continue-as-new. Absent only in runs started before
   * it travelled as input: those keep the weights frozen in advocate-score-legacy.json, so no file edit changes them.
   */
  scoreConfig?: AdvocateScoreConfig;
  /** Upsert AdvocateScore/AdvocateTier/CustomerId (default true); the time-skipping test server may not know them. */
  searchAttributes?: boolean;
  /** Continue as new after this many history events (default 2,000, or when the server suggests it). */
  continueAsNewAfter?: number;
  carried?: CustomerCarried;
}

const LEGACY_SCORE_CONFIG = (({ $comment: _c, ...config }) => config as AdvocateScoreConfig)(legacyScoreConfig);
const KEEP_EVENT_IDS = 500;
const KEEP_DECISIONS = 500;
const KEEP_HISTORY_MS = 365 * 86_400_000;

/** Refuses what is not an operator action before the update is accepted (workflows/contract/operator-action.ts). */
function rejectBadAction(action: unknown): void {
  const problem = operatorActionProblem(action);
  if (problem) throw ApplicationFailure.create({ message: problem, type: 'OperatorActionRejected', nonRetryable: true });
}

export async function customerProfile(input: CustomerProfileInput): Promise<void> {
  const policyInput: ContactPolicy = { ...SHIPPED_CONTACT_POLICY, ...input.contactPolicy };
  const { contact: policy, suppression: suppressionPolicy } = resolveContactPolicy(policyInput);
  const scoreConfig: AdvocateScoreConfig = input.scoreConfig ?? LEGACY_SCORE_CONFIG;
  const s: CustomerCarried = input.carried ?? {
    traits: {},
    suppression: emptySuppression(),
    score: emptyScore(),
    contactHistory: [],
    decisions: {},
    ledger: {},
    seenEventIds: [],
  };
  let lastPublished = '';
  let handover: { at: string; actor?: string; reason?: string } | undefined;

  // The first publish of each run (each continue-as-new included) also says which release started this history.
  const publishScore = () => {
    if (input.searchAttributes === false) return;
    const view = viewScore(s.score, scoreConfig, Date.now());
    const key = `${view.score}|${view.tier}`;
    if (key === lastPublished) return;
    const first = lastPublished === '';
    lastPublished = key;
    upsertSearchAttributes([
      { key: CustomerId, value: input.customerId },
      { key: AdvocateScore, value: view.score },
      { key: AdvocateTier, value: view.tier },
      ...(first ? [{ key: JourneyRelease, value: RELEASE }] : []),
    ]);
  };

  const state = (): CustomerSnapshot => {
    const now = Date.now();
    const { optedOut, suppressed } = currentSuppression(s.suppression, now);
    return {
      customerId: input.customerId,
      traits: s.traits,
      optedOut: optedOut ?? null,
      suppressed: suppressed ?? null,
      advocate: viewScore(s.score, scoreConfig, now),
      contactPolicy: policyInput,
      contactHistory: s.contactHistory,
      sends: s.sends ?? [],
      ...(s.malformedSends ? { malformedSends: s.malformedSends } : {}),
      ...(s.refusedSignals ? { refusedSignals: s.refusedSignals } : {}),
      rewards: Object.values(s.ledger).sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
      ...(handover ? { handoverRequested: handover } : {}),
    };
  };

  setHandler(updateTraitsSignal, (traits) => {
    const refusal = traitsRefusal(traits);
    if (refusal) s.refusedSignals = countRefusal(s.refusedSignals, `updateTraits: ${refusal}`);
    else s.traits = { ...s.traits, ...traits };
  });

  setHandler(customerEventSignal, (event: JourneyEvent) => {
    const refusal = customerEventRefusal(event, input.customerId);
    if (refusal) {
      s.refusedSignals = countRefusal(s.refusedSignals, `customerEvent: ${refusal}`);
      return;
    }
    if (s.seenEventIds.includes(event.id)) return; // the API may deliver an event twice
    s.seenEventIds = [...s.seenEventIds, event.id].slice(-KEEP_EVENT_IDS);
    if (event.traits) s.traits = { ...s.traits, ...event.traits };
    const now = Date.now();
    s.suppression = applySuppressionEvent(s.suppression, event, now, suppressionPolicy, s.traits);
    s.score = scoreEvent(s.score, scoreConfig, event, s.traits, now);
    s.facts = recordFact(s.facts ?? emptyFactLog(), event, now);
    publishScore();
  });

  setHandler(customerStateQuery, state);
  setHandler(customerStartFactsQuery, () => ({
    customerId: input.customerId,
    traits: s.traits,
    optedOut: s.suppression.optedOut ?? null,
    events: factsInOrder(s.facts ?? emptyFactLog()),
  }));

  setHandler(
    reserveContactSlotUpdate,
    (req) => {
      const seen = s.decisions[req.sendKey];
      if (seen) return seen.decision; // idempotent per sendKey: a retried reservation gets the first answer
      const nowMs = Date.now();
      const { optedOut, suppressed } = currentSuppression(s.suppression, Math.max(nowMs, Date.parse(req.at)));
      // The journey's zone (the one its send window used) wins over this workflow's traits, which may not have it yet.
      const timezone = isKnownTimeZone(req.timezone) ? req.timezone : isKnownTimeZone(s.traits.timezone) ? s.traits.timezone : undefined;
      const decision = decideContactSlot(req, { optedOut, suppressed, timezone, history: s.contactHistory }, policy);
      if (decision.granted) {
        s.contactHistory = [...s.contactHistory, { sendKey: req.sendKey, journeyId: req.journeyId, at: req.at }].filter(
          (a) => Date.parse(a.at) > nowMs - KEEP_HISTORY_MS,
        );
      }
      const entries = Object.entries({ ...s.decisions, [req.sendKey]: { decision, at: new Date(nowMs).toISOString() } });
      s.decisions = Object.fromEntries(entries.sort((a, b) => a[1].at.localeCompare(b[1].at)).slice(-KEEP_DECISIONS));
      return decision;
    },
    {
      validator: (req) => {
        if (!req || typeof req.sendKey !== 'string' || !req.sendKey)
          throw ApplicationFailure.nonRetryable('reserveContactSlot needs a sendKey');
        if (typeof req.journeyId !== 'string' || !req.journeyId)
          throw ApplicationFailure.nonRetryable('reserveContactSlot needs a journeyId');
        if (typeof req.at !== 'string' || Number.isNaN(Date.parse(req.at)))
          throw ApplicationFailure.nonRetryable(`reserveContactSlot needs at as an ISO time, got ${JSON.stringify(req.at)}`);
        if (req.customerId && req.customerId !== input.customerId)
          throw ApplicationFailure.nonRetryable(`slot for ${req.customerId} sent to customer:${input.customerId}`);
      },
    },
  );

  setHandler(
    globalOptOutUpdate,
    (action) => {
      if (!s.suppression.optedOut) {
        s.suppression = {
          ...s.suppression,
          optedOut: {
            reason: `operator${action?.actor ? ` ${action.actor}` : ''}: ${action?.reason ?? 'opted out'}`,
            at: new Date().toISOString(),
            ...(action?.actor ? { by: action.actor } : {}),
          },
        };
      }
      return state();
    },
    // Without it, an action that is not an object (any client may send one) threw in the handler: the workflow task
    // failed on every retry and the customer's workflow answered nothing any more.
    { validator: rejectBadAction },
  );
  // The recipient undoing their own unsubscribe (the link's undo): only an opt-out the link made is theirs to undo.
  setHandler(
    globalOptInUpdate,
    (_action) => {
      const { optedOut: _undone, ...rest } = s.suppression;
      s.suppression = rest;
      return state();
    },
    {
      validator: (_action) => {
        const out = s.suppression.optedOut;
        if (!out) throw ApplicationFailure.nonRetryable('not opted out');
        if (out.by !== UNSUBSCRIBE_LINK_ACTOR)
          throw ApplicationFailure.nonRetryable(`opted out by ${out.by ?? 'a rule or an operator'}, not by the unsubscribe link`);
      },
    },
  );

  setHandler(recordRewardUpdate, (write) => applyLedgerWrite(s.ledger, write, new Date().toISOString()), {
    validator: (write) => {
      if (!write || typeof write.id !== 'string' || !write.id)
        throw ApplicationFailure.nonRetryable('recordReward needs the reward id (its idempotency key)');
      if (!['pending', 'held', 'issued', 'reversed', 'failed', 'refused', 'forfeited'].includes(write.status))
        throw ApplicationFailure.nonRetryable(`unknown reward status ${JSON.stringify(write.status)}`);
    },
  });
  setHandler(claimRewardUpdate, (claim) => claimLedgerReward(s.ledger, claim, new Date().toISOString()), {
    validator: (claim) => {
      if (!claim?.write || typeof claim.write.id !== 'string' || !claim.write.id)
        throw ApplicationFailure.nonRetryable('claimReward needs the reward id (its idempotency key)');
      if (claim.write.status !== 'held' && claim.write.status !== 'pending')
        throw ApplicationFailure.nonRetryable(`a claimed reward is held or pending, not ${JSON.stringify(claim.write.status)}`);
    },
  });

  setHandler(recordSendSignal, (record) => {
    // A signal handler must not throw (it would fail the workflow): a malformed record is counted and dropped.
    if (sendRecordProblems(record).length > 0) {
      s.malformedSends = (s.malformedSends ?? 0) + 1;
      return;
    }
    s.sends = recordSend(s.sends ?? [], record, Date.now()).sends;
  });

  setHandler(
    handOverCustomerUpdate,
    (action) => {
      handover = { at: new Date().toISOString(), actor: action?.actor, reason: action?.reason };
      return state();
    },
    {
      validator: (action) => {
        rejectBadAction(action);
        if (handover)
          throw ApplicationFailure.create({
            message: `a handover is already pending (asked at ${handover.at})`,
            type: 'OperatorActionRejected',
            nonRetryable: true,
          });
      },
    },
  );

  publishScore();
  const limit = input.continueAsNewAfter ?? 2000;
  await condition(() => handover !== undefined || workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= limit);
  await condition(allHandlersFinished);
  await continueAsNew<typeof customerProfile>({ ...input, scoreConfig, carried: s });
}
