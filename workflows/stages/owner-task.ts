// The 1:1 motion's owner task (patch owner-task-outcome): an owner-outreach ask is a task for the account owner,
// created through the CRM provider the worker is configured with (activities/crm). It is sent in the owner's own
// zone and working hours, takes no slot of the customer's contact cap (the customer is not contacted), and with
// invite.ownerTask the run then waits for the owner's answer: done goes on to Activate; declined or no answer
// within answerWithin does what the plan says (journey/run-stages.ts ownerTaskFallback).
import { CancellationScope } from '@temporalio/workflow';
import { CRM_FAILURE, EMAIL_FAILURE, type OwnerTaskRequest } from '../contract/index.ts';
import type { Invite, OwnerTask, SendWindow } from '../../definitions/generated/journey.ts';
import { durationMs } from '../../definitions/duration.ts';
import { failureMessage, failureType, optional, retriesExhausted } from '../journey/activities.ts';
import { iso, stopRequested, track, type RunContext } from '../journey/context.ts';
import { isKnownTimeZone } from '../journey/send-window.ts';
import { note } from '../journey/state.ts';
import { showProgress } from '../journey/visibility.ts';
import { waitUntil } from '../journey/waits.ts';
import { actionWaiting } from './activate.ts';
import { misconfigured } from './email-trouble.ts';
import { askFailed, askSent } from './invite-facts.ts';
import { askRequest, templateName, type Channel, type Template } from './invite-message.ts';
import type { Step } from './invite-attempt.ts';

/** Retry a task the CRM did not take within the activity's bound after 1 h, 2 h, 4 h … at most a day apart. */
const RETRY_FIRST_MS = 3_600_000;
const RETRY_MAX_MS = 86_400_000;
const DAYS = new Set(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/u;

/** Whether this ask is an owner task (the patch is on and the channel is owner-outreach). */
export function isOwnerTask(ctx: RunContext, channel: Channel): boolean {
  return ctx.ownerTasks && channel === 'owner-outreach';
}

/** The motion's owner task plan (invite.ownerTask), when this run handles owner tasks. */
export function ownerTaskPlan(ctx: RunContext): OwnerTask | undefined {
  return ctx.ownerTasks && ctx.state.motion ? ctx.def.motions[ctx.state.motion]?.invite.ownerTask : undefined;
}

/** The owner's working hours and zone: traits.ownerWorkingHours / ownerTimezone, else the invite's window and its zone. */
export function ownerWindow(ctx: RunContext, plan: Invite): { window: SendWindow; zone: string } {
  const { ownerTimezone, ownerWorkingHours } = ctx.state.traits as { ownerTimezone?: unknown; ownerWorkingHours?: unknown };
  const zone = isKnownTimeZone(ownerTimezone)
    ? ownerTimezone
    : isKnownTimeZone(plan.sendWindow.defaultTimezone)
      ? plan.sendWindow.defaultTimezone
      : 'UTC';
  const hours = ownerWorkingHours as { days?: unknown; start?: unknown; end?: unknown } | undefined;
  const valid =
    Array.isArray(hours?.days) &&
    hours.days.length > 0 &&
    hours.days.every((d) => DAYS.has(String(d))) &&
    CLOCK.test(String(hours.start)) &&
    CLOCK.test(String(hours.end));
  if (ownerWorkingHours !== undefined && !valid)
    note(ctx.state, ctx.now(), 'traits.ownerWorkingHours is not {days, start, end}: using the invite send window');
  const window = valid ? ({ ...plan.sendWindow, days: hours.days, start: hours.start, end: hours.end } as SendWindow) : plan.sendWindow;
  return { window, zone };
}

/** Creates the owner's task (the send of an owner-outreach ask); as the email send in invite.ts, but no slot. */
export async function sendOwnerTask(
  ctx: RunContext,
  a: { attempt: number; template: Template; to: string; label: string; giveUpAt: number },
  sendKey: string,
  zone: string,
): Promise<Step> {
  const { state } = ctx;
  const task = ownerTaskPlan(ctx);
  const dueAt = iso(ctx.now() + (task ? durationMs(task.answerWithin) : 0));
  const email = askRequest(ctx, {
    sendKey,
    step: `invite:${state.motion}:${a.attempt}`,
    to: a.to,
    template: a.template,
    channel: 'owner-outreach',
    attempt: a.attempt,
    stream: 'outbound',
  });
  const traits = state.traits;
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const req: OwnerTaskRequest = {
    taskId: sendKey,
    customerId: state.customerId,
    journeyId: ctx.plan.journeyId,
    journeyVersion: ctx.plan.version,
    journeyName: ctx.plan.name,
    motion: state.motion!,
    owner: { email: a.to, name: text(traits.ownerName), timezone: zone },
    dueAt,
    reason: state.qualification?.reason,
    account: { company: text(traits.company), segment: text(traits.segment), arr: typeof traits.arr === 'number' ? traits.arr : undefined },
    email,
  };
  try {
    // Once scheduled, the task is created: a cancelled scope must not leave us unsure whether the owner has it.
    const result = await CancellationScope.nonCancellable(() =>
      optional.createOwnerTask.executeWithOptions({ startToCloseTimeout: '1 minute', summary: `owner task: ${a.label}` }, [req]),
    );
    const at = iso(ctx.now());
    const status = result.status === 'created' ? 'sent' : 'already-sent';
    state.asks.push({
      attempt: a.attempt,
      at,
      sendKey,
      channel: 'owner-outreach',
      template: templateName(a.template),
      to: 'owner',
      status,
    });
    state.attempts = a.attempt;
    state.history.asks++;
    state.history.lastAskAt = at;
    if (state.crmProblem?.what === 'owner-task' || state.emailProblem?.sendKey === sendKey) {
      note(state, ctx.now(), `${a.label}: the owner task went out after earlier failures`);
      state.crmProblem = undefined;
      state.emailProblem = undefined;
    }
    if (task) {
      state.ownerTask = { taskId: sendKey, motion: state.motion!, cycle: state.cycle, sentAt: at, dueAt, provider: result.provider };
      track(ctx, 'owner_task.created', { taskId: sendKey, provider: result.provider, dueAt, ownerZone: zone });
    }
    askSent(ctx, { attempt: a.attempt, sendKey }, { channel: 'owner-outreach', template: templateName(a.template), status });
    showProgress(ctx);
    return 'sent';
  } catch (err) {
    const type = failureType(err);
    if (type === EMAIL_FAILURE.configuration) return misconfigured(ctx, a, sendKey, failureMessage(err));
    if (retriesExhausted(err)) return crmUnavailable(ctx, a, sendKey, failureMessage(err));
    // Refused for good (the CRM's 4xx, the owner's mailbox gone, a request that cannot be built): operators see it.
    const reason = type ?? 'error';
    state.crmProblem = { what: 'owner-task', reason: `${reason}: ${failureMessage(err)}`.slice(0, 300), at: iso(ctx.now()), failures: 1 };
    note(state, ctx.now(), `${a.label} failed: ${reason}: ${failureMessage(err)}`);
    askFailed(
      ctx,
      { attempt: a.attempt, sendKey },
      type === CRM_FAILURE.ownerUnreachable ? 'owner-unreachable' : reason,
      failureMessage(err),
    );
    return { kind: 'never' };
  }
}

function crmUnavailable(ctx: RunContext, a: { label: string; attempt: number; giveUpAt: number }, sendKey: string, message: string): Step {
  const { state } = ctx;
  const failures = (state.crmProblem?.what === 'owner-task' ? state.crmProblem.failures : 0) + 1;
  const retryAt = ctx.now() + Math.min(RETRY_FIRST_MS * 2 ** (failures - 1), RETRY_MAX_MS);
  const giveUp = retryAt >= a.giveUpAt;
  state.crmProblem = {
    what: 'owner-task',
    reason: message.slice(0, 300),
    at: iso(ctx.now()),
    failures,
    retryAt: giveUp ? undefined : iso(retryAt),
  };
  track(ctx, 'ask.failed', { attempt: a.attempt, sendKey, reason: 'crm-unavailable', failures });
  showProgress(ctx);
  if (giveUp) {
    note(state, ctx.now(), `${a.label} not sent after ${failures} tries: the CRM did not take the task (${message})`);
    return { kind: 'never' };
  }
  note(state, ctx.now(), `${a.label} not sent: the CRM did not take the task (${message}); trying again at ${iso(retryAt)}`);
  return { kind: 'send-again-at', at: retryAt };
}

export type OwnerAnswer = 'done' | 'declined' | 'no-answer' | 'acted' | 'stopped' | 'handover';

/** Waits for the owner's answer to this cycle's task until its deadline (a durable timer), then says what it was. */
export async function awaitOwnerAnswer(ctx: RunContext): Promise<OwnerAnswer> {
  for (;;) {
    const task = ctx.state.ownerTask!;
    if (task.outcome) return task.outcome;
    // The customer acted already (e.g. the reference call happened): nothing is left to wait for.
    if (actionWaiting(ctx)) return 'acted';
    if (stopRequested(ctx)) return 'stopped';
    const until = Date.parse(task.dueAt);
    const woke = await waitUntil(ctx, `waiting for the owner's answer to task ${task.taskId} until ${task.dueAt}`, {
      until,
      alsoWakeOn: () => task.outcome !== undefined || actionWaiting(ctx),
      mayHandOver: true,
    });
    if (woke === 'handover') return 'handover';
    if ((woke === 'elapsed' || woke === 'skipped') && !task.outcome && !actionWaiting(ctx)) {
      task.outcome = 'no-answer';
      task.outcomeAt = iso(ctx.now());
      track(ctx, 'owner_task.no_answer', { taskId: task.taskId, dueAt: task.dueAt });
    }
  }
}
