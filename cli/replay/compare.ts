// What changes between two backtests of the same events (old and new journey versions), per customer and in total:
// asks added, removed or moved (an ask is the same ask in both when its send key is: same journey, customer, cycle,
// motion and attempt), suppressions added or removed, rewards added or removed and the change in their cost.
import type { Ask, BacktestOutcome, Reward, Suppression, Totals } from './outcomes.ts';

export interface CustomerChange {
  customerId: string;
  asksAdded: Ask[];
  asksRemoved: Ask[];
  asksMoved: Array<{ sendKey: string; attempt: number; from: string; to: string }>;
  suppressionsAdded: Suppression[];
  suppressionsRemoved: Suppression[];
  rewardsAdded: Reward[];
  rewardsRemoved: Reward[];
}

export interface OutcomeDiff {
  customers: CustomerChange[];
  total: {
    asksAdded: number;
    asksRemoved: number;
    asksMoved: number;
    suppressionsAdded: number;
    suppressionsRemoved: number;
    rewardsAdded: number;
    rewardsRemoved: number;
    /** New minus old reward cost, by currency. */
    rewardCostChange: Record<string, number>;
    old: Totals;
    new: Totals;
  };
  empty: boolean;
}

/** Items of `a` not matched one for one in `b`, by key (a multiset difference). */
function minus<T>(a: T[], b: T[], key: (x: T) => string): T[] {
  const left = new Map<string, number>();
  for (const x of b) left.set(key(x), (left.get(key(x)) ?? 0) + 1);
  return a.filter((x) => {
    const n = left.get(key(x)) ?? 0;
    if (n > 0) {
      left.set(key(x), n - 1);
      return false;
    }
    return true;
  });
}

const suppressionKey = (s: Suppression) => `${s.at}|${s.rule}|${s.reason ?? ''}|${s.until ?? ''}`;
const rewardKey = (r: Reward) => `${r.at}|${r.referralId ?? ''}|${r.role}|${r.kind}|${r.amount}|${r.currency}`;

export function compareOutcomes(before: BacktestOutcome, after: BacktestOutcome): OutcomeDiff {
  const afterById = new Map(after.customers.map((c) => [c.customerId, c]));
  const customers: CustomerChange[] = [];
  for (const old of before.customers) {
    const next = afterById.get(old.customerId) ?? { ...old, asks: [], suppressions: [], rewards: [] };
    const oldAsks = new Map(old.asks.map((a) => [a.sendKey, a]));
    const newAsks = new Map(next.asks.map((a) => [a.sendKey, a]));
    const change: CustomerChange = {
      customerId: old.customerId,
      asksAdded: next.asks.filter((a) => !oldAsks.has(a.sendKey)),
      asksRemoved: old.asks.filter((a) => !newAsks.has(a.sendKey)),
      asksMoved: old.asks.flatMap((a) => {
        const b = newAsks.get(a.sendKey);
        return b && b.at !== a.at ? [{ sendKey: a.sendKey, attempt: a.attempt, from: a.at, to: b.at }] : [];
      }),
      suppressionsAdded: minus(next.suppressions, old.suppressions, suppressionKey),
      suppressionsRemoved: minus(old.suppressions, next.suppressions, suppressionKey),
      rewardsAdded: minus(next.rewards, old.rewards, rewardKey),
      rewardsRemoved: minus(old.rewards, next.rewards, rewardKey),
    };
    const n = Object.values(change)
      .filter(Array.isArray)
      .reduce((sum, list) => sum + list.length, 0);
    if (n > 0) customers.push(change);
  }
  const sum = (pick: (c: CustomerChange) => unknown[]) => customers.reduce((n, c) => n + pick(c).length, 0);
  const rewardCostChange: Record<string, number> = {};
  for (const [currency, cost] of Object.entries(after.totals.rewardCost)) rewardCostChange[currency] = cost;
  for (const [currency, cost] of Object.entries(before.totals.rewardCost))
    rewardCostChange[currency] = (rewardCostChange[currency] ?? 0) - cost;
  for (const [currency, change] of Object.entries(rewardCostChange)) if (change === 0) delete rewardCostChange[currency];
  return {
    customers,
    total: {
      asksAdded: sum((c) => c.asksAdded),
      asksRemoved: sum((c) => c.asksRemoved),
      asksMoved: sum((c) => c.asksMoved),
      suppressionsAdded: sum((c) => c.suppressionsAdded),
      suppressionsRemoved: sum((c) => c.suppressionsRemoved),
      rewardsAdded: sum((c) => c.rewardsAdded),
      rewardsRemoved: sum((c) => c.rewardsRemoved),
      rewardCostChange,
      old: before.totals,
      new: after.totals,
    },
    empty: customers.length === 0,
  };
}
