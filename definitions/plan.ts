// The compiled plan: the only thing the interpreter reads. Its definition part is typed by the types
// generated from the JSON Schema; the rest is what compiling adds.
import type { AdvocacyJourneyDefinition } from './generated/journey.ts';
import type { JsonSchemaNode } from './compiler/catalog.ts';

export type { AdvocacyJourneyDefinition } from './generated/journey.ts';

export const PLAN_FORMAT = 1;

export interface CompiledPlan {
  planFormat: typeof PLAN_FORMAT;
  journeyId: string;
  version: number;
  name: string;
  /** sha256 (hex) of the canonical JSON of the definition and the local templates it uses. */
  hash: string;
  /** The definition after normalization (defaults filled in). */
  definition: AdvocacyJourneyDefinition;
  /** Local template files the definition names (path relative to definitions/ → contents), pinned with the plan. */
  templates: Record<string, string>;
  /** Event types this journey takes, by role; the API routes events with it. */
  routing: {
    listen: string[];
    suppress: string[];
    actions: string[];
    conversions: string[];
    reversals: string[];
    /** In-product prompt events (shown, clicked, dismissed), when a motion is delivered in-product: signalled to the
     *  run of the journey the event's data.journeyId names, never starting one. Absent in plans compiled before it. */
    prompts?: string[];
    /** The owner's answers to an owner task (owner_task.completed / declined); only in a journey with owner tasks.
     *  Like conversions, they only reach a run in flight: they never start one. */
    ownerTasks?: string[];
  };
  /** The catalog's data schema of every routed event type (absent in plans compiled before it): the interpreter
   *  refuses an event signalled straight to a run whose data does not match (workflows/journey/event-check.ts). */
  eventData?: Record<string, JsonSchemaNode>;
}
