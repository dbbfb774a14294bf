// The KPI report as the CLI and the API serve it: read the tracking log of a data folder (all its files), keep one journey
// if asked, compute per journey and version over the period.
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
import { computeKpis, type JourneyKpis } from './kpis.ts';

export interface KpiReportQuery {
  journeyId?: string;
  /** Inclusive, ISO. */
  from?: string;
  /** Exclusive, ISO. */
  to?: string;
}

export interface KpiReport {
  period: { from: string | null; to: string | null };
  journeys: JourneyKpis[];
  /** Lines of the log's files that were not records (`<file>:<line>`: a torn last line after a crash). */
  skippedLines: string[];
}

export async function kpiReportFromLog(dataDir: string, query: KpiReportQuery = {}): Promise<KpiReport> {
  const { records, badLines } = await readTrackingLog(dataDir);
  const chosen = query.journeyId ? records.filter((r) => r.journeyId === query.journeyId) : records;
  return {
    period: { from: query.from ?? null, to: query.to ?? null },
    journeys: computeKpis(chosen, { from: query.from, to: query.to }),
    skippedLines: badLines,
  };
}
