// Every email sent to (or about) the customer: asks, thank-yous and referrer updates, each recorded by the run that sent
// it from the email activity's answer once Postmark (or the outbox) accepted it (journey/sends.ts); customer:<id> keeps
// what workers of earlier builds signalled. Pure; idempotent by sendKey. Reserved slots (the frequency cap) stay in
// customer:<id>'s contactHistory; this is what actually went out.
export interface SentEmail {
  sendKey: string;
  journeyId: string;
  /** e.g. `invite:referral:1`, `thank-you:<referralId>`. */
  step?: string;
  messageId?: string;
  messageStream: 'broadcast' | 'outbound';
  /** Postmark template alias, or the local template file. */
  template: string;
  transport: 'postmark' | 'outbox';
  /** When the email activity saw it accepted (ISO). */
  sentAt: string;
}

const KEEP_SENDS = 500;
const KEEP_MS = 365 * 86_400_000;

/** Problems with a record, for the update's validator (empty: fine). */
export function sendRecordProblems(r: Partial<SentEmail> | undefined): string[] {
  const problems: string[] = [];
  if (!r || typeof r.sendKey !== 'string' || !r.sendKey) problems.push('sendKey is required');
  if (typeof r?.journeyId !== 'string' || !r.journeyId) problems.push('journeyId is required');
  if (r?.messageStream !== 'broadcast' && r?.messageStream !== 'outbound')
    problems.push(`messageStream must be broadcast or outbound, got ${JSON.stringify(r?.messageStream)}`);
  if (typeof r?.template !== 'string') problems.push('template is required');
  if (typeof r?.sentAt !== 'string' || Number.isNaN(Date.parse(r.sentAt)))
    problems.push(`sentAt must be an ISO time, got ${JSON.stringify(r?.sentAt)}`);
  return problems;
}

/** Adds the send unless its sendKey is already there (a retried activity records it again). */
export function recordSend(sends: SentEmail[], record: SentEmail, nowMs: number): { sends: SentEmail[]; recorded: boolean } {
  if (sends.some((s) => s.sendKey === record.sendKey)) return { sends, recorded: false };
  const kept = [...sends, record].filter((s) => Date.parse(s.sentAt) > nowMs - KEEP_MS).slice(-KEEP_SENDS);
  return { sends: kept, recorded: true };
}
