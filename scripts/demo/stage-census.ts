// How many demo runs stand at each stage right now, read from Temporal visibility (the same search
// attributes the UI filters on), for the progress printout.
import { JOURNEY_WORKFLOW_TYPE, JourneyStage, Suppressed } from '../../workflows/contract/index.ts';
import type { Client } from '@temporalio/client';

export interface StageCensus {
  runs: number;
  byStage: Record<string, number>;
  suppressed: number;
}

/** Counts open and closed journey runs by JourneyStage; reads at most `limit` runs (the demo has a few dozen). */
export async function stageCensus(client: Client, limit = 1000): Promise<StageCensus> {
  const census: StageCensus = { runs: 0, byStage: {}, suppressed: 0 };
  for await (const run of client.workflow.list({ query: `WorkflowType = "${JOURNEY_WORKFLOW_TYPE}"` })) {
    if (++census.runs > limit) break;
    const stage = run.typedSearchAttributes.get(JourneyStage) ?? '(starting)';
    census.byStage[stage] = (census.byStage[stage] ?? 0) + 1;
    if (run.typedSearchAttributes.get(Suppressed)) census.suppressed++;
  }
  return census;
}

export function formatCensus(census: StageCensus): string {
  const stages = Object.entries(census.byStage)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  return `${census.runs} journey runs${stages ? `: ${stages}` : ''}; suppressed ${census.suppressed}`;
}
