// A small tracking log whose every KPI value is worked out by hand in test/kpi-catalogue.test.ts: five customers of
// journey `j` v1 (a re-engaged enterprise advocate with a won, renewed and expanded referral; an smb advocate with a
// lost and a won-then-churned referral; a passive; a disqualified promoter; an asked strategic customer who never
// acted), the API's tracked events about their referred leads (journey unknown, attributed through referralId),
// one line repeated in another process's file and a torn last line.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const T0 = Date.parse('2026-03-02T10:00:00Z'); // a Monday
export const day = (d: number) => new Date(T0 + d * 86_400_000).toISOString();

type Line = Record<string, unknown>;
let n = 0;
const rec = (customerId: string, segment: string, d: number, type: string, data: Record<string, unknown> = {}, extra: Line = {}): Line => ({
  key: `k${++n}`,
  at: day(d),
  journeyId: 'j',
  journeyVersion: 1,
  customerId,
  stage: 'track',
  type,
  segment,
  data,
  ...extra,
});
/** What the API writes for a tracked catalog event (api/tracked-events.ts). */
const api = (customerId: string, d: number, type: string, data: Record<string, unknown>, journeyId?: string): Line => ({
  key: `event:e${++n}`,
  at: day(d),
  ...(journeyId ? { journeyId } : {}),
  customerId,
  stage: 'track',
  type,
  data,
});

export function handLog(): { lines: Line[]; duplicate: Line } {
  n = 0;
  const A = (d: number, type: string, data: Record<string, unknown> = {}, extra: Line = {}) => rec('A', 'enterprise', d, type, data, extra);
  const B = (d: number, type: string, data: Record<string, unknown> = {}) => rec('B', 'smb', d, type, data);
  const wonR1 = A(12, 'referral.closed_won', { referralId: 'r1', revenue: 1000 }, { cycle: 1 });
  const lines = [
    A(0, 'nps.received', { nps: 10 }),
    A(0, 'delight', { nps: 10 }),
    A(0, 'qualified', { motion: 'referral' }, { motion: 'referral' }),
    A(2, 'ask.sent', { attempt: 1 }, { variant: 'enterprise' }),
    api('A', 3, 'referral.link_shared', { referralCode: 'rc_a', referrerId: 'A', channel: 'linkedin', personalized: true }, 'j'),
    api('prospect-1', 3, 'referral.link_clicked', { referralCode: 'rc_a', referrerId: 'A', referralId: 'r1' }, 'j'),
    A(4, 'action.taken', { eventType: 'referral.submitted', cycle: 1 }),
    A(4, 'referral.submitted', { referralId: 'r1' }),
    api('acct-r1', 5, 'lead.qualified', { referralId: 'r1', level: 'mql' }),
    A(6, 'ask.sent', { attempt: 2 }),
    api('acct-r1', 6, 'lead.qualified', { referralId: 'r1', level: 'sql' }),
    A(8, 'referral.opportunity', { referralId: 'r1', revenue: 1000, amount: 1000 }),
    wonR1,
    A(12, 'reward.issued', { role: 'referrer', amount: 50 }),
    A(12, 'reward.issued', { role: 'referred', amount: 20 }),
    A(20, 'cycle.completed', { cycle: 1 }),
    api('acct-r1', 40, 'referred_account.renewed', { referralId: 'r1', arr: 1200 }),
    api('acct-r1', 41, 'referred_account.expanded', { referralId: 'r1', amount: 300 }),
    A(50, 'action.taken', { eventType: 'referral.submitted', cycle: 2 }),
    B(1, 'nps.received', { nps: 9 }),
    B(1, 'delight', { nps: 9 }),
    B(1, 'qualified', { motion: 'referral' }),
    B(3, 'ask.sent', { attempt: 1 }),
    B(5, 'action.taken', { eventType: 'referral.submitted', cycle: 1 }),
    B(5, 'referral.submitted', { referralId: 'r2' }),
    api('acct-r2', 7, 'lead.qualified', { referralId: 'r2', level: 'mql' }),
    B(9, 'referral.opportunity', { referralId: 'r2', revenue: 500, amount: 500 }),
    B(10, 'referral.submitted', { referralId: 'r3' }),
    B(15, 'referral.closed_lost', { referralId: 'r2' }),
    B(30, 'referral.closed_won', { referralId: 'r3', revenue: 2000 }),
    B(30, 'reward.issued', { role: 'referrer', amount: 50 }),
    B(35, 'reward.reversed', { referralId: 'r3', amount: 50 }),
    api('acct-r3', 60, 'referred_account.churned', { referralId: 'r3', arr: 2000 }),
    rec('C', 'smb', 0, 'nps.received', { nps: 7 }),
    rec('D', 'enterprise', 2, 'nps.received', { nps: 10 }),
    rec('D', 'enterprise', 2, 'delight', { nps: 10 }),
    rec('D', 'enterprise', 2, 'disqualified', { reason: 'health score below 60' }),
    rec('E', 'strategic', 0, 'nps.received', { nps: 9 }),
    rec('E', 'strategic', 0, 'delight', { nps: 9 }),
    rec('E', 'strategic', 0, 'qualified', { motion: 'referral' }),
    rec('E', 'strategic', 2, 'ask.sent', { attempt: 1 }),
    rec('E', 'strategic', 23, 'action.timeout', {}),
    // QBRs: about a customer, not a journey's referral, so they land in the group without a journey.
    api('A', 10, 'qbr.completed', { sentiment: 'positive', referralIntent: true }),
    api('B', 11, 'qbr.completed', { sentiment: 'neutral', referralIntent: false }),
  ];
  return { lines, duplicate: wonR1 };
}

/** Writes the log as two processes' files (the won deal repeated in the second, a torn line ending the first). */
export function writeHandLog(): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'kpi-hand-'));
  mkdirSync(join(dataDir, 'tracking'));
  const { lines, duplicate } = handLog();
  const half = Math.ceil(lines.length / 2);
  const text = (ls: Line[]) => ls.map((l) => JSON.stringify(l)).join('\n');
  writeFileSync(join(dataDir, 'tracking', 'worker-1.ndjson'), `${text(lines.slice(0, half))}\n{"key":"torn","at":"2026-03-0`);
  writeFileSync(join(dataDir, 'tracking', 'worker-2.ndjson'), `${text([...lines.slice(half), duplicate])}\n`);
  writeFileSync(join(dataDir, 'tracking', 'notes.txt'), 'not a log: ignored\n');
  return dataDir;
}
