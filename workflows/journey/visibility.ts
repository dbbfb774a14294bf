// What operators see in the Temporal UI: current details (markdown) and search attributes, upserted only when
// they change (each upsert is a history event).
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  AdvocacyMotion,
  AdvocateTier,
  FirstReferralAt,
  InvitedAt,
  JourneyId,
  JourneyRelease,
  JourneyStage,
  JourneyVersion,
  CustomerId,
  ReferralCount,
  Suppressed,
} from '../contract/index.ts';
import { RELEASE } from '../release.ts';
import type { RunContext } from './context.ts';
import { askHold } from './suppression.ts';

function suppressionReason(ctx: RunContext): string | undefined {
  return askHold(ctx, 'email')?.reason;
}

export function detailsMarkdown(ctx: RunContext): string {
  const s = ctx.state;
  const why = suppressionReason(ctx);
  const lines = [
    `**${s.journeyName}** v${s.journeyVersion} · customer \`${s.customerId}\` · cycle ${s.cycle}`,
    // Markdown needs a blank line between a paragraph and a list, or the Temporal UI shows the bullets as text.
    '',
    `- stage: **${s.stage}**${s.motion ? ` · motion: ${s.motion}` : ''}${s.attempts ? ` · asks this cycle: ${s.attempts}` : ''}`,
    `- next: ${s.nextAction ? `${s.nextAction.what}${s.nextAction.at ? ` at ${s.nextAction.at}` : ''}` : '—'}`,
  ];
  if (why) lines.push(`- suppressed: ${why}`);
  if (s.emailProblem) {
    const { kind, reason, failures, retryAt } = s.emailProblem;
    const next = retryAt ? ` · trying again at ${retryAt}` : ' · ask given up';
    lines.push(`- email ${kind}: ${reason} · ${failures} failed ${failures === 1 ? 'try' : 'tries'}${next}`);
  }
  const failedRewards = s.rewards.filter((r) => r.status === 'failed');
  if (failedRewards.length > 0) {
    const last = failedRewards[failedRewards.length - 1];
    lines.push(`- rewards failed, need an operator: ${failedRewards.length} · last ${last.key}: ${last.reason}`);
  }
  if (s.trackingProblem) {
    const t = s.trackingProblem;
    lines.push(
      `- tracking not written: ${ctx.tracking.length} records wait in this run · ${t.failures} failed ${t.failures === 1 ? 'try' : 'tries'} since ${t.since} (${t.reason}) · trying again at ${t.retryAt}`,
    );
  }
  if (s.ownerTask?.cycle === s.cycle) {
    const t = s.ownerTask;
    lines.push(
      `- owner task (${t.provider}) ${t.outcome ? `answered: ${t.outcome}${t.outcomeAt ? ` at ${t.outcomeAt}` : ''}` : `open, answer due ${t.dueAt}`}`,
    );
  }
  if (s.crmProblem) {
    const c = s.crmProblem;
    const queued = s.crmQueue?.length ? ` · ${s.crmQueue.length} referral records wait in this run` : '';
    lines.push(
      `- CRM ${c.what} failing: ${c.reason} · ${c.failures} failed ${c.failures === 1 ? 'try' : 'tries'}${c.retryAt ? ` · trying again at ${c.retryAt}` : ' · needs an operator'}${queued}`,
    );
  }
  if (s.ended) lines.push(`- ended: ${s.ended.reason} (new events are recorded, never acted on)`);
  if (s.qualification) lines.push(`- qualified: ${s.qualification.motion} (${s.qualification.reason})`);
  const { referrals, conversions, rewardsIssued, tier } = s.history;
  lines.push(`- referrals ${referrals} · conversions ${conversions} · rewards ${rewardsIssued}${tier ? ` · tier ${tier}` : ''}`);
  if (ctx.handoverRequested) lines.push(`- handing over to a fresh history (operator, ${ctx.handoverRequested.at})`);
  return lines.join('\n');
}

/** Once per run (each continue-as-new included): which journey, version and customer, and the release of the code
 *  that started this history (JourneyRelease), so operators can list the runs an older release started. */
export function showRunStart(ctx: RunContext): void {
  if (!ctx.searchAttributes) return;
  upsertSearchAttributes([
    { key: JourneyId, value: ctx.plan.journeyId },
    { key: JourneyVersion, value: String(ctx.plan.version) },
    { key: CustomerId, value: ctx.state.customerId },
    { key: JourneyRelease, value: RELEASE },
  ]);
}

/** Current details always; search attributes when enabled and changed. */
export function showProgress(ctx: RunContext): void {
  setCurrentDetails(detailsMarkdown(ctx));
  if (!ctx.searchAttributes) return;
  const s = ctx.state;
  const firstReferral = s.referrals[0]?.submittedAt;
  const wanted: Array<[string, SearchAttributeUpdatePair]> = [
    [`stage`, { key: JourneyStage, value: s.stage }],
    [`motion`, { key: AdvocacyMotion, value: s.motion ?? null }],
    [`suppressed`, { key: Suppressed, value: Boolean(suppressionReason(ctx)) }],
    [`referrals`, { key: ReferralCount, value: s.history.referrals }],
    [`tier`, { key: AdvocateTier, value: s.history.tier ?? null }],
    [`invitedAt`, { key: InvitedAt, value: s.asks[0] ? new Date(s.asks[0].at) : null }],
    [`firstReferralAt`, { key: FirstReferralAt, value: firstReferral ? new Date(firstReferral) : null }],
  ] as Array<[string, SearchAttributeUpdatePair]>;
  const changed = wanted.filter(([name, pair]) => {
    const text = JSON.stringify(pair.value);
    if (ctx.upserted.get(name) === text) return false;
    ctx.upserted.set(name, text);
    return true;
  });
  if (changed.length > 0) upsertSearchAttributes(changed.map(([, pair]) => pair));
}
