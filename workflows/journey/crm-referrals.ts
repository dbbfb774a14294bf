// Referrals written back to the CRM (patch owner-task-outcome): each stage of a referral this run owns (submitted,
// qualified, opportunity, closed won / lost, reversed) becomes a structured record (source, advocate, journey,
// stage, the friend the form named) queued in the run's state the moment the event is taken, and a writer beside the
// stage loop writes the queue in order through writeReferralRecord (the CRM provider: webhook or files). A record
// leaves the queue only once written, so a worker crash or a CRM outage loses nothing (the queue is carried over
// continue-as-new; the key makes a repeated write a no-op). Past the activity's retry bound the writer backs off on
// a durable timer, shown to operators (state.crmProblem); a record the CRM refuses for good is dropped with a note
// and a tracking record (crm.referral_refused), never retried for ever.
import { condition, metricMeter } from '@temporalio/workflow';
import type { JourneyEvent, ReferralRecordRequest, ReferralStage } from '../contract/index.ts';
import { failureMessage, failureType, optional, retriesExhausted } from './activities.ts';
import { iso, track, type RunContext } from './context.ts';
import { referralCodeOf } from './referral-code.ts';
import { note } from './state.ts';
import { showProgress } from './visibility.ts';

const FIRST_BACKOFF_MS = 3_600_000;
const MAX_BACKOFF_MS = 86_400_000;

const text = (v: unknown, max = 2000): string | undefined => (typeof v === 'string' && v ? v.slice(0, max) : undefined);

/** Queues one stage of a referral for the CRM (only in a run with the patch; a no-op otherwise). */
export function queueReferralRecord(
  ctx: RunContext,
  referralId: string,
  stage: ReferralStage,
  event: JourneyEvent,
  extra: { amount?: number; currency?: string } = {},
): void {
  if (!ctx.ownerTasks) return;
  const { state, plan } = ctx;
  const data = event.data ?? {};
  const traits = state.traits;
  const name = [text(traits.firstName), text(traits.lastName)].filter(Boolean).join(' ') || undefined;
  const referred =
    stage === 'submitted'
      ? {
          email: text(data.referredEmail),
          name: text(data.referredName),
          company: text(data.referredCompany),
          role: text(data.referredRole),
          customerId: text(data.referredCustomerId),
          context: text(data.context),
        }
      : undefined;
  const record: ReferralRecordRequest = {
    idempotencyKey: `referral:${plan.journeyId}:${state.customerId}:${referralId}:${stage}`,
    referralId,
    stage,
    source: {
      kind: 'advocacy-journey',
      journeyId: plan.journeyId,
      journeyVersion: plan.version,
      journeyName: plan.name,
      referralCode: text(data.referralCode, 200) ?? referralCodeOf(state),
      channel: text(data.source, 100),
    },
    advocate: { customerId: state.customerId, email: text(traits.email, 320), name, company: text(traits.company) },
    ...(referred ? { referred: JSON.parse(JSON.stringify(referred)) as ReferralRecordRequest['referred'] } : {}),
    ...(extra.amount !== undefined ? { amount: extra.amount } : {}),
    ...(extra.currency ? { currency: extra.currency } : {}),
    at: iso(ctx.now()),
  };
  (state.crmQueue ??= []).push(record);
}

/** Starts the writer; it runs for the life of the run and is never awaited. */
export function startCrmReferralWriter(ctx: RunContext): void {
  void writeLoop(ctx);
}

/**
 * Before a handover: no new write starts, and the one in flight (if any) finishes, so no activity of this run is left
 * running when the next run writes the carried queue (it would write the same record again, or be lost to a
 * closed run). Bounded by the activity's retry bound; a writer backing off is not waited for.
 */
export async function settleCrmReferralWriter(ctx: RunContext): Promise<void> {
  ctx.crmClosed = true;
  await condition(() => !ctx.crmWriting);
}

async function writeLoop(ctx: RunContext): Promise<void> {
  let backoffMs = FIRST_BACKOFF_MS;
  for (;;) {
    await condition(() => (ctx.state.crmQueue?.length ?? 0) > 0 || ctx.crmClosed === true);
    if (ctx.crmClosed) return;
    const record = ctx.state.crmQueue![0];
    let failure: unknown;
    ctx.crmWriting = true;
    try {
      await optional.writeReferralRecord.executeWithOptions(
        { startToCloseTimeout: '1 minute', summary: `CRM: referral ${record.referralId.slice(0, 60)} ${record.stage}` },
        [record],
      );
    } catch (err) {
      failure = err;
    } finally {
      ctx.crmWriting = false;
    }
    if (failure === undefined || !retriesExhausted(failure)) {
      // Only the writer takes records off the front; the event handlers append at the end meanwhile.
      ctx.state.crmQueue!.shift();
      if (failure !== undefined) refused(ctx, record, failure);
      else if (ctx.state.crmProblem?.what === 'referral') {
        note(ctx.state, ctx.now(), `CRM referral records are written again after ${ctx.state.crmProblem.failures} failed tries`);
        ctx.state.crmProblem = undefined;
        showProgress(ctx);
      }
      backoffMs = FIRST_BACKOFF_MS;
      continue;
    }
    const problem = ctx.state.crmProblem?.what === 'referral' ? ctx.state.crmProblem : undefined;
    ctx.state.crmProblem = {
      what: 'referral',
      reason: failureMessage(failure).slice(0, 300),
      at: problem?.at ?? iso(ctx.now()),
      failures: (problem?.failures ?? 0) + 1,
      retryAt: iso(ctx.now() + backoffMs),
    };
    metricMeter
      .createCounter('journey_crm_writes_deferred', undefined, 'CRM referral writes a run put off after the activity’s retries')
      .add(1, {
        journey: ctx.plan.journeyId,
      });
    showProgress(ctx);
    await condition(() => ctx.crmClosed === true, backoffMs);
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  }
}

function refused(ctx: RunContext, record: ReferralRecordRequest, failure: unknown): void {
  const reason = `${failureType(failure) ?? 'error'}: ${failureMessage(failure)}`.slice(0, 300);
  ctx.state.crmProblem = { what: 'referral', reason, at: iso(ctx.now()), failures: 1 };
  note(ctx.state, ctx.now(), `the CRM refused referral ${record.referralId} (${record.stage}) for good: ${reason}`);
  track(ctx, 'crm.referral_refused', { referralId: record.referralId, referralStage: record.stage, reason });
  showProgress(ctx);
}
