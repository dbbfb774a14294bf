// What operators see in the Temporal UI: current details (markdown) and search attributes, upserted only when
// they change (each upsert is a history event), and in runs with patch journey-bookkeeping-batched once per task.
import { CancellationScope, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  AdvocacyMotion,
  AdvocateTier,
  FirstReferralAt,
  InvitedAt,
  JourneyExperimentArm,
  JourneyId,
  JourneyRelease,
  JourneyStage,
  JourneyVersion,
  CustomerId,
  ReferralCount,
  Suppressed,
} from '../contract/index.ts';
import { RELEASE } from '../release.ts';
import { instantText, markdownReason } from '../../definitions/readable.ts';
import type { RunContext } from './context.ts';
import { readerZone } from './state.ts';
import { askHold } from './suppression.ts';
import { activationSettled } from './settle.ts';

function suppressionReason(ctx: RunContext): string | undefined {
  return askHold(ctx, 'email')?.reason;
}

/**
 * The run's Current Details in the Temporal UI, shaped to be read whole in its panel (a frame about 100 px tall in
 * UI 2.42): first what matters now (stage, the next action and when, why the run is held), then any problem that
 * needs an operator, then the cycle and the counts on one line, last. Which journey, version and customer is in the
 * run's Summary beside it. Every reason goes through the one formatter (definitions/readable.ts): times in the
 * customer's zone and UTC, durations in words, Markdown's special characters escaped so `<redacted>` stays visible.
 */
export function detailsMarkdown(ctx: RunContext): string {
  const s = ctx.state;
  const zone = readerZone(s.traits);
  const say = (text: string) => markdownReason(text, zone);
  const why = suppressionReason(ctx);
  const now = [`**${s.stage}**${s.motion ? ` · ${s.motion}` : ''} · next: ${s.nextAction ? say(s.nextAction.what) : 'nothing planned'}`];
  if (why) now.push(`**held**: ${say(why)}`);
  // The experiment arm governing this cycle (journey/experiment.ts): what the run asks with, or that it never asks.
  if (s.experiment?.cycle === s.cycle)
    now.push(
      `experiment ${s.experiment.id}: ${s.experiment.arm === 'control' ? '**control** (held out: never asked)' : `arm **${s.experiment.arm}**`}${s.experiment.afterEnd ? ' (after the end)' : ''}`,
    );
  const problems: string[] = [];
  if (s.emailProblem) {
    const { kind, reason, failures, retryAt } = s.emailProblem;
    const again = retryAt ? ` · trying again at ${instantText(retryAt, zone)}` : ' · ask given up';
    problems.push(`- email ${kind}: ${say(reason)} · ${failures} failed ${failures === 1 ? 'try' : 'tries'}${again}`);
  }
  const failedRewards = s.rewards.filter((r) => r.status === 'failed');
  if (failedRewards.length > 0) {
    const last = failedRewards[failedRewards.length - 1];
    problems.push(`- rewards failed, need an operator: ${failedRewards.length} · last ${say(last.key)}: ${say(last.reason ?? '')}`);
  }
  if (s.trackingProblem) {
    const t = s.trackingProblem;
    problems.push(
      `- tracking not written: ${ctx.tracking.length} records wait in this run · ${t.failures} failed ${t.failures === 1 ? 'try' : 'tries'} since ${instantText(t.since, zone)} (${say(t.reason)}) · trying again at ${instantText(t.retryAt, zone)}`,
    );
  }
  if (s.ownerTask?.cycle === s.cycle) {
    const t = s.ownerTask;
    const answer = t.outcome
      ? `answered: ${t.outcome}${t.outcomeAt ? ` at ${instantText(t.outcomeAt, zone)}` : ''}`
      : `open, answer due ${instantText(t.dueAt, zone)}`;
    now.push(`owner task (${t.provider}) ${answer}`);
  }
  if (s.crmProblem) {
    const c = s.crmProblem;
    const queued = s.crmQueue?.length ? ` · ${s.crmQueue.length} referral records wait in this run` : '';
    const again = c.retryAt ? ` · trying again at ${instantText(c.retryAt, zone)}` : ' · needs an operator';
    problems.push(
      `- CRM ${c.what} failing: ${say(c.reason)} · ${c.failures} failed ${c.failures === 1 ? 'try' : 'tries'}${again}${queued}`,
    );
  }
  if (s.ended) problems.push(`- ended: ${say(s.ended.reason)} (new events are recorded, never acted on)`);
  if (ctx.handoverRequested) problems.push(`- handing over to a fresh history (operator, ${instantText(ctx.handoverRequested.at, zone)})`);
  const qualified = s.qualification ? `qualified: ${s.qualification.motion} (${say(s.qualification.reason)}) · ` : '';
  const { referrals, conversions, rewardsIssued, tier } = s.history;
  const tally = [
    `${qualified}cycle ${s.cycle}`,
    `asks this cycle ${s.attempts ?? 0} · referrals ${referrals} · conversions ${conversions} · rewards ${rewardsIssued}${tier ? ` · tier ${tier}` : ''}`,
  ];
  // Hard line breaks (two trailing spaces) keep the lines in one paragraph: no list or paragraph margins, so the
  // usual four lines fit the panel. Problems, when there are any, are a list of their own between the two parts.
  const paragraph = (lines: string[]) => lines.join('  \n');
  if (problems.length === 0) return paragraph([...now, ...tally]);
  return [paragraph(now), '', ...problems, '', paragraph(tally)].join('\n');
}

/** Once per run (each continue-as-new included): which journey, version and customer, and the release of the code
 *  that started this history (JourneyRelease), so operators can list the runs an older release started. */
export function showRunStart(ctx: RunContext): void {
  if (!ctx.searchAttributes) return;
  upsert(ctx, [
    ['journeyId', { key: JourneyId, value: ctx.plan.journeyId }],
    ['journeyVersion', { key: JourneyVersion, value: String(ctx.plan.version) }],
    ['customerId', { key: CustomerId, value: ctx.state.customerId }],
    ['release', { key: JourneyRelease, value: RELEASE }],
  ] as Array<[string, SearchAttributeUpdatePair]>);
}

/**
 * Upserts the pairs now, or (patch journey-bookkeeping-batched) with every other change of this workflow activation
 * in one upsert once its work has settled: a fresh run's first task moves through Listen, Qualify and Invite and
 * made one upsert per stage. A later change of the same attribute replaces the pending one.
 */
function upsert(ctx: RunContext, pairs: Array<[string, SearchAttributeUpdatePair]>): void {
  if (!ctx.bookkeepingBatched) {
    upsertSearchAttributes(pairs.map(([, pair]) => pair));
    return;
  }
  const flushDue = ctx.pendingUpserts !== undefined;
  ctx.pendingUpserts ??= new Map();
  for (const [name, pair] of pairs) ctx.pendingUpserts.set(name, pair);
  ctx.upsertChanges = (ctx.upsertChanges ?? 0) + 1;
  // Out of any cancellation scope: showProgress runs inside the ask's scope too, and a wait started in a scope an
  // operator or a bad signal cancelled rejects at once, which would fail the workflow task and leave the flush due
  // for good. (Not shown by a test: the skip-wait-then-cancel case meets a test-server race first, see
  // test/interpreter-bookkeeping.test.ts.)
  if (!flushDue) void CancellationScope.nonCancellable(() => upsertWhenSettled(ctx));
}

async function upsertWhenSettled(ctx: RunContext): Promise<void> {
  await activationSettled(() => ctx.upsertChanges ?? 0, 4);
  const pending = ctx.pendingUpserts;
  ctx.pendingUpserts = undefined;
  if (pending && pending.size > 0) upsertSearchAttributes([...pending.values()]);
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
  // Only in a run of an experiment's journey (patch experiment-arms): other runs' histories gain no upsert.
  if (ctx.experiments) {
    const arm = s.experiment?.cycle === s.cycle ? s.experiment.arm : null;
    wanted.push([`experimentArm`, { key: JourneyExperimentArm, value: arm }] as [string, SearchAttributeUpdatePair]);
  }
  const changed = wanted.filter(([name, pair]) => {
    const text = JSON.stringify(pair.value);
    if (ctx.upserted.get(name) === text) return false;
    ctx.upserted.set(name, text);
    return true;
  });
  if (changed.length > 0) upsert(ctx, changed);
}
