// Whether an event can open a cycle in a journey, decided in the API before any Temporal call: one of the journey's
// Listen signals names the event's type and its condition holds. A condition that reads only the event
// (`event.score >= 9`) is evaluated here; one that also reads traits or history can only be judged by the run, so
// the event may open a cycle and starts the run. Pure.
import jsonLogic from 'json-logic-js';
import type { CompiledPlan } from '../definitions/plan.ts';
import type { JourneyEvent } from '../workflows/contract/index.ts';

export type CycleOpening = { opens: true; signal: string; judgedBy: 'event' | 'run' } | { opens: false; reason: string };

/** Every `var` name a json-logic condition reads. */
export function varsOf(logic: unknown, out: string[] = []): string[] {
  if (Array.isArray(logic)) {
    for (const item of logic) varsOf(item, out);
  } else if (logic && typeof logic === 'object') {
    for (const [op, arg] of Object.entries(logic)) {
      if (op === 'var') {
        const name = Array.isArray(arg) ? arg[0] : arg;
        out.push(typeof name === 'string' ? name : String(name ?? ''));
        if (Array.isArray(arg)) varsOf(arg.slice(1), out);
      } else varsOf(arg, out);
    }
  }
  return out;
}

/** Whether a condition reads the event and nothing else (an absent condition reads nothing). */
export function readsOnlyTheEvent(condition: unknown): boolean {
  return varsOf(condition).every((name) => name === 'event' || name.startsWith('event.'));
}

function holdsOnEvent(condition: unknown, event: JourneyEvent): boolean | undefined {
  if (condition === undefined || condition === true) return true;
  if (condition === false) return false;
  try {
    return Boolean(jsonLogic.apply(condition as jsonLogic.RulesLogic, { event: event.data ?? {} }));
  } catch {
    return undefined; // the run reports a condition json-logic cannot run (it fails the run for good, with the pointer)
  }
}

export function cycleOpening(plan: CompiledPlan, event: JourneyEvent): CycleOpening {
  const signals = plan.definition.listen.signals.filter((s) => s.event === event.type);
  if (signals.length === 0) return { opens: false, reason: `${event.type} is not one of its Listen signals` };
  for (const s of signals) {
    if (!readsOnlyTheEvent(s.when)) return { opens: true, signal: s.id, judgedBy: 'run' };
    const holds = holdsOnEvent(s.when, event);
    if (holds === undefined) return { opens: true, signal: s.id, judgedBy: 'run' };
    if (holds) return { opens: true, signal: s.id, judgedBy: 'event' };
  }
  const needs = signals.map((s) => `"${s.id}" needs ${JSON.stringify(s.when)}`).join('; ');
  return { opens: false, reason: `its Listen signal does not hold for this ${event.type} (${needs})` };
}
