// What `journey diff` prints: per customer the asks added, removed and moved, suppressions and rewards added or
// removed (dated in the customer's zone), the totals, and what the new version's inFlight policy would do to the
// runs open on a server.
import type { InFlightImpact } from '../../api/in-flight-impact.ts';
import { formatLocal } from '../../workflows/journey/send-window.ts';
import type { OutcomeDiff } from './compare.ts';
import { money } from './render.ts';

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

export function renderDiff(d: OutcomeDiff, ctx: { header: string; zoneOf(customerId: string): string; impact?: InFlightImpact[] }): string {
  const lines = [ctx.header, ''];
  for (const c of d.customers) {
    const zone = ctx.zoneOf(c.customerId);
    const at = (iso: string) => formatLocal(Date.parse(iso), zone);
    lines.push(`customer ${c.customerId} (${zone})`);
    for (const a of c.asksMoved) {
      const days = (Date.parse(a.to) - Date.parse(a.from)) / 86_400_000;
      lines.push(`  ask #${a.attempt} moved: ${at(a.from)} → ${at(a.to)} (${days > 0 ? '+' : ''}${days.toFixed(1)} days)`);
    }
    for (const a of c.asksAdded) lines.push(`  ask #${a.attempt} added: ${at(a.at)}${a.subject ? ` "${a.subject}"` : ''}; why: ${a.why}`);
    for (const a of c.asksRemoved) lines.push(`  ask #${a.attempt} removed: was ${at(a.at)}${a.subject ? ` "${a.subject}"` : ''}`);
    for (const s of c.suppressionsAdded) lines.push(`  suppression added: ${at(s.at)} by ${s.rule}${s.reason ? `: ${s.reason}` : ''}`);
    for (const s of c.suppressionsRemoved)
      lines.push(`  suppression removed: was ${at(s.at)} by ${s.rule}${s.reason ? `: ${s.reason}` : ''}`);
    for (const r of c.rewardsAdded)
      lines.push(`  reward added: ${at(r.at)} ${r.role} ${r.kind} ${r.amount} ${r.currency}${r.referralId ? ` for ${r.referralId}` : ''}`);
    for (const r of c.rewardsRemoved)
      lines.push(
        `  reward removed: was ${at(r.at)} ${r.role} ${r.kind} ${r.amount} ${r.currency}${r.referralId ? ` for ${r.referralId}` : ''}`,
      );
  }
  const t = d.total;
  if (d.empty) lines.push('no change: both versions ask, suppress and reward exactly the same for every customer');
  else
    lines.push(
      '',
      `total: ${d.customers.length} of ${t.old.customers} customers change`,
      `  asks: ${t.asksAdded} added, ${t.asksRemoved} removed, ${t.asksMoved} moved (${t.old.asks} → ${t.new.asks})`,
      `  suppressions: ${t.suppressionsAdded} added, ${t.suppressionsRemoved} removed (${t.old.suppressions} → ${t.new.suppressions})`,
      `  rewards: ${t.rewardsAdded} added, ${t.rewardsRemoved} removed (${t.old.rewards} → ${t.new.rewards}); cost ${money(t.old.rewardCost)} → ${money(t.new.rewardCost)}${
        Object.keys(t.rewardCostChange).length
          ? ` (${Object.entries(t.rewardCostChange)
              .map(([cur, n]) => `${signed(n)}${cur ? ` ${cur}` : ''}`)
              .join(', ')})`
          : ''
      }`,
      `  referrals: ${t.old.referrals} → ${t.new.referrals}; converted ${t.old.conversions} → ${t.new.conversions}; referred revenue ${t.old.referredRevenue} → ${t.new.referredRevenue}`,
    );
  for (const i of ctx.impact ?? []) {
    lines.push(
      '',
      `runs in flight of ${i.journeyId} on the server: ${i.runsFound}${i.truncated ? ' (stopped counting)' : ''}; ${i.reason}`,
    );
    const byStage = new Map<string, number>();
    for (const r of i.moving)
      byStage.set(
        `v${r.version ?? '?'} ${r.stage ?? '(stage unknown)'}`,
        (byStage.get(`v${r.version ?? '?'} ${r.stage ?? '(stage unknown)'}`) ?? 0) + 1,
      );
    if (i.moving.length)
      lines.push(`  ${i.moving.length} would move to v${i.toVersion}: ${[...byStage].map(([from, n]) => `${n} from ${from}`).join(', ')}`);
    for (const r of i.moving.slice(0, 50)) lines.push(`    ${r.workflowId}: v${r.version ?? '?'}, now in ${r.stage ?? '(unknown)'}`);
    if (i.moving.length > 50) lines.push(`    … and ${i.moving.length - 50} more (--json lists all)`);
    const staying = Object.entries(i.staying);
    if (staying.length) lines.push(`  staying on their version: ${staying.map(([v, n]) => `${n} on v${v}`).join(', ')}`);
  }
  return lines.join('\n');
}
