// Normalization: fill in every default so the interpreter never has to guess, pin the local templates, compute
// the routing table and the content hash. Pure.
import { createHash } from 'node:crypto';
import type { AdvocacyJourneyDefinition } from '../generated/journey.ts';
import { PLAN_FORMAT, type CompiledPlan } from '../plan.ts';
import { isLocal, templateSites } from './template-check.ts';
import type { Catalog } from './catalog.ts';

export const DEFAULT_COOL_DOWN = 'P30D';
export const DEFAULT_TIMEZONE = 'UTC';
/** The events the product sends back about an in-product prompt (definitions/catalog/events.json). */
export const PROMPT_EVENTS = ['prompt.clicked', 'prompt.dismissed', 'prompt.shown'] as const;
/** The owner's answers to an owner task (invite.ownerTask); no answer by the deadline is the run's own timer. */
export const OWNER_TASK_EVENTS = ['owner_task.completed', 'owner_task.declined'] as const;

export function normalizeDefinition(source: AdvocacyJourneyDefinition): AdvocacyJourneyDefinition {
  const def = structuredClone(source);
  delete def.$schema; // editor help only; not part of the journey's meaning (nor of its hash)
  def.listen.reentry ??= { allowed: false };
  const coolDown = def.suppression.defaultCoolDown ?? DEFAULT_COOL_DOWN;
  def.suppression.defaultCoolDown = coolDown;
  for (const signal of def.suppression.signals) if (signal.effect === 'hold') signal.coolDown ??= coolDown;
  def.suppression.whileOpen ??= [];
  for (const rule of def.suppression.whileOpen) rule.coolDown ??= coolDown;
  for (const plan of Object.values(def.motions)) {
    plan.invite.reminders ??= [];
    plan.invite.variants ??= [];
    plan.invite.sendWindow.defaultTimezone ??= DEFAULT_TIMEZONE;
  }
  return def;
}

export function buildPlan(source: AdvocacyJourneyDefinition, available: Record<string, string>, catalog?: Catalog): CompiledPlan {
  const definition = normalizeDefinition(source);
  const templates: Record<string, string> = {};
  for (const { template } of templateSites(definition)) {
    if (isLocal(template)) templates[template.file] = available[template.file];
  }
  const sortedTemplates = Object.fromEntries(Object.entries(templates).sort(([a], [b]) => (a < b ? -1 : 1)));
  const plans = Object.values(definition.motions);
  const routing = {
    listen: unique(definition.listen.signals.map((s) => s.event)),
    suppress: unique([
      ...definition.suppression.signals.map((s) => s.event),
      ...(definition.suppression.whileOpen ?? []).flatMap((r) => [r.openedBy, r.resolvedBy]),
    ]),
    actions: unique(plans.flatMap((p) => p.activate.actions.map((a) => a.event))),
    conversions: unique(definition.track.conversions.map((c) => c.event)),
    reversals: unique(plans.flatMap((p) => p.reward?.reversal?.events ?? [])),
    // Only in plans that prompt in-product: a plan without prompts keeps the routing (and hash input) it had.
    ...(plans.some((p) => p.invite.channels?.includes('in-product')) ? { prompts: [...PROMPT_EVENTS] } : {}),
    // Only in a journey with owner tasks (plans without them keep their shape): the owner's answer to a task.
    ...(plans.some((p) => p.invite.ownerTask) ? { ownerTasks: [...OWNER_TASK_EVENTS] } : {}),
  };
  // The data schema of every type the journey takes, pinned with the plan: the interpreter checks an event signalled
  // straight to a run (not through the API's door) against it, without Ajv or a file in the workflow.
  const eventData = catalog
    ? Object.fromEntries(
        unique(Object.values(routing).flat())
          .filter((type) => catalog.events[type])
          .map((type) => [type, catalog.events[type].data]),
      )
    : undefined;
  return {
    planFormat: PLAN_FORMAT,
    journeyId: definition.id,
    version: definition.version,
    name: definition.name,
    hash: contentHash(definition, sortedTemplates),
    definition,
    templates: sortedTemplates,
    routing,
    ...(eventData ? { eventData } : {}),
  };
}

/** sha256 (hex) over the canonical JSON (sorted keys, no whitespace) of the definition and its templates. */
export function contentHash(definition: AdvocacyJourneyDefinition, templates: Record<string, string>): string {
  return createHash('sha256').update(canonicalJson({ definition, templates })).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function unique(values: string[]): string[] {
  return [...new Set(values)].sort();
}
