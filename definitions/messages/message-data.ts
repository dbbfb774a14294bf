// The data one message is rendered with, built to the message model (definitions/catalog/message-model.schema.json).
// Pure: the interpreter builds every ask and thank-you with it (workflows/stages/invite-message.ts), and
// `journey preview` renders with the very same function, so a preview shows what a customer would get.
import Mustache from 'mustache';
import type { MotionPlan, RewardItem } from '../generated/journey.ts';

export type MessageStep = 'ask' | 'reminder' | 'owner-task' | 'thank-you' | 'referrer-update' | 'prompt';
export const MESSAGE_STEPS: MessageStep[] = ['ask', 'reminder', 'owner-task', 'thank-you', 'referrer-update', 'prompt'];

/** The referral stages a journey can keep the advocate informed of (track.referrerUpdates). */
export type ReferralUpdateStage = 'qualified' | 'opportunity' | 'closed-won' | 'closed-lost' | 'reward-issued';

/** One reward as a thank-you shows it (message model `$defs/rewardItem`). */
export interface RewardInWords {
  description: string;
  kind: string;
  amount?: number;
  currency?: string;
  role: string;
}

export interface MessageInput {
  step: MessageStep;
  journeyName: string;
  journeyId: string;
  customerId: string;
  traits: Record<string, unknown>;
  /** The journey's `traitDefaults`: what a missing trait reads as. */
  traitDefaults?: Record<string, unknown>;
  /** The template's own `model`. */
  templateModel?: object;
  motion?: string;
  motionPlan?: Pick<MotionPlan, 'activate'>;
  /** The data of the delight event that opened the cycle. */
  event?: Record<string, unknown>;
  referralCode: string;
  attempt: number;
  /** Why Qualify or Expand picked the motion (the owner's task says it). */
  reason?: string;
  thankYou?: { referralId: string; rewards: { role: string; item: RewardItem }[]; tier?: string };
  /** A referrer update: the referral that moved and the stage it reached. */
  referrerUpdate?: { referralId: string; stage: ReferralUpdateStage; referredName?: string };
}

export function unsubscribeUrlFor(journeyId: string, customerId: string): string {
  return `https://unsubscribe.invalid/${encodeURIComponent(journeyId)}/${encodeURIComponent(customerId)}`;
}

export function rewardInWords(role: string, item: RewardItem): RewardInWords {
  const amount = item.amount !== undefined ? `${item.amount}${item.currency ? ` ${item.currency}` : ''} ` : '';
  return {
    description: item.description ?? `${amount}${item.kind}`,
    kind: item.kind,
    ...(item.amount !== undefined ? { amount: item.amount } : {}),
    ...(item.currency ? { currency: item.currency } : {}),
    role,
  };
}

/**
 * Mustache's render with a writer of its own for each call. Mustache's default writer keeps a parse cache in the
 * module, and in the worker the workflow modules are shared by every run and frozen by the SDK (worker/worker.ts), so
 * that cache could neither grow nor be one run's own. Templates here are a link or a prompt's line: parsing each
 * time costs microseconds.
 */
export function renderText(template: string, view: Record<string, unknown>): string {
  return new Mustache.Writer().render(template, view);
}

export function messageData(input: MessageInput): Record<string, unknown> {
  const templateModel = (input.templateModel ?? {}) as Record<string, unknown>;
  const link = input.motionPlan?.activate.link
    ? renderText(input.motionPlan.activate.link, { referralCode: input.referralCode, customerId: input.customerId })
    : undefined;
  const unsubscribeUrl = unsubscribeUrlFor(input.journeyId, input.customerId);
  const traits = { ...(input.traitDefaults ?? {}), ...definedOnly(input.traits) };
  const data: Record<string, unknown> = {
    ...templateModel,
    model: templateModel,
    traits,
    event: input.event ?? {},
    customerId: input.customerId,
    referralCode: input.referralCode,
    referralLink: link,
    link,
    actionLink: link,
    unsubscribeUrl,
    unsubscribeLink: unsubscribeUrl,
    attempt: input.attempt,
    motion: input.motion,
    journeyName: input.journeyName,
  };
  if (input.step === 'owner-task') {
    // A 1:1 task for the account owner: who to talk to and about what.
    data.task = {
      customerId: input.customerId,
      customerName: traits.name ?? traits.firstName ?? input.customerId,
      motion: input.motion,
      reason: input.reason,
    };
  }
  if (input.step === 'thank-you' && input.thankYou) {
    const rewards = input.thankYou.rewards.map((r) => rewardInWords(r.role, r.item));
    data.referralId = input.thankYou.referralId;
    data.rewards = rewards;
    data.reward = rewards.find((r) => r.role === 'referrer') ?? rewards[0];
    if (input.thankYou.tier) data.tier = input.thankYou.tier;
  }
  if (input.step === 'referrer-update' && input.referrerUpdate) {
    data.referralId = input.referrerUpdate.referralId;
    data.referralStage = input.referrerUpdate.stage;
    if (input.referrerUpdate.referredName) data.referredName = input.referrerUpdate.referredName;
  }
  return data;
}

/** A trait sent as null or '' is missing: its default (if any) shows instead. */
function definedOnly(traits: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(traits).filter(([, v]) => v !== undefined && v !== null && v !== ''));
}
