// Generated from definitions/schema/advocate-score.schema.json by scripts/generate-types.ts. Do not edit.

/**
 * The advocate score kept by each customer's workflow (customer:<id>): each signal that matches an event adds its points, points decay with the half-life, the score is clamped to [min, max], and tiers group advocates by score. The worker and the API load it once at start and pass it as the customer workflow's input, so a run keeps the weights it started with.
 */
export interface AdvocateScoreConfig {
  /**
   * Where an editor finds this schema, for completion and checking while the file is edited.
   */
  $schema?: string;
  /**
   * Free text for the people who keep this file; ignored by the engine.
   */
  $comment?: string;
  /**
   * After this many days a signal counts half as much; old delight fades.
   */
  halfLifeDays: number;
  /**
   * The score never goes below this.
   */
  min: number;
  /**
   * The score never goes above this.
   */
  max: number;
  /**
   * What moves the score: each rule that matches an event adds its points (once per event).
   */
  signals: ScoreSignalRule[];
  /**
   * Advocate tiers by score: a customer is in the highest tier whose minScore the score reaches.
   *
   * @minItems 1
   */
  tiers: [ScoreTier, ...ScoreTier[]];
}
/**
 * One scoring rule.
 */
export interface ScoreSignalRule {
  /**
   * Names the rule in the score's reasons; unique in the file.
   */
  id: string;
  /**
   * The event type (definitions/catalog/events.json) this rule scores.
   */
  event: string;
  when?: Condition;
  /**
   * Added to the score when the rule matches (negative for bad signals), before decay.
   */
  points: number;
  /**
   * Why these points, in words an operator reads next to the score.
   */
  reason: string;
}
/**
 * JSON Logic over { event: { type, data }, traits }; the rule scores only events for which it holds. Absent: every event of the type.
 */
export interface Condition {}
/**
 * One tier.
 */
export interface ScoreTier {
  /**
   * The tier's name, as Qualify rules see it in history.advocateTier and the AdvocateTier search attribute.
   */
  tier: string;
  /**
   * A score at or above this (and below the next tier up) is in this tier.
   */
  minScore: number;
}
