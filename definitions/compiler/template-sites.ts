// Every place a journey names a template, with the step that sends it: the invite's template is the first ask (and
// the reminders without their own), each variant's too; a reminder's own template is a reminder; on the
// owner-outreach channel every ask is an owner task; reward.thankYou is the thank-you; each of
// track.referrerUpdates is a referrer update, read with the motion that takes referrals (referralMotion).
import type { AdvocacyJourneyDefinition, LocalTemplate, MotionPlan, PostmarkTemplate, ReferrerUpdate } from '../generated/journey.ts';
import type { MessageStep, ReferralUpdateStage } from '../messages/message-data.ts';

export type Template = PostmarkTemplate | LocalTemplate;

export interface TemplateSite {
  /** JSON pointer of the template object in the journey. */
  pointer: string;
  template: Template;
  motion: string;
  step: MessageStep;
  /** The segment variant whose template this is. */
  variant?: string;
}

export function isLocal(template: Template): template is LocalTemplate {
  return 'file' in template;
}

/** The motion whose action is referral.submitted (the first such), else the first motion: a referrer update's links
 *  and motion are this one's, wherever the referral's cycle stands when the update goes out. Pure (workflows use it). */
export function referralMotion(def: AdvocacyJourneyDefinition): string | undefined {
  const motions = Object.entries(def.motions) as [string, MotionPlan][];
  return (motions.find(([, m]) => m.activate.actions.some((a) => a.event === 'referral.submitted')) ?? motions[0])?.[0];
}

/** The journey's referrer updates, by stage, as declared (turned-off ones included). */
export function referrerUpdates(def: AdvocacyJourneyDefinition): [ReferralUpdateStage, ReferrerUpdate][] {
  return Object.entries(def.track.referrerUpdates ?? {}) as [ReferralUpdateStage, ReferrerUpdate][];
}

export function templateSites(def: AdvocacyJourneyDefinition): TemplateSite[] {
  const sites: TemplateSite[] = [];
  for (const [motion, plan] of Object.entries(def.motions) as [string, MotionPlan][]) {
    const at = `/motions/${motion}`;
    const invite = plan.invite;
    const asks = (channel: string | undefined, step: MessageStep): MessageStep => (channel === 'owner-outreach' ? 'owner-task' : step);
    sites.push({ pointer: `${at}/invite/template`, template: invite.template, motion, step: asks(invite.channel, 'ask') });
    (invite.variants ?? []).forEach((v, i) =>
      sites.push({
        pointer: `${at}/invite/variants/${i}/template`,
        template: v.template,
        motion,
        step: asks(v.channel ?? invite.channel, 'ask'),
        variant: v.id,
      }),
    );
    // A reminder goes out on the channel of the customer's variant: check it once per channel in use.
    const channels = [...new Set([invite.channel, ...(invite.variants ?? []).map((v) => v.channel ?? invite.channel)])];
    (invite.reminders ?? []).forEach((r, i) => {
      if (!r.template) return;
      for (const channel of channels)
        sites.push({ pointer: `${at}/invite/reminders/${i}/template`, template: r.template, motion, step: asks(channel, 'reminder') });
    });
    if (plan.reward?.thankYou) sites.push({ pointer: `${at}/reward/thankYou`, template: plan.reward.thankYou, motion, step: 'thank-you' });
  }
  const motion = referralMotion(def);
  for (const [stage, update] of referrerUpdates(def)) {
    if (motion)
      sites.push({ pointer: `/track/referrerUpdates/${stage}/template`, template: update.template, motion, step: 'referrer-update' });
  }
  return sites;
}
