// The facts a journey run started later must know (open escalations, cool-downs, the last NPS answer, opt-outs,
// suppressions). The API routes an event only to the journeys where it can act (api/routing.ts): a detractor, an
// escalation or a bounce reaches a journey's run only if one is open. So customer:<id>, which hears every event,
// keeps a bounded log of them, and a journey run reads it when it starts (journey/start-facts.ts) and applies each
// fact through its own plan's rules at the time it happened. Pure.
import type { JourneyEvent } from '../contract/index.ts';

/** One event as a later run needs it: what happened and when this workflow heard it (traits are kept apart). */
export interface FactEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
  /** When customer:<id> took it (workflow time, ISO): the run applies the fact as of then. */
  at: string;
}

export interface FactLog {
  /** The latest events, oldest first: at most RECENT_MAX, none older than RECENT_MS. */
  recent: FactEvent[];
  /** The latest event of each type, kept whatever its age: a bounce or an opt-out holds for good. Bounded by the
   *  event catalog (the API accepts only catalog types). */
  lastByType: Record<string, FactEvent>;
}

export const RECENT_MAX = 100;
/** Longer than any cool-down a journey is likely to declare (the shipped ones go up to 90 days). */
export const RECENT_MS = 400 * 86_400_000;
/** An event whose data is larger than this keeps only its short top-level values (conditions read fields). */
const DATA_MAX_CHARS = 4096;

export function emptyFactLog(): FactLog {
  return { recent: [], lastByType: {} };
}

function compactData(data: Record<string, unknown> | undefined): Record<string, unknown> {
  const d = data ?? {};
  if (JSON.stringify(d).length <= DATA_MAX_CHARS) return d;
  return Object.fromEntries(
    Object.entries(d).filter(([, v]) => typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length <= 200)),
  );
}

/** The log after one more event (already deduplicated by the caller). */
export function recordFact(log: FactLog, event: JourneyEvent, nowMs: number): FactLog {
  const fact: FactEvent = { id: event.id, type: event.type, data: compactData(event.data), at: new Date(nowMs).toISOString() };
  const recent = [...log.recent, fact].filter((f) => Date.parse(f.at) > nowMs - RECENT_MS).slice(-RECENT_MAX);
  return { recent, lastByType: { ...log.lastByType, [event.type]: fact } };
}

/** Every kept fact once, oldest first. */
export function factsInOrder(log: FactLog): FactEvent[] {
  const byId = new Map<string, FactEvent>();
  for (const f of [...Object.values(log.lastByType), ...log.recent]) byId.set(f.id, f);
  return [...byId.values()].sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
}
