// In-product prompts and referrer updates: what the schema cannot say. A motion delivered in-product says what its
// prompt shows, asks the customer (not the owner) and has a link for the prompt's button; the prompt's text is
// checked against the message model like any template. Referrer updates need a motion that takes referrals, and a
// reward-issued update beside a thank-you sends two emails for one payout (a warning).
import type { AdvocacyJourneyDefinition, MotionPlan } from '../generated/journey.ts';
import type { Catalog } from './catalog.ts';
import type { Problem } from './problem.ts';
import { referralMotion, referrerUpdates } from './template-sites.ts';
import { checkInlineText } from './template-vars-check.ts';

export function checkChannels(def: AdvocacyJourneyDefinition, catalog: Catalog): Problem[] {
  const problems: Problem[] = [];
  for (const [motion, plan] of Object.entries(def.motions) as [string, MotionPlan][]) {
    const at = `/motions/${motion}/invite`;
    const invite = plan.invite;
    const inProduct = invite.channels?.includes('in-product') ?? false;
    if (!inProduct) {
      if (invite.prompt)
        problems.push({
          pointer: `${at}/prompt`,
          atKey: true,
          severity: 'warning',
          message: `motion \`${motion}\` has a \`prompt\` but is not delivered in-product, so the prompt is never shown`,
          suggestion: '"channels": ["email", "in-product"]',
          code: 'prompt.unused',
        });
      continue;
    }
    if (invite.channel !== 'email')
      problems.push({
        pointer: `${at}/channels`,
        message: `motion \`${motion}\` asks the account owner (channel ${invite.channel}): an in-product prompt would show the owner's task to the customer`,
        expected: '`channels` only with "channel": "email"',
        code: 'prompt.ownerChannel',
      });
    if (!invite.prompt) {
      problems.push({
        pointer: at,
        message: `motion \`${motion}\` is delivered in-product but has no \`prompt\` saying what the prompt shows`,
        expected: '"prompt": { "text": "…", "actionLabel": "…" }',
        code: 'prompt.missing',
      });
      continue;
    }
    if (!plan.activate.link)
      problems.push({
        pointer: `${at}/channels`,
        message: `motion \`${motion}\` is delivered in-product, but its prompt's button has nowhere to go: \`activate.link\` is not set`,
        expected: 'an `activate.link` for the prompt to open',
        code: 'prompt.noLink',
      });
    problems.push(
      ...checkInlineText(def, { pointer: `${at}/prompt/text`, text: invite.prompt.text, motion, step: 'prompt' }, catalog),
      ...checkInlineText(def, { pointer: `${at}/prompt/actionLabel`, text: invite.prompt.actionLabel, motion, step: 'prompt' }, catalog),
    );
  }
  const updates = referrerUpdates(def);
  if (updates.length === 0) return problems;
  const motion = referralMotion(def);
  const takesReferrals =
    motion && def.motions[motion as keyof typeof def.motions]?.activate.actions.some((a) => a.event === 'referral.submitted');
  if (!takesReferrals)
    problems.push({
      pointer: '/track/referrerUpdates',
      atKey: true,
      message: 'no motion of this journey takes `referral.submitted`, so there is never a referral to send an update about',
      expected: 'a motion whose activate.actions include referral.submitted',
      code: 'referrerUpdate.noReferrals',
    });
  const stages = new Set(def.track.conversions.map((c) => c.stage));
  for (const [stage, update] of updates) {
    if (stage !== 'reward-issued' && !stages.has(stage))
      problems.push({
        pointer: `/track/referrerUpdates/${stage}`,
        atKey: true,
        message: `no conversion event of this journey has stage \`${stage}\`, so the \`${stage}\` update is never sent`,
        expected: `a track.conversions entry with "stage": "${stage}"`,
        code: 'referrerUpdate.unreachable',
      });
    const rewardPlan = motion ? def.motions[motion as keyof typeof def.motions]?.reward : undefined;
    if (stage === 'reward-issued' && update.enabled !== false && rewardPlan?.thankYou)
      problems.push({
        pointer: `/track/referrerUpdates/${stage}`,
        atKey: true,
        severity: 'warning',
        message: `the reward-issued update and motion \`${motion}\`'s reward.thankYou both go out when a reward is paid: the advocate gets two emails`,
        suggestion: 'keep one of them ("enabled": false turns the update off)',
        code: 'referrerUpdate.doubleThanks',
      });
  }
  return problems;
}
