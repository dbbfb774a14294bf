// The advocate status page (/a/<token>): each referral and its stage, the rewards (pending, held until a date,
// issued, reversed), the tier and progress to the next, the programme's rules and the opt-in leaderboard. Built from
// the advocate's run state (journeyState query) and the journey's plan; nothing here names the customer id.
import type { PagesConfig } from '../../definitions/pages.ts';
import type { Reward } from '../../definitions/generated/journey.ts';
import type { JourneySnapshot } from '../../workflows/contract/index.ts';
import type { HeldReward, ReferralEntry, RewardEntry } from '../../workflows/journey/state.ts';
import { escapeHtml, fillText, renderPage } from './layout.ts';
import { CSRF_FIELD } from './csrf.ts';
import { describeItem, programmeRules, tierProgress, type Formatter } from './programme.ts';
import type { Leaderboard } from './leaderboard.ts';

export const STAGE_LABELS: Record<ReferralEntry['stage'], string> = {
  submitted: 'Submitted',
  qualified: 'Qualified',
  opportunity: 'Opportunity',
  'closed-won': 'Won',
  'closed-lost': 'Lost',
  reversed: 'Reversed',
};
const KIND_LABELS: Record<string, string> = {
  credit: 'account credit',
  discount: 'discount',
  'gift-card': 'gift card',
  donation: 'donation in your name',
  swag: 'swag',
  'early-access': 'early access',
  recognition: 'recognition',
};
const STAGE_ORDER: ReferralEntry['stage'][] = ['submitted', 'qualified', 'opportunity', 'closed-won'];

export interface StatusView {
  advocate: string;
  state: JourneySnapshot;
  reward?: Reward;
  leaderboard?: { board: Leaderboard; csrf: string; action: string; optedIn: boolean; canOptIn: boolean };
  f: Formatter;
  notice?: string;
}

/** "j•••@globex.example": enough for the advocate to recognise whom they referred, not a readable address. */
export function maskReferred(referred: string | undefined): string {
  if (!referred) return 'A friend';
  const [user, domain] = referred.replace(/^(email|id):/, '').split('@');
  return domain ? `${[...user][0] ?? ''}•••@${domain}` : `${[...user].slice(0, 2).join('')}•••`;
}

function referralsSection(view: StatusView): string {
  const { referrals } = view.state;
  if (referrals.length === 0) return '<h2>Your referrals</h2><p id="no-referrals">No referrals yet. Share your link to get started.</p>';
  const rows = [...referrals]
    .reverse()
    .map((r) => {
      const step = STAGE_ORDER.indexOf(r.stage);
      const progress = step >= 0 ? ` <span class="muted">(step ${step + 1} of ${STAGE_ORDER.length})</span>` : '';
      return `<tr data-referral="${escapeHtml(r.referralId)}"><td>${escapeHtml(maskReferred(r.referred))}</td><td>${escapeHtml(view.f.date(r.submittedAt))}</td><td class="stage"><strong>${STAGE_LABELS[r.stage]}</strong>${progress}</td></tr>`;
    })
    .join('');
  return `<h2>Your referrals</h2><table id="referrals"><caption class="muted">Newest first</caption><thead><tr><th scope="col">Friend</th><th scope="col">Referred on</th><th scope="col">Stage</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function rewardStatus(entry: RewardEntry, held: HeldReward | undefined, f: Formatter): string {
  switch (entry.status) {
    case 'held':
      if (held?.waitForConversion) return `Pending: issued when your friend becomes a customer (until ${f.date(held.releaseAt)})`;
      return held ? `Held until ${f.date(held.releaseAt)}` : 'Held';
    case 'issued':
      return `Issued ${f.date(entry.at)}`;
    case 'reversed':
      return `Reversed ${f.date(entry.at)}`;
    case 'forfeited':
      return 'Not issued: the referral did not convert';
    case 'refused':
      return 'Not issued (programme rules)';
    case 'failed':
      return 'Delayed: our team is on it';
  }
}

function rewardsSection(view: StatusView): string {
  const mine = view.state.rewards.filter((r) => r.role !== 'referred');
  if (mine.length === 0) return '<h2>Your rewards</h2><p id="no-rewards">No rewards yet.</p>';
  const rows = [...mine]
    .reverse()
    .map((r) => {
      const held = view.state.heldRewards?.find((h) => h.referralId === r.referralId);
      const kind = KIND_LABELS[r.kind] ?? r.kind.replace('-', ' ');
      const value = r.amount !== undefined && r.currency ? `${view.f.money(r.amount, r.currency)} ${kind}` : kind;
      const what = r.role === 'tier-bonus' ? `Tier bonus: ${value}` : value;
      return `<tr data-reward-status="${r.status}"><td>${escapeHtml(what)}</td><td>${escapeHtml(rewardStatus(r, held, view.f))}</td></tr>`;
    })
    .join('');
  return `<h2>Your rewards</h2><table id="rewards"><thead><tr><th scope="col">Reward</th><th scope="col">Status</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function tierSection(view: StatusView): string {
  if (!view.reward?.tiers?.length) return '';
  const rewarded = view.state.rewards.filter((r) => r.role === 'referrer' && (r.status === 'issued' || r.status === 'held')).length;
  const p = tierProgress(view.reward, rewarded);
  const tier = view.state.history.tier ?? p.tier;
  const now = tier ? `You are a <strong>${escapeHtml(tier)}</strong> advocate.` : 'You have no tier yet.';
  const next = p.next
    ? `<p>${p.count} of ${p.next.threshold} rewarded referrals to <strong>${escapeHtml(p.next.tier)}</strong>.</p><progress id="tier-progress" max="${p.next.threshold}" value="${Math.min(p.count, p.next.threshold)}" aria-label="Progress to ${escapeHtml(p.next.tier)}">${p.count} of ${p.next.threshold}</progress>`
    : '<p>You have reached the top tier. Thank you!</p>';
  return `<h2>Your tier</h2><div id="tier"><p>${now}</p>${next}</div>`;
}

function leaderboardSection(view: StatusView): string {
  const lb = view.leaderboard;
  if (!lb) return '';
  const { board } = lb;
  const period =
    board.period === 'year'
      ? board.from.slice(0, 4)
      : `${view.f.period(board.from)}${board.period === 'quarter' ? ` – ${view.f.period(new Date(Date.parse(board.to) - 86_400_000).toISOString())}` : ''}`;
  const rows = board.rows.length
    ? `<table id="leaderboard"><caption class="muted">${escapeHtml(period)}</caption><thead><tr><th scope="col">Rank</th><th scope="col">Advocate</th><th scope="col">Won</th><th scope="col">Referred</th></tr></thead><tbody>${board.rows
        .map(
          (r) =>
            `<tr${r.customerId === view.state.customerId ? ' aria-current="true"' : ''}><td>${r.rank}</td><td>${escapeHtml(r.displayName)}${r.customerId === view.state.customerId ? ' (you)' : ''}</td><td>${r.won}</td><td>${r.submitted}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : `<p id="leaderboard-empty">No one on the board for ${escapeHtml(period)} yet.</p>`;
  const form = lb.canOptIn
    ? `<form method="post" action="${escapeHtml(lb.action)}"><input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(lb.csrf)}"><input type="hidden" name="show" value="${lb.optedIn ? 'no' : 'yes'}"><button id="leaderboard-toggle" type="submit">${lb.optedIn ? 'Remove me from the leaderboard' : 'Show me on the leaderboard'}</button></form><p class="muted">Only your first name and last initial are shown.</p>`
    : '';
  return `<h2>Leaderboard</h2>${rows}${form}`;
}

export function statusPage(config: PagesConfig, view: StatusView): string {
  const rules = view.reward ? programmeRules(view.reward, view.f) : [];
  const code = view.state.referralCode;
  const offer = view.reward?.referred ? ` Your friends get ${escapeHtml(describeItem(view.reward.referred, view.f))}.` : '';
  const share = code
    ? `<p>Your referral page: <a id="referral-page" href="/r/${escapeHtml(encodeURIComponent(code))}">/r/${escapeHtml(code)}</a>.${offer}</p>`
    : '';
  const notice = view.notice ? `<p class="note" role="status" id="notice">${escapeHtml(view.notice)}</p>` : '';
  const main = `${notice}${share}${referralsSection(view)}${rewardsSection(view)}${tierSection(view)}${leaderboardSection(view)}${
    rules.length
      ? `<h2>How the programme works</h2><ul class="rules" id="rules">${rules.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>`
      : ''
  }`;
  return renderPage(config, { title: fillText(config.statusPage.headline, { advocate: view.advocate }), main });
}

export function statusInvalidPage(config: PagesConfig, reason: 'invalid' | 'expired' | 'gone'): string {
  const text = {
    invalid: 'This link is not valid. Use the link in the most recent email from us.',
    expired: 'This link has expired. The next email from us carries a fresh one; or write to us and we will send it.',
    gone: 'There is nothing to show for this link any more.',
  }[reason];
  return renderPage(config, {
    title: reason === 'expired' ? 'Link expired' : 'Link not valid',
    main: `<p id="status">${escapeHtml(text)}</p>`,
  });
}
