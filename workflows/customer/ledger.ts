// The built-in reward ledger kept in the customer workflow: every reward the customer received, by
// idempotency key, with its status. Pure: one write at a time through the recordReward update.
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

/** Which status may follow which: a reward is never issued twice, and a reversed one stays reversed. */
const NEXT: Record<RewardStatus, RewardStatus[]> = {
  pending: ['held', 'issued', 'failed', 'refused'],
  // forfeited: held for a conversion that never came (release.onNoConversion: forfeit).
  held: ['issued', 'failed', 'reversed', 'refused', 'forfeited'],
  failed: ['issued', 'failed'], // an operator may retry a failed payout
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
