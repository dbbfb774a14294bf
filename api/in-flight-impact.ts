// What a reload would do to the runs in flight, without doing it: for each journey whose plan would change, the
// open runs (visibility, by the JourneyId search attribute) with the version and stage each is in, and whether the
// new version's `inFlight` policy moves them (migrate-at-listen: at their next return to Listen) or leaves them on
// their version (finish). Read only: no signal is sent, no run touched. Used by the reload API's dry run and by
// `journey diff --server`.
import type { Client } from '@temporalio/client';
import { JourneyStage, JourneyVersion } from '../workflows/contract/index.ts';
import { openRunsQuery, type PlanChange } from './in-flight-upgrades.ts';

export interface InFlightRun {
  workflowId: string;
  version: number | null;
  stage: string | null;
}

export interface InFlightImpact {
  journeyId: string;
  fromVersion: number;
  toVersion: number;
  inFlight: string;
  /** Whether the open runs listed in `moving` would move to the new version. */
  wouldMove: boolean;
  reason: string;
  /** Open runs found (at most maxRuns). */
  runsFound: number;
  /** The runs that would move, each with the version and stage it is in now. */
  moving: InFlightRun[];
  /** Runs that stay on their version, by version. */
  staying: Record<string, number>;
  truncated: boolean;
}

export async function inFlightImpact(client: Client, change: PlanChange, opts: { maxRuns?: number } = {}): Promise<InFlightImpact> {
  const { previous, next } = change;
  const migrates = next.definition.inFlight === 'migrate-at-listen';
  const raised = next.version > previous.version;
  const wouldMove = migrates && raised;
  const impact: InFlightImpact = {
    journeyId: next.journeyId,
    fromVersion: previous.version,
    toVersion: next.version,
    inFlight: next.definition.inFlight,
    wouldMove,
    reason: !migrates
      ? `inFlight: ${next.definition.inFlight}; runs in flight finish on the version they started on`
      : !raised
        ? `the plan changed but its version did not rise (${previous.version} → ${next.version}); runs keep their plan`
        : `inFlight: migrate-at-listen; each older run moves to version ${next.version} when it is next back in Listen`,
    runsFound: 0,
    moving: [],
    staying: {},
    truncated: false,
  };
  const maxRuns = opts.maxRuns ?? 10_000;
  for await (const run of client.workflow.list({ query: openRunsQuery(next.journeyId), pageSize: 200 })) {
    if (impact.runsFound >= maxRuns) {
      impact.truncated = true;
      break;
    }
    impact.runsFound++;
    const versionText = run.typedSearchAttributes.get(JourneyVersion);
    const version = versionText === undefined ? null : Number(versionText);
    const entry = { workflowId: run.workflowId, version, stage: run.typedSearchAttributes.get(JourneyStage) ?? null };
    if (wouldMove && (version === null || version < next.version)) impact.moving.push(entry);
    else impact.staying[String(version)] = (impact.staying[String(version)] ?? 0) + 1;
  }
  return impact;
}
