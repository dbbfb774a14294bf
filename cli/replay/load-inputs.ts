// What backtest and diff read before replaying, with a clear line (and a non-zero exit) for each bad input: the
// journey files (compiler diagnostics), the events file (line numbers), the contact policy the worker would load.
import { existsSync } from 'node:fs';
import { customerDefaultsFromEnv, type CustomerDefaults } from '../../definitions/customer-defaults.ts';
import { loadJourneyFile } from '../../definitions/loader.ts';
import type { CompiledPlan } from '../../definitions/plan.ts';
import { formatDiagnostic } from '../format.ts';
import { EventsFileError, readEventsFile, type EventsSelection, type RecordedHistory } from './events-file.ts';

/** Thrown with the lines to print; the command prints them on stderr and exits 1. */
export class InputError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

export async function loadPlan(file: string): Promise<CompiledPlan> {
  if (!existsSync(file)) throw new InputError([`${file}: no such journey file`]);
  const { plan, diagnostics } = await loadJourneyFile(file);
  if (!plan) throw new InputError(diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic));
  return plan;
}

export function loadHistory(file: string, selection: EventsSelection): RecordedHistory {
  try {
    return readEventsFile(file, selection);
  } catch (err) {
    if (err instanceof EventsFileError) throw new InputError(err.problems);
    throw err;
  }
}

export function loadCustomerDefaults(): CustomerDefaults {
  try {
    return customerDefaultsFromEnv();
  } catch (err) {
    throw new InputError([(err as Error).message]);
  }
}

export function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InputError([`--${name} must be a whole number of at least 1, got "${value}"`]);
  return n;
}

/** Runs a command body; an InputError becomes its lines on stderr and exit code 1. */
export async function withInputErrors(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    for (const line of err.lines) process.stderr.write(`${line}\n`);
    process.exitCode = 1;
  }
}
