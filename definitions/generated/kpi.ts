// Generated from definitions/schema/kpi.schema.json by scripts/generate-types.ts. Do not edit.

/**
 * One KPI of the advocacy report: a SQL aggregate over the `tracking` view (docs/kpis.md), computed per group of the report's dimensions. One file per KPI under definitions/kpis/, named <id>.json.
 */
export interface KpiDefinition {
  $schema?: string;
  $comment?: string;
  /**
   * Stable id, also the file name (<id>.json).
   */
  id: string;
  name: string;
  /**
   * What it measures and how, in the marketer's words.
   */
  description: string;
  /**
   * Where the report lists it.
   */
  section?: "funnel" | "advocates" | "referrals" | "revenue" | "retention" | "cost";
  /**
   * ratio: 0..1, shown as a percentage; currency: the reward and deal currency (one assumed); multiple: x times.
   */
  unit: "ratio" | "count" | "days" | "currency" | "multiple" | "number";
  /**
   * A SQL aggregate expression over the columns of the `tracking` view, e.g. count(DISTINCT advocate_id) FILTER (WHERE type = 'ask.sent'). No FROM, no GROUP BY: the report adds them per dimension. NULL when a denominator is 0 (use nullif).
   */
  formula: string;
  /**
   * The tracking record types the KPI means nothing without. Until each has appeared (an inner list: any one of them), the report says `waiting for <type>` instead of a number.
   *
   * @minItems 1
   */
  needs: [string | [string, string, ...string[]], ...(string | [string, string, ...string[]])[]];
  /**
   * Where the KPI comes from: the metrics catalogue (shared/seeds 002) or the playbook (shared/DOMAIN.md).
   */
  seed: {
    file: "002" | "DOMAIN";
    metric: string;
  };
}
