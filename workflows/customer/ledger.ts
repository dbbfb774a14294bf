// The built-in reward ledger kept in the customer workflow: every reward the customer received, by
// idempotency key, with its status. Pure: one write at a time through the recordReward update, and the checks that
// must hold across every journey of an advocate (caps, the same person referred twice) through the claimReward update.
import { durationMs } from '../../definitions/duration.ts';
export type RewardStatus = 'pending' | 'held' | 'issued' | 'reversed' | 'failed' | 'refused' | 'forfeited';

export interface LedgerEntry {
  /** The reward's idempotency key (advocate, referral, rule). */
  id: string;
  customerId: string;
  kind: string;
  amount?: number;
  currency?: string;
  reason: string;
  journeyId: string;
  journeyVersion: number;
  role?: string;
  ruleId?: string;
  referralId?: string;
  advocateId?: string;
  /** Who was referred (id:<customerId> or email:<address>), for the duplicate check across journeys. */
  referred?: string;
  provider?: 'ledger' | 'webhook';
  status: RewardStatus;
  /** When held: the planned release time. */
  releaseAt?: string;
  /** When failed or refused: why (for operators). */
  failure?: string;
  /** Every status change, oldest first. */
  history: { status: RewardStatus; at: string; note?: string }[];
  createdAt: string;
  updatedAt: string;
}

export type LedgerWrite = Omit<LedgerEntry, 'history' | 'createdAt' | 'updatedAt'> & { note?: string };

/**
 * Which status may follow which: a reward is never issued twice, and a reversed one stays reversed. Every other
 * write is answered (unchanged, with the reason), never applied out of order. `pending` is a payout in flight
 * (issueReward writes it before calling the provider): a reversal then waits for its answer (the interpreter sends
 * it after the issue), so pending → reversed is refused rather than letting a late `issued` be lost under it.
 */
export const NEXT: Record<RewardStatus, RewardStatus[]> = {
  pending: ['held', 'issued', 'failed', 'refused'],
  // forfeited: held for a conversion that never came (release.onNoConversion: forfeit). pending: its payout started.
  held: ['pending', 'issued', 'failed', 'reversed', 'refused', 'forfeited'],
  failed: ['pending', 'issued', 'failed'], // an operator may retry a failed payout
  issued: ['reversed'],
  reversed: [],
  refused: [],
  forfeited: [],
};

export interface LedgerWriteResult {
  entry: LedgerEntry;
  /** false when the write was a repeat (same status) or not allowed from the current status. */
  changed: boolean;
  /** Set when the transition was not allowed. */
  rejected?: string;
}

export function applyLedgerWrite(ledger: Record<string, LedgerEntry>, write: LedgerWrite, nowIso: string): LedgerWriteResult {
  const { note, ...fields } = write;
  const existing = ledger[write.id];
  if (!existing) {
    const entry: LedgerEntry = { ...fields, history: [{ status: write.status, at: nowIso, note }], createdAt: nowIso, updatedAt: nowIso };
    ledger[write.id] = entry;
    return { entry, changed: true };
  }
  if (existing.status === write.status) return { entry: existing, changed: false };
  if (!NEXT[existing.status].includes(write.status)) {
    return { entry: existing, changed: false, rejected: `reward ${write.id} is ${existing.status}; it cannot become ${write.status}` };
  }
  const entry: LedgerEntry = {
    ...existing,
    status: write.status,
    provider: write.provider ?? existing.provider,
    releaseAt: write.releaseAt ?? existing.releaseAt,
    failure: write.failure,
    history: [...existing.history, { status: write.status, at: nowIso, note }],
    updatedAt: nowIso,
  };
  ledger[write.id] = entry;
  return { entry, changed: true };
}

/** A new reward for an advocate, checked against every reward the advocate's ledger holds (all journeys) and
 *  written in the same Update, so two journeys claiming at once cannot both pass a cap. */
export interface RewardClaim {
  /** The reward as held (release later) or pending (paid now); its referred field drives the duplicate check. */
  write: LedgerWrite;
  /** The advocate's other rewards for the same action (tier bonuses): checked against the caps together with
   *  `write` and written with it, all or none, so a bonus cannot pass a cap the referrer reward alone fits under. */
  also?: LedgerWrite[];
  rejectDuplicateReferred?: boolean;
  caps?: { maxRewards?: number; maxAmount?: number; period: string };
}

export type RewardClaimResult =
  | { granted: true; entry: LedgerEntry }
  | { granted: false; rule: 'duplicate-referred' | 'cap-rewards' | 'cap-amount' | 'refused-before'; reason: string; entry: LedgerEntry };

const COUNTS_TOWARD_CAPS: RewardStatus[] = ['pending', 'held', 'issued'];

function claimRefusal(
  ledger: Record<string, LedgerEntry>,
  claim: RewardClaim,
  nowMs: number,
): { rule: 'duplicate-referred' | 'cap-rewards' | 'cap-amount'; reason: string } | undefined {
  const claimed = [claim.write, ...(claim.also ?? [])];
  const entries = Object.values(ledger).filter((e) => !claimed.some((w) => w.id === e.id));
  const { referred } = claim.write;
  if (
    claim.rejectDuplicateReferred &&
    referred &&
    entries.some((e) => e.role === 'referrer' && e.referred === referred && e.status !== 'refused')
  ) {
    return {
      rule: 'duplicate-referred',
      reason: `duplicate referral: ${referred} was already referred by ${claim.write.customerId} (in any journey)`,
    };
  }
  const caps = claim.caps;
  if (!caps) return undefined;
  const periodMs = durationMs(caps.period);
  const inPeriod = entries.filter(
    (e) => e.role !== 'referred' && COUNTS_TOWARD_CAPS.includes(e.status) && Date.parse(e.createdAt) > nowMs - periodMs,
  );
  const own = claimed.filter((w) => w.role !== 'referred');
  if (caps.maxRewards !== undefined && inPeriod.length + own.length > caps.maxRewards) {
    return {
      rule: 'cap-rewards',
      reason: `cap reached: ${inPeriod.length} + ${own.length} exceeds ${caps.maxRewards} rewards in ${caps.period} (all journeys)`,
    };
  }
  const total = inPeriod.reduce((sum, e) => sum + (e.amount ?? 0), 0);
  const adding = own.reduce((sum, w) => sum + (w.amount ?? 0), 0);
  if (caps.maxAmount !== undefined && total + adding > caps.maxAmount) {
    return {
      rule: 'cap-amount',
      reason: `cap reached: ${total} + ${adding} exceeds ${caps.maxAmount} in ${caps.period} (all journeys)`,
    };
  }
  return undefined;
}

/** Checks and writes one claim atomically; a repeated claim (same id) gets the first answer. */
export function claimLedgerReward(ledger: Record<string, LedgerEntry>, claim: RewardClaim, nowIso: string): RewardClaimResult {
  const existing = ledger[claim.write.id];
  if (existing) {
    return existing.status === 'refused'
      ? { granted: false, rule: 'refused-before', reason: existing.failure ?? 'refused', entry: existing }
      : { granted: true, entry: existing };
  }
  const refusal = claimRefusal(ledger, claim, Date.parse(nowIso));
  if (refusal) {
    for (const w of claim.also ?? [])
      applyLedgerWrite(ledger, { ...w, status: 'refused', failure: refusal.reason, note: refusal.reason }, nowIso);
    const { entry } = applyLedgerWrite(
      ledger,
      { ...claim.write, status: 'refused', failure: refusal.reason, note: refusal.reason },
      nowIso,
    );
    return { granted: false, ...refusal, entry };
  }
  for (const w of claim.also ?? []) applyLedgerWrite(ledger, w, nowIso);
  return { granted: true, entry: applyLedgerWrite(ledger, claim.write, nowIso).entry };
}
