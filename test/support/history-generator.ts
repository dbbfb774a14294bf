// A recorded event history for backtests, generated from a seed (the same seed, the same file): customers in four
// zones, each with an NPS answer (most promoters), some escalations (most resolved a few days later), referrals from
// some promoters a few weeks later, and some of those closing as deals. Used by the backtest tests and
// bench/backtest.ts; `node --import tsx test/support/history-generator.ts N DAYS [START]` prints one as NDJSON.
import type { JourneyEvent } from '../../workflows/contract/index.ts';
import { seededRandom } from '../../reports/experiments/stats.ts';

const DAY = 86_400_000;
const ZONES = ['America/New_York', 'Europe/Berlin', 'Asia/Tokyo', 'America/Los_Angeles'];
const SEGMENTS = ['smb', 'mid-market', 'enterprise'];
const NAMES = ['Aiko', 'Lee', 'Sam', 'Noor', 'Ines', 'Ravi', 'Mia', 'Tomas'];

export interface HistoryShape {
  customers: number;
  days: number;
  /** The first instant of the history (ms). */
  startMs: number;
  seed?: number;
}

export function generateHistory(shape: HistoryShape): JourneyEvent[] {
  const random = seededRandom(shape.seed ?? 17);
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  const endMs = shape.startMs + shape.days * DAY;
  const events: JourneyEvent[] = [];
  for (let i = 0; i < shape.customers; i++) {
    const customerId = `c-${String(i).padStart(5, '0')}`;
    const name = NAMES[i % NAMES.length];
    const at = (ms: number) => new Date(Math.round(ms / 60_000) * 60_000).toISOString();
    const mine: JourneyEvent[] = [];
    const npsAt = shape.startMs + between(0, Math.min(30, shape.days * 0.6)) * DAY;
    const roll = random();
    const score = roll < 0.6 ? 9 + Math.floor(random() * 2) : roll < 0.85 ? 7 + Math.floor(random() * 2) : Math.floor(random() * 7);
    mine.push({
      id: `${customerId}-nps`,
      type: 'nps.submitted',
      customerId,
      occurredAt: at(npsAt),
      data: { score },
      traits: {
        email: `${name.toLowerCase()}.${i}@example.com`,
        firstName: name,
        timezone: ZONES[i % ZONES.length],
        healthScore: 60 + Math.floor(random() * 40),
        segment: SEGMENTS[i % SEGMENTS.length],
      },
    });
    if (random() < 0.3) {
      const openedAt = npsAt + between(0.5, 10) * DAY;
      mine.push({
        id: `${customerId}-esc`,
        type: 'escalation.opened',
        customerId,
        occurredAt: at(openedAt),
        data: { escalationId: `ESC-${i}`, severity: 'high' },
      });
      if (random() < 0.8)
        mine.push({
          id: `${customerId}-esc-resolved`,
          type: 'escalation.resolved',
          customerId,
          occurredAt: at(openedAt + between(1, 8) * DAY),
          data: { escalationId: `ESC-${i}` },
        });
    }
    if (score >= 9 && random() < 0.35) {
      const referredAt = npsAt + between(10, 40) * DAY;
      const referralId = `R-${i}`;
      mine.push({
        id: `${customerId}-ref`,
        type: 'referral.submitted',
        customerId,
        occurredAt: at(referredAt),
        data: { referralId, referredEmail: `friend.${i}@other.example`, referredName: `Friend ${i}` },
      });
      if (random() < 0.5)
        mine.push({
          id: `${customerId}-won`,
          type: 'deal.closed_won',
          customerId: `lead-${i}`,
          occurredAt: at(referredAt + between(3, 25) * DAY),
          data: { referralId, referrerId: customerId, amount: 1000 * Math.round(between(5, 30)), currency: 'USD' },
        });
    }
    events.push(...mine.filter((e) => Date.parse(e.occurredAt) < endMs));
  }
  return events.sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
}

export function toNdjson(events: JourneyEvent[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + '\n';
}

if (process.argv[1]?.endsWith('history-generator.ts')) {
  const [customers = '100', days = '90', start] = process.argv.slice(2);
  const startMs = start ? Date.parse(start) : Date.now() - Number(days) * DAY;
  process.stdout.write(toNdjson(generateHistory({ customers: Number(customers), days: Number(days), startMs })));
}
