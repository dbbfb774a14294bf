// The plans the API routes events to. A reload compiles every journey file again; if any file has an error the
// whole reload is refused and the last good set keeps serving (a half-applied deploy is harder to reason about).
// An applied reload that changes a journey's plan hands the change to the in-flight upgrader (api/in-flight-upgrades.ts),
// which tells the open runs of journeys whose new version says `inFlight: migrate-at-listen`.
import type { CompiledPlan } from '../definitions/plan.ts';
import type { Diagnostic } from '../definitions/diagnostics.ts';
import type { InFlightUpgradeReport, PlanChange } from './in-flight-upgrades.ts';

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
  /** One report per journey whose plan changed in this reload (empty when none did, or nothing upgrades runs). */
  upgrades: InFlightUpgradeReport[];
}

/** Tells the runs in flight about changed plans; reports what it did for each. */
export type InFlightUpgrader = (changes: PlanChange[]) => Promise<InFlightUpgradeReport[]>;

export class PlanRegistry {
  private plans: CompiledPlan[] = [];
  private reloading: Promise<ReloadOutcome> | undefined;
  private reloadAgain: Promise<ReloadOutcome> | undefined;
  private upgrader: InFlightUpgrader | undefined;
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

  /** After each applied reload (HTTP or SIGHUP), `upgrader` gets the journeys whose plan hash changed. */
  upgradeRunsWith(upgrader: InFlightUpgrader): void {
    this.upgrader = upgrader;
  }

  /**
   * Reloads never overlap. A reload asked for while one runs may come after a file change that run did not read, so
   * it gets one more run once that one ends; every request made meanwhile shares that next run.
   */
  reload(): Promise<ReloadOutcome> {
    if (!this.reloading) {
      this.reloading = this.runReload().finally(() => (this.reloading = undefined));
      return this.reloading;
    }
    this.reloadAgain ??= this.reloading
      .catch(() => undefined)
      .then(() => {
        this.reloadAgain = undefined;
        return this.reload();
      });
    return this.reloadAgain;
  }

  /**
   * What a reload would do, without doing it: the files compiled again, whether they would be applied, and the
   * journeys whose plan would change (the reload API's dry run reports their runs in flight). Nothing changes here.
   */
  async dryRun(): Promise<{ applicable: boolean; diagnostics: Diagnostic[]; changes: PlanChange[]; journeys: ReloadOutcome['journeys'] }> {
    let loaded: LoadedPlans;
    try {
      loaded = await this.loader();
    } catch (err) {
      loaded = { plans: [], diagnostics: [loaderFailure(err)] };
    }
    const duplicate = duplicateJourneyIds(loaded.plans);
    const applicable = !loaded.diagnostics.some((d) => d.severity === 'error') && duplicate.length === 0;
    const before = new Map(this.plans.map((p) => [p.journeyId, p]));
    const changes = loaded.plans.flatMap((next) => {
      const previous = before.get(next.journeyId);
      return previous && previous.hash !== next.hash ? [{ previous, next }] : [];
    });
    const journeys = loaded.plans.map((p) => ({ journeyId: p.journeyId, version: p.version, hash: p.hash, status: p.definition.status }));
    return { applicable, diagnostics: [...loaded.diagnostics, ...duplicate], changes, journeys };
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
    let changes: PlanChange[] = [];
    if (applied) {
      const before = new Map(this.plans.map((p) => [p.journeyId, p]));
      changes = loaded.plans.flatMap((next) => {
        const previous = before.get(next.journeyId);
        return previous && previous.hash !== next.hash ? [{ previous, next }] : [];
      });
      this.plans = loaded.plans;
      this.loadedAt = new Date().toISOString();
    }
    const upgrades = changes.length > 0 && this.upgrader ? await this.runUpgrader(changes) : [];
    return { applied, journeys: this.summary(), diagnostics: [...loaded.diagnostics, ...duplicate], upgrades };
  }

  /** The new plans serve already; an upgrader that throws is reported as a failure of every change, not lost. */
  private async runUpgrader(changes: PlanChange[]): Promise<InFlightUpgradeReport[]> {
    try {
      return await this.upgrader!(changes);
    } catch (err) {
      const message = `upgrading runs in flight failed: ${(err as Error)?.message ?? String(err)}`;
      return changes.map(({ previous, next }) => ({
        journeyId: next.journeyId,
        fromVersion: previous.version,
        toVersion: next.version,
        inFlight: next.definition.inFlight,
        action: 'signalled',
        runsFound: 0,
        signalled: 0,
        failed: 1,
        errors: [{ workflowId: '', message }],
        truncated: false,
      }));
    }
  }

  summary(): ReloadOutcome['journeys'] {
    return this.plans.map((p) => ({ journeyId: p.journeyId, version: p.version, hash: p.hash, status: p.definition.status }));
  }
}

function loaderFailure(err: unknown): Diagnostic {
  return {
    file: '',
    line: 1,
    column: 1,
    pointer: '',
    severity: 'error',
    code: 'loader.failed',
    message: `loading the journey files failed: ${(err as Error)?.message ?? String(err)}`,
  };
}

function duplicateJourneyIds(plans: CompiledPlan[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const plan of plans) {
    if (seen.has(plan.journeyId)) {
      out.push({
        file: '',
        line: 1,
        column: 1,
        pointer: '/id',
        severity: 'error',
        code: 'registry.duplicateJourneyId',
        message: `two journey files declare the id "${plan.journeyId}"`,
        suggestion: 'give each journey its own id',
      });
    }
    seen.add(plan.journeyId);
  }
  return out;
}
