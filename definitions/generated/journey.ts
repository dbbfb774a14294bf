// Generated from definitions/schema/journey.schema.json by scripts/generate-types.ts. Do not edit.

/**
 * The condition on the event and the customer that makes it delight. Omit to accept every event of this type.
 */
export type Condition = {} | boolean;
/**
 * Condition on the event; omit to suppress on every event of this type.
 */
export type Condition1 = {} | boolean;
/**
 * Condition over traits, history and the delight event.
 */
export type Condition2 = {} | boolean;
/**
 * Condition over traits.
 */
export type Condition3 = {} | boolean;
/**
 * Extra condition on the action event.
 */
export type Condition4 = {} | boolean;
/**
 * An event type from the event catalog (definitions/catalog/events.json), e.g. nps.submitted.
 */
export type EventType = string;
/**
 * Condition over history (e.g. history.conversions >= 3) and traits.
 */
export type Condition5 = {} | boolean;

/**
 * A customer advocacy journey in seven stages: Listen → Qualify → Invite → Activate → Reward → Track → Expand, with suppression at every stage. Language version 1.
 */
export interface AdvocacyJourneyDefinition {
  /**
   * Path or URL of this schema, for editor completion.
   */
  $schema?: string;
  /**
   * The journey language version this file is written in.
   */
  schemaVersion: "1";
  /**
   * Stable id; part of every run's workflow id journey:<id>:<customerId>.
   */
  id: string;
  /**
   * Raise it on every change; runs keep the version they started on.
   */
  version: number;
  /**
   * Human name shown in the Temporal UI and reports.
   */
  name: string;
  /**
   * What the journey is for.
   */
  description?: string;
  /**
   * Who to ask about this journey (email or team).
   */
  owner: string;
  /**
   * draft: validated, not deployed; active: receives events; paused: running runs hold their asks, no new runs; retired: no new runs, runs finish.
   */
  status: "draft" | "active" | "paused" | "retired";
  /**
   * finish: runs keep the version they started on; migrate-at-listen: a run moves to the new version the next time it is back in Listen.
   */
  inFlight: "finish" | "migrate-at-listen";
  listen: Listen;
  suppression: Suppression;
  qualify: Qualify;
  motions: Motions;
  track: Track;
  expand?: Expand;
  experiment?: Experiment;
  contactPolicy?: ContactPolicy;
  traitDefaults?: TraitDefaults;
}
/**
 * The delight signals that start or wake the journey, and re-entry rules.
 */
export interface Listen {
  /**
   * Any one of them starts qualification.
   *
   * @minItems 1
   */
  signals: [DelightSignal, ...DelightSignal[]];
  reentry?: ReEntry;
}
/**
 * An event that shows delight and starts or wakes the journey.
 */
export interface DelightSignal {
  /**
   * Names the signal in graphs, logs and operator views.
   */
  id: string;
  /**
   * The catalog event that may carry delight.
   */
  event: string;
  when?: Condition;
  /**
   * Why this is a moment to ask.
   */
  description?: string;
}
/**
 * Whether a customer may run another cycle after one ends.
 */
export interface ReEntry {
  /**
   * Return to Listen after a cycle (true) or end the run (false).
   */
  allowed: boolean;
  /**
   * Least time between the starts of two cycles.
   */
  minInterval?: string;
  /**
   * Most cycles per customer.
   */
  maxCycles?: number;
}
/**
 * Bad-experience signals, honoured at every stage.
 */
export interface Suppression {
  /**
   * Each cancels pending asks at once.
   */
  signals: SuppressionSignal[];
  /**
   * Issues during which nothing is asked.
   */
  whileOpen?: NotWhileOpenRule[];
  /**
   * Cool-down for rules that do not set one.
   */
  defaultCoolDown?: string;
}
/**
 * A bad experience: it cancels pending asks at once and holds, exits or opts the customer out.
 */
export interface SuppressionSignal {
  /**
   * Names the rule; shown to operators as why the customer is suppressed.
   */
  id: string;
  /**
   * The catalog event that signals a bad experience.
   */
  event: string;
  when?: Condition1;
  /**
   * hold: cancel pending asks and wait out the cool-down, then return to Listen; exit: end this journey run; opt-out: stop all asks for this customer for good.
   */
  effect: "hold" | "exit" | "opt-out";
  /**
   * How long no ask may be sent after this signal (effect hold).
   */
  coolDown?: string;
  /**
   * Shown to operators as why the customer is suppressed.
   */
  reason?: string;
}
/**
 * Hold every ask while an issue is open: from the opening event until the matching resolve event, plus a cool-down.
 */
export interface NotWhileOpenRule {
  /**
   * Names the rule.
   */
  id: string;
  /**
   * The event that opens the issue.
   */
  openedBy: string;
  /**
   * The event that resolves it.
   */
  resolvedBy: string;
  /**
   * The event data field that pairs an opening with its resolve (e.g. escalationId); omit to pair any resolve with the oldest open issue.
   */
  matchOn?: string;
  /**
   * How long asks stay held after the resolve event.
   */
  coolDown?: string;
  /**
   * Shown to operators while held.
   */
  reason?: string;
}
/**
 * Choose the motion from traits and history, or disqualify.
 */
export interface Qualify {
  /**
   * Tried in order; the first that holds decides.
   */
  rules: QualificationRule[];
  /**
   * The motion when no rule holds, or disqualify.
   */
  otherwise:
    | "referral"
    | "review"
    | "reference-call"
    | "case-study"
    | "community"
    | "advisory-board"
    | "beta-program"
    | "event-speaking"
    | "disqualify";
}
/**
 * Rules are tried in order; the first whose condition holds picks the motion (or disqualifies).
 */
export interface QualificationRule {
  /**
   * Names the rule; shown to operators as why this motion was chosen.
   */
  id: string;
  when: Condition2;
  /**
   * The motion to run, or disqualify to go back to Listen without asking.
   */
  motion:
    | "referral"
    | "review"
    | "reference-call"
    | "case-study"
    | "community"
    | "advisory-board"
    | "beta-program"
    | "event-speaking"
    | "disqualify";
  /**
   * Why, in words an operator reads.
   */
  reason?: string;
}
/**
 * Invite, Activate and Reward for each motion Qualify or Expand can pick.
 */
export interface Motions {
  [k: string]: MotionPlan;
}
/**
 * How one motion is asked for, acted on and rewarded.
 */
export interface MotionPlan {
  invite: Invite;
  activate: Activate;
  reward?: Reward;
}
/**
 * The ask: what is sent, when, how often.
 */
export interface Invite {
  /**
   * email: an automated email to the customer; owner-outreach: a 1:1 task for the account owner (traits.ownerEmail), for strategic accounts: emailed to the owner, or created in the CRM when a CRM provider is configured (docs/crm.md). Owner tasks never use the customer's contact cap.
   */
  channel: "email" | "owner-outreach";
  /**
   * How an ask to the customer (channel email) reaches them: email, in-product (a prompt the product shows beside its own UI, read from GET /v1/customers/{id}/prompts), or both. Default: ["email"]. Each ask reserves one contact slot whichever way it goes; with in-product, `prompt` says what the prompt shows.
   *
   * @minItems 1
   */
  channels?: ["email" | "in-product", ...("email" | "in-product")[]];
  prompt?: InProductPrompt;
  /**
   * The ask's template.
   */
  template: PostmarkTemplate | LocalTemplate;
  /**
   * Wait after the delight signal before the first ask.
   */
  firstAskDelay: string;
  /**
   * Follow-ups after the first ask; 1 + reminders may not exceed maxAttempts.
   */
  reminders?: Reminder[];
  /**
   * Most asks in one cycle, first ask included.
   */
  maxAttempts: number;
  sendWindow: SendWindow;
  /**
   * Per-segment templates.
   */
  variants?: SegmentVariant[];
  ownerTask?: OwnerTask;
}
/**
 * What the in-product prompt of each ask shows (channels includes in-product): a short text and a button that opens the motion's action link.
 */
export interface InProductPrompt {
  /**
   * The prompt's text, a Mustache string over the message model of step `prompt` (traits, referralCode, …), checked when the journey is compiled.
   */
  text: string;
  /**
   * The label of the prompt's button; it opens the motion's activate.link.
   */
  actionLabel: string;
  /**
   * How long a prompt stays current after its ask; default and at most: until Activate's timeout.
   */
  expiresAfter?: string;
}
/**
 * A template stored in Postmark, addressed by alias.
 */
export interface PostmarkTemplate {
  /**
   * The Postmark TemplateAlias.
   */
  alias: string;
  model?: TemplateModel;
}
/**
 * Extra values merged into the model Postmark renders (traits, referral link and unsubscribe link are always present).
 */
export interface TemplateModel {}
/**
 * A Mustache template file rendered by the engine (the same {{ }} syntax Postmark uses).
 */
export interface LocalTemplate {
  /**
   * Path relative to definitions/, ending in .mustache; the first line may not be the subject.
   */
  file: string;
  /**
   * The subject line, itself a Mustache template.
   */
  subject: string;
  model?: TemplateModel1;
}
/**
 * Extra values for the template.
 */
export interface TemplateModel1 {}
/**
 * A follow-up ask, a spacing after the previous one.
 */
export interface Reminder {
  /**
   * Time since the previous ask.
   */
  after: string;
  /**
   * A different template for this reminder; default: the invite's.
   */
  template?: PostmarkTemplate | LocalTemplate;
}
/**
 * Working hours for asks.
 */
export interface SendWindow {
  /**
   * Days of the week asks may go out.
   *
   * @minItems 1
   *
   * Items: A day of the week, three lowercase letters.
   */
  days: [
    "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun",
    ...("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[]
  ];
  /**
   * Local time the window opens.
   */
  start: string;
  /**
   * Local time the window closes (after start).
   */
  end: string;
  /**
   * IANA zone used when the customer has no traits.timezone.
   */
  defaultTimezone?: string;
}
/**
 * A different template (and channel) for customers matching a condition; the first matching variant wins.
 */
export interface SegmentVariant {
  /**
   * Names the variant.
   */
  id: string;
  when: Condition3;
  /**
   * The variant's template.
   */
  template: PostmarkTemplate | LocalTemplate;
  /**
   * Override the channel for this segment.
   */
  channel?: "email" | "owner-outreach";
}
/**
 * owner-outreach only: the owner answers the 1:1 task with owner_task.completed (done) or owner_task.declined; no answer within answerWithin counts as no answer. The task is sent in the owner's working hours and zone (traits.ownerTimezone, traits.ownerWorkingHours; else this invite's sendWindow read in the owner's zone). One task per motion and cycle: no reminders.
 */
export interface OwnerTask {
  /**
   * How long the owner has to answer, from the moment the task is sent; after it the task counts as not answered.
   */
  answerWithin: string;
  onDeclined: OwnerTaskOutcome;
  onNoAnswer: OwnerTaskOutcome1;
}
/**
 * What the run does when the owner declines the task.
 */
export interface OwnerTaskOutcome {
  /**
   * end-cycle, exit, or motion (with `motion`).
   */
  then: "end-cycle" | "exit" | "motion";
  /**
   * With then: motion, the motion to run instead; it must be defined under motions.
   */
  motion?:
    | "referral"
    | "review"
    | "reference-call"
    | "case-study"
    | "community"
    | "advisory-board"
    | "beta-program"
    | "event-speaking";
}
/**
 * What the run does when the owner has not answered within answerWithin.
 */
export interface OwnerTaskOutcome1 {
  /**
   * end-cycle, exit, or motion (with `motion`).
   */
  then: "end-cycle" | "exit" | "motion";
  /**
   * With then: motion, the motion to run instead; it must be defined under motions.
   */
  motion?:
    | "referral"
    | "review"
    | "reference-call"
    | "case-study"
    | "community"
    | "advisory-board"
    | "beta-program"
    | "event-speaking";
}
/**
 * Wait for the advocate to act.
 */
export interface Activate {
  /**
   * Events that count as acting; any one completes the ask.
   *
   * @minItems 1
   */
  actions: [Action, ...Action[]];
  /**
   * A Mustache template for the pre-filled link put in every ask (referral link, review link); {{referralCode}} and {{customerId}} are available.
   */
  link?: string;
  /**
   * How long after the first ask to wait for an action.
   */
  timeout: string;
  /**
   * listen: go back to listening for the next delight signal; exit: end the run.
   */
  onTimeout: "listen" | "exit";
}
/**
 * An event that means the advocate acted.
 */
export interface Action {
  /**
   * The action event.
   */
  event: string;
  when?: Condition4;
}
/**
 * How acting is rewarded: one-sided, two-sided or tiered, held, capped and checked for fraud.
 */
export interface Reward {
  /**
   * one-sided: the advocate only; two-sided: the advocate and the referred friend; tiered: one-sided or two-sided plus tier bonuses.
   */
  type: "one-sided" | "two-sided" | "tiered";
  referrer: RewardItem;
  referred?: RewardItem1;
  /**
   * Ascending thresholds (tiered).
   *
   * @minItems 1
   */
  tiers?: [RewardTier, ...RewardTier[]];
  release: Release;
  caps?: Caps;
  fraud?: FraudRules;
  reversal?: Reversal;
  /**
   * Sent when a reward is issued.
   */
  thankYou?: PostmarkTemplate | LocalTemplate;
}
/**
 * What the advocate gets for each rewarded action.
 */
export interface RewardItem {
  /**
   * What the reward is.
   */
  kind: "credit" | "discount" | "gift-card" | "donation" | "swag" | "early-access" | "recognition";
  /**
   * Value in the currency's major unit (50 = 50.00). Omit for swag, early access or recognition.
   */
  amount?: number;
  /**
   * ISO 4217 code; required with an amount.
   */
  currency?: string;
  /**
   * What the advocate is told they receive.
   */
  description?: string;
}
/**
 * What the referred person gets (two-sided, or tiered with a friend reward).
 */
export interface RewardItem1 {
  /**
   * What the reward is.
   */
  kind: "credit" | "discount" | "gift-card" | "donation" | "swag" | "early-access" | "recognition";
  /**
   * Value in the currency's major unit (50 = 50.00). Omit for swag, early access or recognition.
   */
  amount?: number;
  /**
   * ISO 4217 code; required with an amount.
   */
  currency?: string;
  /**
   * What the advocate is told they receive.
   */
  description?: string;
}
/**
 * A tier reached after a number of rewarded actions, with a one-time bonus.
 */
export interface RewardTier {
  /**
   * Rewarded actions (e.g. converted referrals) needed to reach this tier.
   */
  threshold: number;
  /**
   * The advocate tier's name.
   */
  tier: string;
  bonus: RewardItem2;
}
/**
 * Paid once on reaching the tier.
 */
export interface RewardItem2 {
  /**
   * What the reward is.
   */
  kind: "credit" | "discount" | "gift-card" | "donation" | "swag" | "early-access" | "recognition";
  /**
   * Value in the currency's major unit (50 = 50.00). Omit for swag, early access or recognition.
   */
  amount?: number;
  /**
   * ISO 4217 code; required with an amount.
   */
  currency?: string;
  /**
   * What the advocate is told they receive.
   */
  description?: string;
}
/**
 * When a reward is released after the action.
 */
export interface Release {
  /**
   * action: at once; conversion: when the referred customer converts (closed-won); hold: after the hold period.
   */
  on: "action" | "conversion" | "hold";
  /**
   * How long to hold before release (on: hold), or the longest wait for a conversion (on: conversion); what happens when it ends without one is onNoConversion.
   */
  hold?: string;
  /**
   * on: conversion only. What happens to the held reward when the hold ends without a closed-won, or the deal is closed-lost: forfeit (the default: nothing is paid; the ledger records it as forfeited with the reason) or release (paid anyway).
   */
  onNoConversion?: "forfeit" | "release";
}
/**
 * Limits per advocate.
 */
export interface Caps {
  /**
   * Most rewards per advocate in the period.
   */
  maxRewards?: number;
  /**
   * Most total amount per advocate in the period.
   */
  maxAmount?: number;
  /**
   * The cap's rolling period.
   */
  period: string;
}
/**
 * Checks before a reward is granted.
 */
export interface FraudRules {
  /**
   * The referred email or id is the advocate's own.
   */
  rejectSelfReferral?: boolean;
  /**
   * The same referred person was already rewarded.
   */
  rejectDuplicateReferred?: boolean;
  /**
   * The referred email shares the advocate's domain.
   */
  rejectSameEmailDomain?: boolean;
}
/**
 * A conversion reversed (refund, churn) within the window reverses its rewards.
 */
export interface Reversal {
  /**
   * Events that reverse a conversion.
   *
   * @minItems 1
   */
  events: [EventType, ...EventType[]];
  /**
   * How long after release a reversal still reverses the reward.
   */
  window: string;
}
/**
 * Referral conversions attributed to the advocate, with revenue.
 */
export interface Track {
  /**
   * Referral funnel events, attributed by referral code or referrer id.
   */
  conversions: ConversionEvent[];
  /**
   * How long after the referral a conversion still counts.
   */
  attributionWindow: string;
  referrerUpdates?: ReferrerUpdates;
}
/**
 * A step of a referral's life, attributed to the advocate's run.
 */
export interface ConversionEvent {
  /**
   * An event type from the event catalog (definitions/catalog/events.json), e.g. nps.submitted.
   */
  event: string;
  /**
   * Which step of the referral funnel the event is.
   */
  stage: "qualified" | "opportunity" | "closed-won" | "closed-lost";
  /**
   * The event data field holding revenue, recorded on closed-won.
   */
  revenueField?: string;
}
/**
 * Emails that keep the advocate informed as a referral they made moves on: one per referral and stage, sent through the contact policy like any ask (a refused slot moves it later), never twice. Each stage is optional and can be turned off with enabled: false.
 */
export interface ReferrerUpdates {
  qualified?: ReferrerUpdate;
  opportunity?: ReferrerUpdate1;
  "closed-won"?: ReferrerUpdate2;
  "closed-lost"?: ReferrerUpdate3;
  "reward-issued"?: ReferrerUpdate4;
}
/**
 * Sent when a conversion event of stage qualified arrives for one of the advocate's referrals.
 */
export interface ReferrerUpdate {
  /**
   * The update's template (message model step `referrer-update`).
   */
  template: PostmarkTemplate | LocalTemplate;
  /**
   * false turns this update off for the journey (default true).
   */
  enabled?: boolean;
}
/**
 * Sent when a conversion event of stage opportunity arrives for one of the advocate's referrals.
 */
export interface ReferrerUpdate1 {
  /**
   * The update's template (message model step `referrer-update`).
   */
  template: PostmarkTemplate | LocalTemplate;
  /**
   * false turns this update off for the journey (default true).
   */
  enabled?: boolean;
}
/**
 * Sent when the referred deal closes won.
 */
export interface ReferrerUpdate2 {
  /**
   * The update's template (message model step `referrer-update`).
   */
  template: PostmarkTemplate | LocalTemplate;
  /**
   * false turns this update off for the journey (default true).
   */
  enabled?: boolean;
}
/**
 * Sent when the referred deal closes lost.
 */
export interface ReferrerUpdate3 {
  /**
   * The update's template (message model step `referrer-update`).
   */
  template: PostmarkTemplate | LocalTemplate;
  /**
   * false turns this update off for the journey (default true).
   */
  enabled?: boolean;
}
/**
 * Sent when the advocate's reward for a referral is paid (besides reward.thankYou, if both are set).
 */
export interface ReferrerUpdate4 {
  /**
   * The update's template (message model step `referrer-update`).
   */
  template: PostmarkTemplate | LocalTemplate;
  /**
   * false turns this update off for the journey (default true).
   */
  enabled?: boolean;
}
/**
 * Promote top advocates, then return to Listen.
 */
export interface Expand {
  /**
   * Tried in order after a cycle's Track; the first that holds runs its motion next.
   */
  promotions: Promotion[];
  /**
   * Rest before listening for the next cycle.
   */
  returnToListenAfter?: string;
}
/**
 * Invite a proven advocate to a higher-impact motion.
 */
export interface Promotion {
  /**
   * Names it.
   */
  id: string;
  when: Condition5;
  /**
   * The higher-impact motion to run next.
   */
  motion:
    | "referral"
    | "review"
    | "reference-call"
    | "case-study"
    | "community"
    | "advisory-board"
    | "beta-program"
    | "event-speaking";
  /**
   * Why, for operators.
   */
  reason?: string;
}
/**
 * A randomised test inside this journey: customers qualified for its motion are split by a hash of the experiment id and their id into arms and a holdout (control) that is never asked, rewarded or counted against the contact cap. Changing it is a new version of the journey.
 */
export interface Experiment {
  /**
   * Stable id: with the customer id it decides the customer's arm, so renaming it reshuffles everyone.
   */
  id: string;
  /**
   * What the experiment asks.
   */
  description?: string;
  /**
   * Customers qualified for this motion take part; the arms change its ask and reward.
   */
  motion: string;
  /**
   * Customers qualified from this instant on are assigned.
   */
  start: string;
  /**
   * From this instant new cycles use the winner (or the default arm until one is named); nobody is held out any more.
   */
  end: string;
  /**
   * Share of the customers in the experiment held out as control (0-1): tracked like the others up to the ask, never asked nor rewarded.
   */
  holdout: number;
  /**
   * The declared KPI (definitions/kpis/<id>.json) whose lift over control decides the experiment: a rate per customer whose denominator control reaches too (not asked customers), or a revenue KPI.
   */
  primaryMetric: string;
  /**
   * The versions under test, each with its weight.
   *
   * @minItems 1
   */
  arms: [ExperimentArm, ...ExperimentArm[]];
  /**
   * What new cycles use after the end until a winner is named.
   */
  defaultArm: string;
  /**
   * The arm the marketer picked once the experiment ended: new cycles after the end use it.
   */
  winner?: string;
}
/**
 * One version of the experiment: what it changes for the customers assigned to it. An arm with no overrides is the journey as written.
 */
export interface ExperimentArm {
  /**
   * Names the arm in reports, tracking records and the JourneyExperimentArm search attribute.
   */
  id: string;
  /**
   * What this arm tries.
   */
  description?: string;
  /**
   * Share of the customers in the experiment assigned to this arm (0-1); the weights and the holdout add up to 1.
   */
  weight: number;
  /**
   * The motion this arm asks for instead of the experiment's motion (a motion of this journey).
   */
  motion?: string;
  invite?: InviteOverrides;
  reward?: IncentiveOverrides;
}
/**
 * What this arm changes in the ask: its template (or a variant's), the first-ask delay, the reminder spacing.
 */
export interface InviteOverrides {
  /**
   * The first ask's template for this arm (and the reminders that have none of their own).
   */
  template?: PostmarkTemplate | LocalTemplate;
  /**
   * Use this invite variant (motions.<m>.invite.variants[].id) for every customer of the arm, whatever its condition.
   */
  variant?: string;
  /**
   * Wait this long after the delight before the first ask.
   */
  firstAskDelay?: string;
  /**
   * Each reminder's wait after the ask before it, in order; at most as many as the motion's reminders.
   *
   * @minItems 1
   *
   * Items: The wait before this reminder.
   */
  reminderSpacing?: [string, ...string[]];
}
/**
 * What this arm pays instead: the referrer's and the referred friend's reward (amount or kind).
 */
export interface IncentiveOverrides {
  referrer?: RewardItem3;
  referred?: RewardItem4;
}
/**
 * The advocate's reward in this arm.
 */
export interface RewardItem3 {
  /**
   * What the reward is.
   */
  kind: "credit" | "discount" | "gift-card" | "donation" | "swag" | "early-access" | "recognition";
  /**
   * Value in the currency's major unit (50 = 50.00). Omit for swag, early access or recognition.
   */
  amount?: number;
  /**
   * ISO 4217 code; required with an amount.
   */
  currency?: string;
  /**
   * What the advocate is told they receive.
   */
  description?: string;
}
/**
 * The referred friend's reward in this arm (two-sided and tiered rewards).
 */
export interface RewardItem4 {
  /**
   * What the reward is.
   */
  kind: "credit" | "discount" | "gift-card" | "donation" | "swag" | "early-access" | "recognition";
  /**
   * Value in the currency's major unit (50 = 50.00). Omit for swag, early access or recognition.
   */
  amount?: number;
  /**
   * ISO 4217 code; required with an amount.
   */
  currency?: string;
  /**
   * What the advocate is told they receive.
   */
  description?: string;
}
/**
 * This journey's limits, inside the global policy across journeys.
 */
export interface ContactPolicy {
  /**
   * Most asks from this journey per period.
   */
  maxAsks: number;
  /**
   * Rolling period of the cap.
   */
  period: string;
  quietHours?: QuietHours;
}
/**
 * No asks between these local times.
 */
export interface QuietHours {
  /**
   * Quiet hours begin.
   */
  start: string;
  /**
   * Quiet hours end.
   */
  end: string;
}
/**
 * What a missing trait reads as in this journey's messages, e.g. {"firstName": "there"} turns "Hi {{traits.firstName}}" into "Hi there" for a customer without a first name. A template variable fed by a trait with no default must be guarded by a section ({{#traits.company}}…{{/traits.company}}), or the compiler warns.
 */
export interface TraitDefaults {
  /**
   * What the trait reads as when the customer has none.
   */
  [k: string]: string | number;
}
