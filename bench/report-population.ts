// A seeded population of tracking records for bench/report.ts: customers go through the funnel of the shipped
// journeys (delight → qualify → asks → action → referral → lead stages → closed won/lost → rewards → referred
// account renewals, expansions and churn), written as the interpreter and the API write them, spread over several
// NDJSON files (one per worker process) with some lines repeated across files (retried appends), as a real
// tracking folder holds them. Streams to disk, so memory stays flat whatever the size.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { seededRandom } from '../reports/experiments/stats.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-05T00:00:00Z');
const JOURNEYS = [
  { id: 'nps-promoter-referral', version: 3, motion: 'referral' },
  { id: 'milestone-review-ask', version: 2, motion: 'review' },
  { id: 'support-praise-advocacy', version: 1, motion: 'referral' },
];
const SEGMENTS = ['smb', 'mid-market', 'enterprise', 'strategic'];

export interface PopulationOptions {
  dir: string;
  /** Stop after about this many records (the last customer is written whole). */
  records: number;
  files: number;
  seed?: number;
  /** Share of lines written twice (a retried append landing in another process's file). */
  duplicateShare?: number;
  /** Prefix of customer ids (a later batch of new customers: `tail1-`). */
  customerPrefix?: string;
  /** Append to the files if they exist (a log that goes on growing). */
  append?: boolean;
}

async function write(stream: WriteStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve));
}

/** Writes the population; returns how many distinct records and how many lines were written. */
export async function writePopulation(opts: PopulationOptions): Promise<{ records: number; lines: number; bytes: number }> {
  await mkdir(opts.dir, { recursive: true });
  const rand = seededRandom(opts.seed ?? 2026);
  const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const streams = Array.from({ length: opts.files }, (_, i) =>
    createWriteStream(join(opts.dir, `worker-${i + 1}.ndjson`), { flags: opts.append ? 'a' : 'w' }),
  );
  const buffers: string[][] = streams.map(() => []);
  let records = 0;
  let lines = 0;
  let bytes = 0;
  const dupShare = opts.duplicateShare ?? 0.01;
  const flush = async (i: number) => {
    const text = buffers[i].join('');
    buffers[i] = [];
    bytes += Buffer.byteLength(text);
    await write(streams[i], text);
  };
  let c = 0;
  while (records < opts.records) {
    const journey = JOURNEYS[c % JOURNEYS.length];
    const customerId = `${opts.customerPrefix ?? ''}c${c++}`;
    const file = c % opts.files;
    const segment = SEGMENTS[between(0, 3)];
    const workflowId = `journey:${journey.id}:${customerId}`;
    let t = T0 + between(0, 180) * DAY + between(0, 86_399) * 1000;
    let seq = 0;
    let cycle = 1;
    const emit = (type: string, stage: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
      const key = `${workflowId}:${cycle}:${type}:${++seq}`;
      const line = `${JSON.stringify({
        at: new Date(t).toISOString(),
        journeyId: journey.id,
        journeyVersion: journey.version,
        customerId,
        stage,
        ...(stage === 'listen' || stage === 'qualify' ? {} : { motion: journey.motion }),
        type,
        data: { ...data, key },
        key,
        cycle,
        segment,
        ...extra,
      })}\n`;
      buffers[file].push(line);
      records++;
      lines++;
      if (rand() < dupShare) {
        buffers[(file + 1) % opts.files].push(line);
        lines++;
      }
    };
    // Outcome facts a backend sends about a referred lead or account: written by the API, journey unknown.
    const outcome = (type: string, referralId: string, data: Record<string, unknown>) => {
      const key = `event:${type}:${customerId}:${referralId}:${++seq}`;
      buffers[file].push(
        `${JSON.stringify({ key, at: new Date(t).toISOString(), customerId: `${referralId}-account`, stage: 'track', type, data: { ...data, referralId, eventId: key } })}\n`,
      );
      records++;
      lines++;
    };
    const cycles = rand() < 0.15 ? 2 : 1;
    for (; cycle <= cycles; cycle++) {
      const score = rand() < 0.5 ? between(9, 10) : between(0, 8);
      emit('nps.received', 'listen', { eventId: `e${seq}`, nps: score });
      if (score < 9) break;
      emit('delight', 'listen', { signal: 'promoter', eventId: `e${seq}`, nps: score });
      t += between(0, 2) * 3_600_000;
      if (rand() < 0.3) {
        emit('disqualified', 'qualify', { rule: 'low-health', reason: 'health score below 60' });
        break;
      }
      emit('qualified', 'qualify', { motion: journey.motion, rule: 'otherwise', reason: 'fits' });
      const asks = between(1, 3);
      for (let a = 1; a <= asks; a++) {
        t += between(2, 5) * DAY;
        emit(
          'ask.sent',
          'invite',
          { attempt: a, channel: 'email', template: 'referral-invite', sendKey: `s${a}` },
          a === 1 && segment === 'enterprise' ? { variant: 'enterprise' } : {},
        );
      }
      if (rand() < 0.2) emit('referral.link_shared', 'activate', { channel: rand() < 0.5 ? 'email' : 'linkedin' });
      if (rand() < 0.6) {
        t += 21 * DAY;
        emit('action.timeout', 'activate', { timeout: 'P21D' });
        emit('cycle.completed', 'track', { cycle });
        continue;
      }
      const referrals = between(1, 3);
      for (let r = 0; r < referrals; r++) {
        t += between(1, 10) * DAY;
        const referralId = `${customerId}-r${cycle}-${r}`;
        emit('action.taken', 'activate', { eventType: 'referral.submitted', eventId: `a${seq}`, cycle });
        emit('referral.submitted', 'activate', { referralId });
        const base = t;
        if (rand() < 0.7) {
          t += between(1, 5) * DAY;
          outcome('lead.qualified', referralId, { level: 'mql' });
          if (rand() < 0.6) {
            t += between(1, 5) * DAY;
            outcome('lead.qualified', referralId, { level: 'sql' });
            const amount = between(10, 80) * 100;
            emit('referral.opportunity', 'track', { referralId, revenue: amount, amount });
            t += between(5, 40) * DAY;
            if (rand() < 0.45) {
              emit('referral.closed_won', 'track', { referralId, revenue: amount });
              emit('reward.issued', 'reward', { key: `rw${seq}`, role: 'referrer', kind: 'credit', amount: 50, provider: 'ledger' });
              emit('reward.issued', 'reward', { key: `rw${seq}`, role: 'referred', kind: 'discount', amount: 100, provider: 'ledger' });
              t += 365 * DAY;
              if (rand() < 0.85) outcome('referred_account.renewed', referralId, { arr: amount });
              else outcome('referred_account.churned', referralId, { arr: amount, reason: 'budget' });
              if (rand() < 0.2) outcome('referred_account.expanded', referralId, { amount: between(5, 20) * 100 });
            } else emit('referral.closed_lost', 'track', { referralId });
          }
        }
        t = base;
      }
      emit('cycle.completed', 'track', { cycle });
    }
    if (c % 512 === 0) for (let i = 0; i < opts.files; i++) await flush(i);
  }
  for (let i = 0; i < opts.files; i++) await flush(i);
  await Promise.all(
    streams.map((s) => new Promise<void>((resolve, reject) => s.end((err?: Error | null) => (err ? reject(err) : resolve())))),
  );
  return { records, lines, bytes };
}

/**
 * Later records of customers a population already holds (a tail of returning advocates, not new ones): `records`
 * NPS answers of a survey `tag`, four per customer, for customers picked by the seed among the first `among` of the
 * population (c0, c1, ...), appended to `file` in `dir`. Each changes its advocate's last NPS, so the store must
 * recompute every earlier row of theirs.
 */
export async function appendReturningCustomers(opts: {
  dir: string;
  file: string;
  records: number;
  among: number;
  tag: string;
  seed?: number;
}): Promise<{ records: number; customers: number }> {
  const rand = seededRandom(opts.seed ?? 7);
  const lines: string[] = [];
  const customers = new Set<number>();
  const t = T0 + 400 * DAY;
  for (let i = 0; i < opts.records; i += 4) {
    const n = Math.floor(rand() * opts.among);
    customers.add(n);
    const journey = JOURNEYS[n % JOURNEYS.length];
    for (let k = 0; k < 4 && i + k < opts.records; k++) {
      const key = `journey:${journey.id}:c${n}:9:nps.received:${opts.tag}-${i + k}`;
      const at = new Date(t + (i + k) * 1000).toISOString();
      const data = { eventId: `${opts.tag}-${i + k}`, nps: Math.floor(rand() * 11), key };
      lines.push(
        `${JSON.stringify({ at, journeyId: journey.id, journeyVersion: journey.version, customerId: `c${n}`, stage: 'listen', type: 'nps.received', data, key, cycle: 9 })}\n`,
      );
    }
  }
  await mkdir(opts.dir, { recursive: true });
  const stream = createWriteStream(join(opts.dir, opts.file), { flags: 'a' });
  await write(stream, lines.join(''));
  await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { records: lines.length, customers: customers.size };
}
