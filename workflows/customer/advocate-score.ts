// The advocate score: signal-driven, decaying, with the reasons behind it. Pure (runs inside the customer
// workflow): the configuration comes from the workflow's input (definitions/advocate-score.json as the worker or API
// loaded and checked it), time from the caller.
import type { JourneyEvent } from '../contract/index.ts';
import jsonLogic from 'json-logic-js';
import type { AdvocateScoreConfig, ScoreSignalRule } from '../../definitions/generated/advocate-score.ts';

export type { AdvocateScoreConfig, ScoreSignalRule } from '../../definitions/generated/advocate-score.ts';

/** One scored signal; its weight decays from `at`. */
export interface ScoreContribution {
  ruleId: string;
  eventId: string;
  eventType: string;
  points: number;
  at: string;
  reason: string;
}

export interface ScoreState {
  contributions: ScoreContribution[];
  /** Older contributions folded into one number (decayed to `baselineAt`), so state stays small. */
  baseline: number;
  baselineAt?: string;
}

export interface AdvocateScoreView {
  score: number;
  tier: string;
  /** The current weight of each contribution, largest first: why the score is what it is. */
  reasons: { ruleId: string; reason: string; points: number; current: number; at: string }[];
}

const KEEP_CONTRIBUTIONS = 50;
const DAY_MS = 86_400_000;

export function emptyScore(): ScoreState {
  return { contributions: [], baseline: 0 };
}

function decay(points: number, fromIso: string, nowMs: number, halfLifeDays: number): number {
  const ageDays = Math.max(0, nowMs - Date.parse(fromIso)) / DAY_MS;
  return points * Math.pow(0.5, ageDays / halfLifeDays);
}

/** The rules an event matches (each rule counts once per event). */
export function matchScoreRules(config: AdvocateScoreConfig, event: JourneyEvent, traits: Record<string, unknown>): ScoreSignalRule[] {
  return config.signals.filter(
    (rule) =>
      rule.event === event.type &&
      (rule.when === undefined ||
        Boolean(jsonLogic.apply(rule.when as never, { event: { type: event.type, data: event.data ?? {} }, traits }))),
  );
}

/** Adds the event's contributions; the same event id is never scored twice. */
export function scoreEvent(
  state: ScoreState,
  config: AdvocateScoreConfig,
  event: JourneyEvent,
  traits: Record<string, unknown>,
  nowMs: number,
): ScoreState {
  if (state.contributions.some((c) => c.eventId === event.id)) return state;
  const at =
    event.occurredAt && !Number.isNaN(Date.parse(event.occurredAt)) && Date.parse(event.occurredAt) <= nowMs
      ? event.occurredAt
      : new Date(nowMs).toISOString();
  const added = matchScoreRules(config, event, traits).map((rule) => ({
    ruleId: rule.id,
    eventId: event.id,
    eventType: event.type,
    points: rule.points,
    at,
    reason: rule.reason,
  }));
  if (added.length === 0) return state;
  let contributions = [...state.contributions, ...added];
  let { baseline, baselineAt } = state;
  if (contributions.length > KEEP_CONTRIBUTIONS) {
    // Fold the oldest into the baseline at the current time; decay keeps applying to it from there.
    contributions.sort((a, b) => a.at.localeCompare(b.at));
    const folded = contributions.slice(0, contributions.length - KEEP_CONTRIBUTIONS);
    contributions = contributions.slice(-KEEP_CONTRIBUTIONS);
    const nowIso = new Date(nowMs).toISOString();
    baseline =
      (baselineAt ? decay(baseline, baselineAt, nowMs, config.halfLifeDays) : 0) +
      folded.reduce((sum, c) => sum + decay(c.points, c.at, nowMs, config.halfLifeDays), 0);
    baselineAt = nowIso;
  }
  return { contributions, baseline, baselineAt };
}

export function tierFor(config: AdvocateScoreConfig, score: number): string {
  const sorted = [...config.tiers].sort((a, b) => b.minScore - a.minScore);
  return sorted.find((t) => score >= t.minScore)?.tier ?? 'none';
}

/** The score at `nowMs`, rounded to one decimal, clamped, with its reasons. */
export function viewScore(state: ScoreState, config: AdvocateScoreConfig, nowMs: number): AdvocateScoreView {
  const reasons = state.contributions.map((c) => ({
    ruleId: c.ruleId,
    reason: c.reason,
    points: c.points,
    at: c.at,
    current: Math.round(decay(c.points, c.at, nowMs, config.halfLifeDays) * 10) / 10,
  }));
  if (state.baselineAt && state.baseline !== 0) {
    reasons.push({
      ruleId: 'earlier-signals',
      reason: 'older signals, folded',
      points: state.baseline,
      at: state.baselineAt,
      current: Math.round(decay(state.baseline, state.baselineAt, nowMs, config.halfLifeDays) * 10) / 10,
    });
  }
  const raw =
    state.contributions.reduce((sum, c) => sum + decay(c.points, c.at, nowMs, config.halfLifeDays), 0) +
    (state.baselineAt ? decay(state.baseline, state.baselineAt, nowMs, config.halfLifeDays) : 0);
  const score = Math.round(Math.min(config.max, Math.max(config.min, raw)) * 10) / 10;
  reasons.sort((a, b) => Math.abs(b.current) - Math.abs(a.current));
  return { score, tier: tierFor(config, score), reasons };
}
