// After a reload that changes a journey's plan, tell the runs in flight: for a journey whose new version says
// `inFlight: migrate-at-listen`, every open run (found in visibility by its JourneyId search attribute) gets the new
// plan through the upgradePlan signal and moves to it the next time it is back in Listen. `finish` runs are left on
// their version. Bounded (maxRuns per journey), paginated, a few signals at a time; every failure is counted and
// reported, never dropped.
import { JOURNEY_WORKFLOW_TYPE, upgradePlanSignal } from '../workflows/contract/index.ts';
import type { Client } from '@temporalio/client';
import type { CompiledPlan } from '../definitions/plan.ts';
import { visibilityQuote } from './temporal-calls.ts';

export interface PlanChange {
  previous: CompiledPlan;
  next: CompiledPlan;
}

export interface InFlightUpgradeReport {
  journeyId: string;
  fromVersion: number;
  toVersion: number;
  inFlight: string;
  /** signalled: open runs were sent the new plan; skipped: why not (policy finish, version not raised). */
  action: 'signalled' | 'skipped';
  reason?: string;
  /** Open runs found in visibility (at most maxRuns). */
  runsFound: number;
  signalled: number;
  failed: number;
  /** The first few failures (workflow id and message); `failed` counts them all. */
  errors: { workflowId: string; message: string }[];
  /** More open runs than maxRuns: the rest were not signalled (reload again, or raise the bound). */
  truncated: boolean;
}

export interface InFlightUpgradeOptions {
  /** Most runs signalled per journey and reload (default 10,000). */
  maxRuns?: number;
  /** Visibility page size (default 200). */
  pageSize?: number;
  /** Signals in flight at once (default 8). */
  concurrency?: number;
}

const KEEP_ERRORS = 20;

export function openRunsQuery(journeyId: string): string {
  return `WorkflowType = '${JOURNEY_WORKFLOW_TYPE}' AND JourneyId = ${visibilityQuote(journeyId)} AND ExecutionStatus = 'Running'`;
}

export async function upgradeRunsInFlight(
  client: Client,
  change: PlanChange,
  opts: InFlightUpgradeOptions = {},
): Promise<InFlightUpgradeReport> {
  const { previous, next } = change;
  const report: InFlightUpgradeReport = {
    journeyId: next.journeyId,
    fromVersion: previous.version,
    toVersion: next.version,
    inFlight: next.definition.inFlight,
    action: 'skipped',
    runsFound: 0,
    signalled: 0,
    failed: 0,
    errors: [],
    truncated: false,
  };
  if (next.definition.inFlight !== 'migrate-at-listen') {
    report.reason = `inFlight: ${next.definition.inFlight}; runs in flight finish on the version they started on`;
    return report;
  }
  if (!(next.version > previous.version)) {
    // The interpreter only moves to a newer version; a changed file with the same version would be ignored by every run.
    report.reason = `the plan changed but its version did not rise (${previous.version} → ${next.version}); runs keep their plan — raise "version" to migrate them`;
    return report;
  }
  report.action = 'signalled';
  const maxRuns = opts.maxRuns ?? 10_000;
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  const failed = (workflowId: string, err: unknown) => {
    report.failed++;
    if (report.errors.length < KEEP_ERRORS) report.errors.push({ workflowId, message: (err as Error)?.message ?? String(err) });
  };
  const pending = new Set<Promise<void>>();
  try {
    for await (const run of client.workflow.list({ query: openRunsQuery(next.journeyId), pageSize: opts.pageSize ?? 200 })) {
      if (report.runsFound >= maxRuns) {
        report.truncated = true;
        break;
      }
      report.runsFound++;
      // No run id: the signal reaches the run that is current now, even if this one just continued as new.
      const p = client.workflow
        .getHandle(run.workflowId)
        .signal(upgradePlanSignal, next)
        .then(
          () => {
            report.signalled++;
          },
          (err) => failed(run.workflowId, err),
        )
        .finally(() => pending.delete(p));
      pending.add(p);
      if (pending.size >= concurrency) await Promise.race(pending);
    }
  } catch (err) {
    failed('(visibility list)', err); // listing stopped part-way: the runs not reached are not counted as signalled
  }
  await Promise.all(pending);
  return report;
}
