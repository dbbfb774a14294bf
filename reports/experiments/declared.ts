// The experiments the journeys in a folder declare, each reported over a data folder: what `journey report --html`
// shows side by side and `journey experiment report` prints.
import { loadCatalog, loadJourneyDir } from '../../definitions/loader.ts';
import { findExperiment, runExperimentReport, type ExperimentReport, type ExperimentScope } from './report.ts';

export async function declaredExperiments(journeysDir?: string): Promise<ExperimentScope[]> {
  const { plans } = await loadJourneyDir(journeysDir);
  const ids = [...new Set(plans.flatMap((p) => (p.definition.experiment ? [p.definition.experiment.id] : [])))].sort();
  return ids.map((id) => findExperiment(plans, id)!);
}

export async function reportDeclaredExperiments(dataDir: string, journeysDir?: string): Promise<ExperimentReport[]> {
  const kpis = loadCatalog().kpis ?? [];
  const reports: ExperimentReport[] = [];
  for (const scope of await declaredExperiments(journeysDir)) reports.push(await runExperimentReport(dataDir, scope, kpis));
  return reports;
}
