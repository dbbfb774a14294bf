// Referrer updates (track.referrerUpdates): the advocate hears when a referral they made qualifies, opens an
// opportunity, closes won or lost, or pays their reward. Each update is queued once per referral and stage (the
// state keeps the keys handled, carried over continue-as-new) and sent by a small sender beside the stage loop,
// like any message: through the journey's holds and the contact policy (reserveContactSlot; a refused slot moves
// the update to the time the policy names, and the next try uses the next reservation key), then the email
// activity with a send key per referral and stage, which never delivers the same key twice.
import { CancellationScope, condition } from '@temporalio/workflow';
import { templateName, type SendEmailRequest } from '../contract/index.ts';
import { durationMs } from '../../definitions/duration.ts';
import { referralMotion } from '../../definitions/compiler/template-sites.ts';
import { messageData, type ReferralUpdateStage } from '../../definitions/messages/message-data.ts';
import type { ReferrerUpdate } from '../../definitions/generated/journey.ts';
import { email, failureMessage, optional, retriesExhausted } from './activities.ts';
import { iso, trackIfLive, type RunContext } from './context.ts';
import { promptsAndUpdatesLive } from './prompts.ts';
import { referralCodeOf } from './referral-code.ts';
import { isKnownTimeZone } from './send-window.ts';
import { LIST_MAX, note, type PendingReferrerUpdate } from './state.ts';
import { askHold } from './suppression.ts';
import { recordSentEmail } from './sends.ts';

const DONE_MAX = LIST_MAX * 5;
const RETRY_LATER_MS = 3_600_000;

type Attempt = 'sent' | 'dropped' | { later: number; why: string };

/** Queues the `stage` update of a referral, when the journey declares it on and it was never queued before. */
export function queueReferrerUpdate(ctx: RunContext, referralId: string, stage: ReferralUpdateStage): void {
  const update = ctx.def.track.referrerUpdates?.[stage];
  if (!update) return;
  const key = `${referralId}:${stage}`;
  const updates = (ctx.state.referrerUpdates ??= { queue: [], done: [] });
  if (updates.done.includes(key) || updates.queue.some((u) => u.key === key)) return;
  if (update.enabled === false) {
    note(ctx.state, ctx.now(), `referrer update ${stage} for ${referralId} not sent: turned off in the journey`);
    remember(ctx, key);
    return;
  }
  updates.queue.push({ key, referralId, stage, queuedAt: iso(ctx.now()), slotTries: 0 });
}

/** Starts the sender; it runs for the life of the run and is never awaited. It stops when the run hands over. */
export function startReferrerUpdates(ctx: RunContext): void {
  void sendLoop(ctx);
}

/** Before continue-as-new: no new attempt starts, and the one in flight (slot or send) finishes; the queue, with
 *  each update's next time, is carried to the next run. */
export async function referrerUpdatesSettled(ctx: RunContext): Promise<void> {
  ctx.referrerUpdatesStopped = true;
  await condition(() => !ctx.referrerUpdateInFlight);
}

function remember(ctx: RunContext, key: string): void {
  const done = ctx.state.referrerUpdates!.done;
  done.push(key);
  if (done.length > DONE_MAX) done.splice(0, done.length - DONE_MAX);
}

async function sendLoop(ctx: RunContext): Promise<void> {
  const closed = () => ctx.trackingWriter.closed;
  for (;;) {
    await condition(() => closed() || ctx.referrerUpdatesStopped === true || (ctx.state.referrerUpdates?.queue.length ?? 0) > 0);
    if (closed() || ctx.referrerUpdatesStopped) return;
    const updates = ctx.state.referrerUpdates!;
    const next = updates.queue[0];
    const notBefore = next.notBefore ? Date.parse(next.notBefore) : 0;
    if (notBefore > ctx.now()) {
      const changes = ctx.changes;
      // A change (a resolve, an opt-out) wakes it early to look again; a handover leaves the wait to the next run.
      await condition(() => closed() || ctx.changes !== changes, notBefore - ctx.now());
      if (closed()) return;
      // Still early: wait on, unless the customer is now out for good (the attempt then drops the update).
      if (ctx.now() < notBefore && askHold(ctx, 'email')?.kind !== 'never') continue;
    }
    if (ctx.referrerUpdatesStopped) return;
    if (!promptsAndUpdatesLive(ctx)) {
      // Not reachable in a history from before the patch (its plan had no updates); the old path sent none.
      updates.queue.shift();
      continue;
    }
    ctx.referrerUpdateInFlight = true;
    let outcome: Attempt;
    try {
      outcome = await CancellationScope.nonCancellable(() => attemptUpdate(ctx, next));
    } finally {
      ctx.referrerUpdateInFlight = false;
    }
    if (outcome === 'sent' || outcome === 'dropped') {
      updates.queue.shift();
      remember(ctx, next.key);
      continue;
    }
    const to = iso(outcome.later);
    if (next.notBefore !== to)
      trackIfLive(ctx, 'referrer_update.moved', { ...factsOf(next), from: next.notBefore ?? iso(ctx.now()), to, reason: outcome.why });
    next.notBefore = to;
  }
}

function factsOf(u: PendingReferrerUpdate) {
  return { referralId: u.referralId, stage: u.stage, key: u.key };
}

function drop(ctx: RunContext, u: PendingReferrerUpdate, why: string): 'dropped' {
  note(ctx.state, ctx.now(), `referrer update ${u.stage} for ${u.referralId} not sent: ${why}`);
  trackIfLive(ctx, 'referrer_update.cancelled', { ...factsOf(u), reason: why.slice(0, 300) });
  return 'dropped';
}

async function attemptUpdate(ctx: RunContext, u: PendingReferrerUpdate): Promise<Attempt> {
  const { state } = ctx;
  const update = ctx.def.track.referrerUpdates?.[u.stage];
  if (!update || update.enabled === false) return drop(ctx, u, 'not declared on in this version of the journey');
  const hold = askHold(ctx, 'email');
  if (hold?.kind === 'never') return drop(ctx, u, hold.reason);
  if (hold) return { later: hold.until ?? ctx.now() + RETRY_LATER_MS, why: hold.reason };
  const to = typeof state.traits.email === 'string' && state.traits.email.includes('@') ? state.traits.email : undefined;
  if (!to) return drop(ctx, u, 'no traits.email');
  const sendKey = `${ctx.workflowId}:referrer-update:${u.referralId}:${u.stage}`;
  const motion = referralMotion(ctx.def);
  const window = motion ? ctx.def.motions[motion].invite.sendWindow : undefined;
  const own = state.traits.timezone;
  const zone = isKnownTimeZone(own) ? own : window && isKnownTimeZone(window.defaultTimezone) ? window.defaultTimezone : 'UTC';
  const policy = ctx.def.contactPolicy;
  let slot: Awaited<ReturnType<typeof optional.reserveContactSlot>>;
  try {
    slot = await optional.reserveContactSlot.executeWithOptions(
      { startToCloseTimeout: '1 minute', summary: `contact slot for referrer update ${u.stage}` },
      [
        {
          customerId: state.customerId,
          journeyId: ctx.plan.journeyId,
          // A reservation key's decision is final: after a refusal the next try asks with the next key.
          sendKey: u.slotTries === 0 ? sendKey : `${sendKey}:slot-${u.slotTries}`,
          at: iso(ctx.now()),
          journeyCap: policy ? { maxAsks: policy.maxAsks, periodMs: durationMs(policy.period) } : undefined,
          quietHours: policy?.quietHours,
          timezone: zone,
        },
      ],
    );
  } catch (err) {
    if (retriesExhausted(err)) return { later: ctx.now() + RETRY_LATER_MS, why: `no contact slot decision (${failureMessage(err)})` };
    return drop(ctx, u, `the contact slot was refused for good (${failureMessage(err)})`);
  }
  if (!slot.granted) {
    if (!slot.retryAt) return drop(ctx, u, `contact policy: ${slot.reason ?? 'refused for good'}`);
    u.slotTries++;
    const at = Date.parse(slot.retryAt);
    return {
      later: Number.isFinite(at) && at > ctx.now() ? at : ctx.now() + RETRY_LATER_MS,
      why: `contact policy: ${slot.reason ?? 'no slot'}`,
    };
  }
  const name = templateName(update.template);
  try {
    const req = requestFor(ctx, u, update, sendKey, to);
    const result = await email.sendEmail.executeWithOptions({ startToCloseTimeout: '1 minute', summary: `referrer update ${u.stage}` }, [
      req,
    ]);
    recordSentEmail(ctx, req, result);
    trackIfLive(ctx, 'referrer_update.sent', { ...factsOf(u), sendKey, template: name, status: result.status });
    return 'sent';
  } catch (err) {
    // Postmark down past the activity's retries: the slot stays granted (its key's decision is final); send later.
    if (retriesExhausted(err)) return { later: ctx.now() + RETRY_LATER_MS, why: `email unavailable (${failureMessage(err)})` };
    return drop(ctx, u, `email refused: ${failureMessage(err)}`);
  }
}

function requestFor(ctx: RunContext, u: PendingReferrerUpdate, update: ReferrerUpdate, sendKey: string, to: string): SendEmailRequest {
  const { state, plan } = ctx;
  const motion = referralMotion(ctx.def);
  const referral = state.referrals.find((r) => r.referralId === u.referralId);
  const model = messageData({
    step: 'referrer-update',
    journeyName: plan.name,
    journeyId: plan.journeyId,
    customerId: state.customerId,
    traits: state.traits,
    traitDefaults: ctx.def.traitDefaults,
    templateModel: update.template.model,
    motion,
    motionPlan: motion ? ctx.def.motions[motion] : undefined,
    referralCode: referralCodeOf(state),
    attempt: 1,
    referrerUpdate: { referralId: u.referralId, stage: u.stage, referredName: referral?.referredName },
  });
  return {
    sendKey,
    customerId: state.customerId,
    journeyId: plan.journeyId,
    journeyVersion: plan.version,
    step: `referrer-update:${u.stage}:${u.referralId}`,
    to,
    template: update.template,
    localTemplateBody: 'file' in update.template ? plan.templates[update.template.file] : undefined,
    model,
    messageStream: 'outbound',
    ...(state.previousRun ? { mayHaveBeenSent: true } : {}),
  };
}
