// The event catalog and the customer schemas the compiler checks definitions against. Loaded from
// definitions/catalog/ by the loader (I/O) and handed to the pure compiler.
import type { KpiFormula } from '../experiments/metric.ts';

export interface JsonSchemaNode {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  enum?: unknown[];
  required?: string[];
  description?: string;
  [key: string]: unknown;
}

export interface CatalogEvent {
  description: string;
  /** JSON Schema of the event's data. */
  data: JsonSchemaNode;
  /** The API also writes the event to the tracking log as it accepts it (a fact no journey stage writes). */
  tracked?: boolean;
}

export interface Catalog {
  events: Record<string, CatalogEvent>;
  traits: JsonSchemaNode;
  history: JsonSchemaNode;
  /** The declared KPIs (definitions/kpis/), which an experiment's primary metric names; absent: not checked. */
  kpis?: KpiFormula[];
}
