// Generated from definitions/schema/contact-policy.schema.json by scripts/generate-types.ts. Do not edit.

/**
 * ISO 8601 duration: weeks, days, hours, minutes, seconds (e.g. P7D, PT12H).
 */
export type Duration = string;
export type Clock = string;

/**
 * The one contact policy across every journey of a customer, owned by the customer workflow customer:<id>: a frequency cap over all journeys, quiet hours in the customer's zone, and the global suppression rules (bad events that opt the customer out of, or hold, every journey's asks). The worker and the API load it once at start and pass it as the customer workflow's input.
 */
export interface ContactPolicy {
  $schema?: string;
  $comment?: string;
  /**
   * At most maxAsks asks across all journeys in any rolling window of this length.
   */
  frequencyCap: {
    maxAsks: number;
    period: Duration;
  };
  /**
   * Local times (HH:MM) in the customer's zone with no ask between start and end (may wrap past midnight); null for none.
   */
  quietHours: {
    start: Clock;
    end: Clock;
  } | null;
  /**
   * IANA zone used when the customer has no traits.timezone.
   */
  defaultTimezone: string;
  /**
   * ISO 8601 duration: weeks, days, hours, minutes, seconds (e.g. P7D, PT12H).
   */
  openIssueRecheck: string;
  suppression: {
    /**
     * ISO 8601 duration: weeks, days, hours, minutes, seconds (e.g. P7D, PT12H).
     */
    afterEscalationResolved: string;
    rules: SuppressionRule[];
  };
}
export interface SuppressionRule {
  /**
   * Event type from the catalog.
   */
  event: string;
  /**
   * JSON Logic over { event: { type, data }, traits }; the rule applies only when true.
   */
  when?: {
    [k: string]: unknown;
  };
  effect: "opt-out" | "hold";
  /**
   * ISO 8601 duration: weeks, days, hours, minutes, seconds (e.g. P7D, PT12H).
   */
  coolDown?: string;
  reason: string;
}
