// Generated from definitions/schema/contact-policy.schema.json by scripts/generate-types.ts. Do not edit.

/**
 * The one contact policy across every journey of a customer, owned by the customer workflow customer:<id>: a frequency cap over all journeys, quiet hours in the customer's zone, and the global suppression rules (bad events that opt the customer out of, or hold, every journey's asks). The worker and the API load it once at start and pass it as the customer workflow's input.
 */
export interface ContactPolicy {
  /**
   * Where an editor finds this schema, for completion and checking while the file is edited.
   */
  $schema?: string;
  /**
   * Free text for the people who keep this file; ignored by the engine.
   */
  $comment?: string;
  frequencyCap: FrequencyCap;
  /**
   * Local times (HH:MM) in the customer's zone with no ask between start and end (may wrap past midnight); null for none.
   */
  quietHours: {
    /**
     * Local time (HH:MM, 24-hour) in the customer's zone from which no ask is sent.
     */
    start: string;
    /**
     * Local time (HH:MM, 24-hour) in the customer's zone at which asks may go out again; earlier than start means the quiet hours run past midnight.
     */
    end: string;
  } | null;
  /**
   * IANA zone used when the customer has no traits.timezone.
   */
  defaultTimezone: string;
  /**
   * While an escalation is open (no known end), how long a refused ask waits before asking again.
   */
  openIssueRecheck: string;
  suppression: GlobalSuppression;
}
/**
 * At most maxAsks asks across all journeys in any rolling window of this length.
 */
export interface FrequencyCap {
  /**
   * How many asks (invites and reminders of every journey together) one customer may get inside one period.
   */
  maxAsks: number;
  /**
   * The rolling window the cap counts over, as an ISO 8601 duration (weeks, days, hours).
   */
  period: string;
}
/**
 * Bad-experience rules that hold or end asks in every journey of the customer, and the cool-down after an escalation is resolved.
 */
export interface GlobalSuppression {
  /**
   * Cool-down after an escalation.resolved (escalation.opened holds every journey while open).
   */
  afterEscalationResolved: string;
  /**
   * Checked in order for every event the customer workflow receives; each matching rule applies.
   */
  rules: SuppressionRule[];
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
  /**
   * opt-out ends every ask for good; hold stops asks in every journey for the cool-down.
   */
  effect: "opt-out" | "hold";
  /**
   * How long a hold lasts (required for effect hold).
   */
  coolDown?: string;
  /**
   * Said to operators wherever the hold or opt-out shows (state, Temporal UI, API).
   */
  reason: string;
}
