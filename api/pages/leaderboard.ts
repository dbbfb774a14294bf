// The opt-in leaderboard of one journey and period, read from the tracking log (the KPI store's source of truth):
// the advocates whose latest `leaderboard.preference_set` for the journey says optIn, ranked by their referrals
// closed won in the period, then submitted. Only the display name they agreed to (first name and last initial) is
// shown. Reading the whole log is linear in its size, so a board is computed at most every REFRESH_MS per journey
// and period, and pages show the last one computed.
import { readTrackingLog } from '../../activities/tracking/ndjson-log.ts';
import type { TrackingRecord } from '../../workflows/contract/index.ts';

export type Period = 'month' | 'quarter' | 'year';

export interface LeaderboardRow {
  rank: number;
  displayName: string;
  won: number;
  submitted: number;
  customerId: string;
}

export interface Leaderboard {
  journeyId: string;
  period: Period;
  /** The period's first day (ISO, UTC) and the first day after it. */
  from: string;
  to: string;
  rows: LeaderboardRow[];
  /** Latest choice per advocate of this journey (customer id → opted in). */
  optedIn: Map<string, boolean>;
}

const REFRESH_MS = 30_000;
export const PREFERENCE_EVENT = 'leaderboard.preference_set';

/** The calendar period (UTC) that holds `nowMs`. */
export function periodBounds(period: Period, nowMs: number): { from: Date; to: Date } {
  const d = new Date(nowMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const startMonth = period === 'year' ? 0 : period === 'quarter' ? m - (m % 3) : m;
  const months = period === 'year' ? 12 : period === 'quarter' ? 3 : 1;
  return { from: new Date(Date.UTC(y, startMonth, 1)), to: new Date(Date.UTC(y, startMonth + months, 1)) };
}

/** The board from tracking records (pure, for tests and the cache below). */
export function buildLeaderboard(
  records: readonly TrackingRecord[],
  journeyId: string,
  period: Period,
  size: number,
  nowMs: number,
): Leaderboard {
  const { from, to } = periodBounds(period, nowMs);
  const names = new Map<string, string>();
  const optedIn = new Map<string, boolean>();
  const counts = new Map<string, { won: number; submitted: number }>();
  for (const r of records) {
    if (r.type === PREFERENCE_EVENT) {
      if (r.data?.journeyId !== journeyId) continue;
      optedIn.set(r.customerId, r.data?.optIn === true);
      if (typeof r.data?.displayName === 'string') names.set(r.customerId, r.data.displayName);
      continue;
    }
    if (r.journeyId !== journeyId || r.at < from.toISOString() || r.at >= to.toISOString()) continue;
    if (r.type !== 'referral.submitted' && r.type !== 'referral.closed_won') continue;
    const c = counts.get(r.customerId) ?? { won: 0, submitted: 0 };
    if (r.type === 'referral.submitted') c.submitted++;
    else c.won++;
    counts.set(r.customerId, c);
  }
  const rows = [...counts.entries()]
    .filter(([id]) => optedIn.get(id) === true && names.has(id))
    .sort(([a, x], [b, y]) => y.won - x.won || y.submitted - x.submitted || (a < b ? -1 : 1))
    .slice(0, size)
    .map(([customerId, c], i) => ({ rank: i + 1, displayName: names.get(customerId)!, won: c.won, submitted: c.submitted, customerId }));
  return { journeyId, period, from: from.toISOString(), to: to.toISOString(), rows, optedIn };
}

export class LeaderboardCache {
  private readonly boards = new Map<string, { at: number; board: Promise<Leaderboard> }>();

  constructor(private readonly dataDir: string) {}

  get(journeyId: string, period: Period, size: number, nowMs: number = Date.now()): Promise<Leaderboard> {
    const key = `${journeyId}|${period}|${size}`;
    const hit = this.boards.get(key);
    if (hit && nowMs - hit.at < REFRESH_MS) return hit.board;
    const board = readTrackingLog(this.dataDir).then(({ records }) => buildLeaderboard(records, journeyId, period, size, nowMs));
    this.boards.set(key, { at: nowMs, board });
    board.catch(() => this.boards.get(key)?.board === board && this.boards.delete(key));
    return board;
  }

  /** After an advocate changes their choice: the next page shows it. */
  forget(journeyId: string) {
    for (const key of this.boards.keys()) if (key.startsWith(`${journeyId}|`)) this.boards.delete(key);
  }
}

/** "Ada L." from traits: the first name and the last name's initial, nothing else. */
export function displayNameOf(traits: Record<string, unknown>): string | undefined {
  const first = typeof traits.firstName === 'string' ? traits.firstName.trim().split(/\s+/)[0] : '';
  if (!first) return undefined;
  const last = typeof traits.lastName === 'string' ? traits.lastName.trim() : '';
  return `${first.slice(0, 40)}${last ? ` ${[...last][0].toUpperCase()}.` : ''}`;
}
