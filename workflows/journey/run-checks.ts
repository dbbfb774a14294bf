// What makes a run fail at once instead of retrying its workflow task forever: input a deploy cannot fix (the plan
// is pinned in the input, the carried state came from the previous run) and errors the interpreter did not expect.
// Each becomes a non-retryable ApplicationFailure whose message says why.
import { ApplicationFailure, ContinueAsNew, isCancellation, TemporalFailure, WorkflowError } from '@temporalio/workflow';
import { PLAN_FORMAT, type CompiledPlan } from '../../definitions/plan.ts';
import type { JourneyRunInput } from '../contract/index.ts';
import { isKnownTimeZone } from './send-window.ts';

const DAYS = new Set(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Problems with the send windows of a plan: each must open on some day, in a zone this runtime knows. */
export function sendWindowProblems(plan: CompiledPlan): string[] {
  const problems: string[] = [];
  for (const [motion, m] of Object.entries(plan.definition?.motions ?? {})) {
    const w = m?.invite?.sendWindow;
    const at = `motions.${motion}.invite.sendWindow`;
    if (!w) {
      problems.push(`${at} is missing`);
      continue;
    }
    if (!Array.isArray(w.days) || w.days.length === 0 || !w.days.every((d) => DAYS.has(d)))
      problems.push(`${at}.days ${JSON.stringify(w.days)} names no weekday (mon … sun)`);
    if (!HHMM.test(String(w.start)) || !HHMM.test(String(w.end)) || !(w.start < w.end))
      problems.push(`${at} ${JSON.stringify(w.start)}–${JSON.stringify(w.end)} is not an opening HH:MM before a closing HH:MM`);
    if (w.defaultTimezone !== undefined && !isKnownTimeZone(w.defaultTimezone))
      problems.push(`${at}.defaultTimezone ${JSON.stringify(w.defaultTimezone)} is not an IANA time zone`);
  }
  return problems;
}

const ARRAYS = ['seenEventIds', 'inbox', 'notes', 'rewards', 'heldRewards', 'referrals', 'promotionsUsed', 'pendingTracking'] as const;
const OBJECTS = ['history', 'suppression', 'traits'] as const;

/** Carried state as it may arrive from an older or broken run: every field may be absent or of another type. */
type UncheckedCarried = Record<string, unknown> & {
  suppression?: { openIssues?: unknown } | null;
  resume?: { stage?: unknown; asks?: unknown } | null;
};

/** Problems with the state carried from the previous run (absent fields are fine: older runs carried fewer). */
export function carriedProblems(carried: unknown): string[] {
  if (carried === undefined) return [];
  if (typeof carried !== 'object' || carried === null || Array.isArray(carried))
    return [`input.carried is ${JSON.stringify(carried)?.slice(0, 80)}, not an object`];
  const c = carried as UncheckedCarried;
  const problems: string[] = [];
  for (const k of ARRAYS) if (c[k] !== undefined && !Array.isArray(c[k])) problems.push(`input.carried.${k} is not a list`);
  for (const k of OBJECTS)
    if (c[k] !== undefined && (typeof c[k] !== 'object' || c[k] === null || Array.isArray(c[k])))
      problems.push(`input.carried.${k} is not an object`);
  if (c.suppression && !Array.isArray(c.suppression.openIssues ?? [])) problems.push('input.carried.suppression.openIssues is not a list');
  if (c.cycle !== undefined && !(typeof c.cycle === 'number' && Number.isInteger(c.cycle) && c.cycle >= 1))
    problems.push(`input.carried.cycle ${JSON.stringify(c.cycle)} is not a cycle number`);
  if (c.trackingSeq !== undefined && !(typeof c.trackingSeq === 'number' && Number.isInteger(c.trackingSeq) && c.trackingSeq >= 0))
    problems.push('input.carried.trackingSeq is not a count');
  if (c.resume !== undefined && (typeof c.resume?.stage !== 'string' || !Array.isArray(c.resume?.asks)))
    problems.push('input.carried.resume has no stage or asks');
  for (const k of ['lastCycleStartedAt', 'cycleStartedAt'] as const)
    if (c[k] !== undefined && !Number.isFinite(Date.parse(String(c[k]))))
      problems.push(`input.carried.${k} ${JSON.stringify(c[k])} is not a time`);
  return problems;
}

/** Problems with a compiled plan (`at` names where it came from): the parts every stage reads must be there. */
export function planProblems(plan: CompiledPlan | undefined, at = 'input.plan'): string[] {
  const problems: string[] = [];
  if (!plan || typeof plan !== 'object') return [`${at} is missing`];
  if (plan.planFormat !== PLAN_FORMAT)
    problems.push(`${at}.planFormat is ${JSON.stringify(plan.planFormat)}, this interpreter runs ${PLAN_FORMAT}`);
  if (!plan.definition?.listen?.signals?.length) problems.push(`${at}.definition.listen.signals is empty`);
  if (!plan.definition?.motions || typeof plan.definition.motions !== 'object') problems.push(`${at}.definition.motions is missing`);
  if (!plan.definition?.suppression || !plan.definition?.qualify || !plan.definition?.track)
    problems.push(`${at}.definition lacks suppression, qualify or track`);
  // A window that never opens, or a zone Intl does not know, would otherwise fail (or fall back to UTC) at the first ask.
  if (plan.definition?.motions && typeof plan.definition.motions === 'object') problems.push(...sendWindowProblems(plan));
  return problems;
}

/** The run's input, checked before anything else: a bad plan, carried state or send window fails the run at once. */
export function checkInput(input: JourneyRunInput): void {
  const problems = planProblems(input?.plan);
  if (typeof input?.customerId !== 'string' || !input.customerId) problems.push('input.customerId is missing');
  problems.push(...carriedProblems(input?.carried));
  if (problems.length) throw ApplicationFailure.nonRetryable(`bad journey input: ${problems.join('; ')}`, 'JourneyBadPlan');
}

/** The failure type of an error the interpreter did not expect (a bug, or data no check caught). */
export const INTERPRETER_ERROR = 'JourneyInterpreterError';

/**
 * An unexpected error as a non-retryable failure of the run, so it shows as Failed with the reason instead of a
 * workflow task retried forever. Failures Temporal already understands (ApplicationFailure, activity and child
 * failures, cancellation, continue-as-new) pass through unchanged.
 */
export function asRunFailure(err: unknown, where: string): unknown {
  if (isCancellation(err)) return err;
  // ContinueAsNew is how the SDK ends a run for continue-as-new; WorkflowError (e.g. a determinism violation) must
  // stay a workflow-task failure, which a fixed deploy can recover from.
  if (err instanceof TemporalFailure || err instanceof ContinueAsNew || err instanceof WorkflowError) return err;
  const name = (err as Error)?.name;
  const message = (err as Error)?.message ?? String(err);
  return ApplicationFailure.nonRetryable(`${where}: ${name ?? 'Error'}: ${message}`, INTERPRETER_ERROR);
}
