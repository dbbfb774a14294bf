// What one ask says and to whom: the variant for the customer's segment, the reminder's template, the recipient
// for the channel, and the model every template gets (traits, referral code and link, unsubscribe link).
import type { SendEmailRequest } from '../contract/index.ts';
import type { Invite, LocalTemplate, PostmarkTemplate } from '../../definitions/generated/journey.ts';
import { holds } from '../journey/conditions.ts';
import type { RunContext } from '../journey/context.ts';
import { conditionScope } from '../journey/event-intake.ts';
import { referralCodeOf } from '../journey/referral-code.ts';
import { messageData, unsubscribeUrlFor, type MessageInput } from '../../definitions/messages/message-data.ts';

export type Channel = 'email' | 'owner-outreach';
export type Template = PostmarkTemplate | LocalTemplate;

export { templateName } from '../contract/index.ts';

/** The invite's template and channel for this customer: the first variant whose condition holds, else the invite's own. */
export function chooseVariant(ctx: RunContext, invite: Invite, motion: string): { template: Template; channel: Channel; variant?: string } {
  const scope = conditionScope(ctx, undefined);
  const index = (invite.variants ?? []).findIndex((v, i) => holds(v.when, scope, `/motions/${motion}/invite/variants/${i}/when`));
  if (index < 0) return { template: invite.template, channel: invite.channel };
  const v = invite.variants![index];
  return { template: v.template, channel: v.channel ?? invite.channel, variant: v.id };
}

export function recipient(ctx: RunContext, channel: Channel): string | undefined {
  const value = channel === 'owner-outreach' ? ctx.state.traits.ownerEmail : ctx.state.traits.email;
  return typeof value === 'string' && value.includes('@') ? value : undefined;
}

export function askRequest(
  ctx: RunContext,
  args: {
    sendKey: string;
    step: string;
    to: string;
    template: Template;
    channel: Channel;
    attempt: number;
    stream: 'broadcast' | 'outbound';
    thankYou?: MessageInput['thankYou'];
  },
): SendEmailRequest {
  const { state, plan } = ctx;
  const motionPlan = state.motion ? ctx.def.motions[state.motion] : undefined;
  const unsubscribeUrl = unsubscribeUrlFor(plan.journeyId, state.customerId);
  // The data every template reads, built to the message model (definitions/catalog/message-model.schema.json).
  const model = messageData({
    step: args.thankYou ? 'thank-you' : args.channel === 'owner-outreach' ? 'owner-task' : args.attempt > 1 ? 'reminder' : 'ask',
    journeyName: plan.name,
    journeyId: plan.journeyId,
    customerId: state.customerId,
    traits: state.traits,
    traitDefaults: ctx.def.traitDefaults,
    templateModel: args.template.model,
    motion: state.motion,
    motionPlan,
    event: state.delight?.data,
    referralCode: referralCodeOf(state),
    attempt: args.attempt,
    reason: state.qualification?.reason,
    thankYou: args.thankYou,
  });
  return {
    sendKey: args.sendKey,
    customerId: state.customerId,
    journeyId: plan.journeyId,
    journeyVersion: plan.version,
    step: args.step,
    to: args.to,
    template: args.template,
    localTemplateBody: 'file' in args.template ? plan.templates[args.template.file] : undefined,
    model,
    messageStream: args.stream,
    unsubscribeUrl: args.stream === 'broadcast' ? unsubscribeUrl : undefined,
    // An earlier run of this workflow id closed (failed, terminated): it may have sent with the same key already.
    ...(state.previousRun ? { mayHaveBeenSent: true } : {}),
  };
}
