// Where the demo is, kept in <data>/demo/progress.json so a second `npm start` resumes instead of restarting:
// the demo clock (seconds of demo time already played) and, per customer, how many steps were sent.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface DemoProgress {
  /** Seconds of demo time played before this start. */
  elapsedSeconds: number;
  /** customer id → number of steps already sent (or refused: a refused event is reported, not retried). */
  sent: Record<string, number>;
  /** Events the API refused, with its answer: errors are data, kept for the operator to read. */
  refused: Array<{ eventId: string; status: number; answer: string }>;
}

export function readProgress(file: string): DemoProgress {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoProgress>;
    return { elapsedSeconds: saved.elapsedSeconds ?? 0, sent: saved.sent ?? {}, refused: saved.refused ?? [] };
  } catch {
    return { elapsedSeconds: 0, sent: {}, refused: [] };
  }
}

export function writeProgress(file: string, progress: DemoProgress): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(progress, null, 2));
  renameSync(`${file}.tmp`, file);
}
