// The plans the API routes events to. A reload compiles every journey file again; if any file has an error the
// whole reload is refused and the last good set keeps serving (a half-applied deploy is harder to reason about).
import type { CompiledPlan } from '../definitions/plan.ts';
import type { Diagnostic } from '../definitions/diagnostics.ts';

export interface LoadedPlans {
  plans: CompiledPlan[];
  diagnostics: Diagnostic[];
}
export type PlanLoader = () => Promise<LoadedPlans> | LoadedPlans;

export interface ReloadOutcome {
  applied: boolean;
  /** The plans serving after the reload (the new ones, or the last good ones). */
  journeys: Array<{ journeyId: string; version: number; hash: string; status: string }>;
  diagnostics: Diagnostic[];
}

export class PlanRegistry {
  private plans: CompiledPlan[] = [];
  private reloading: Promise<ReloadOutcome> | undefined;
  loadedAt: string | undefined;

  constructor(private readonly loader: PlanLoader) {}

  /** A registry that serves a fixed set of plans (tests, embedding). */
  static of(plans: CompiledPlan[]): PlanRegistry {
    const registry = new PlanRegistry(() => ({ plans, diagnostics: [] }));
    registry.plans = plans;
    registry.loadedAt = new Date().toISOString();
    return registry;
  }

  current(): readonly CompiledPlan[] {
    return this.plans;
  }

  find(journeyId: string): CompiledPlan | undefined {
    return this.plans.find((p) => p.journeyId === journeyId);
  }

  /** Concurrent reloads (SIGHUP + HTTP) share one run. */
  reload(): Promise<ReloadOutcome> {
    this.reloading ??= this.runReload().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private async runReload(): Promise<ReloadOutcome> {
    let loaded: LoadedPlans;
    try {
      loaded = await this.loader();
    } catch (err) {
      loaded = { plans: [], diagnostics: [loaderFailure(err)] };
    }
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
    const duplicate = duplicateJourneyIds(loaded.plans);
    const applied = errors.length === 0 && duplicate.length === 0;
    if (applied) {
      this.plans = loaded.plans;
      this.loadedAt = new Date().toISOString();
    }
    return { applied, journeys: this.summary(), diagnostics: [...loaded.diagnostics, ...duplicate] };
  }

  summary(): ReloadOutcome['journeys'] {
    return this.plans.map((p) => ({ journeyId: p.journeyId, version: p.version, hash: p.hash, status: p.definition.status }));
  }
}

function loaderFailure(err: unknown): Diagnostic {
  return {
    file: '', line: 1, column: 1, pointer: '', severity: 'error', code: 'loader.failed',
    message: `loading the journey files failed: ${(err as Error)?.message ?? String(err)}`,
  };
}

function duplicateJourneyIds(plans: CompiledPlan[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const plan of plans) {
    if (seen.has(plan.journeyId)) {
      out.push({
        file: '', line: 1, column: 1, pointer: '/id', severity: 'error', code: 'registry.duplicateJourneyId',
        message: `two journey files declare the id "${plan.journeyId}"`, suggestion: 'give each journey its own id',
      });
    }
    seen.add(plan.journeyId);
  }
  return out;
}
