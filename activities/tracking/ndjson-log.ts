// The default tracking sink: an append-only NDJSON log at <dataDir>/tracking/events.ndjson. Each line
// carries its key; a retried append of a key already in the file is skipped, and the reader drops any
// duplicate that two processes raced in, so every record counts once.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutcomeTrackingRecord, TrackingRecord } from '../../workflows/contract/index.ts';
import { trackingKey } from './tracking-key.ts';

export function trackingLogPath(dataDir: string): string {
  return join(dataDir, 'tracking', 'events.ndjson');
}

/** Keys already in each log file, loaded once per process, then kept up to date by our own appends. */
const knownKeys = new Map<string, Promise<Set<string>>>();

async function keysOf(file: string): Promise<Set<string>> {
  let keys = knownKeys.get(file);
  if (!keys) {
    keys = readTrackingLog(file).then(({ records }) => new Set(records.map((r) => r.key!)));
    knownKeys.set(file, keys);
  }
  return keys;
}

/** Appends the record unless its key is already logged. Returns whether it wrote. */
export async function appendTracking(
  dataDir: string,
  rec: TrackingRecord | OutcomeTrackingRecord,
): Promise<{ key: string; written: boolean }> {
  const file = trackingLogPath(dataDir);
  await mkdir(join(dataDir, 'tracking'), { recursive: true });
  const key = trackingKey(rec);
  const keys = await keysOf(file);
  if (keys.has(key)) return { key, written: false };
  keys.add(key);
  try {
    await appendFile(file, `${JSON.stringify({ ...rec, key })}\n`, { flag: 'a' });
  } catch (err) {
    keys.delete(key);
    throw err;
  }
  return { key, written: true };
}

export interface TrackingLogRead {
  records: TrackingRecord[];
  /** Lines that were not JSON records (a torn last line after a crash), by line number. */
  badLines: number[];
  duplicates: number;
}

/** Reads a log file (or a data folder's log); missing file → no records. Duplicated keys count once. */
export async function readTrackingLog(fileOrDataDir: string): Promise<TrackingLogRead> {
  const file = fileOrDataDir.endsWith('.ndjson') ? fileOrDataDir : trackingLogPath(fileOrDataDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], badLines: [], duplicates: 0 };
    throw err;
  }
  return parseTrackingLines(text);
}

export function parseTrackingLines(text: string): TrackingLogRead {
  const seen = new Set<string>();
  const records: TrackingRecord[] = [];
  const badLines: number[] = [];
  let duplicates = 0;
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let rec: TrackingRecord;
    try {
      rec = JSON.parse(line);
    } catch {
      badLines.push(i + 1);
      return;
    }
    if (!rec || typeof rec !== 'object' || typeof rec.type !== 'string' || typeof rec.at !== 'string') {
      badLines.push(i + 1);
      return;
    }
    const key = trackingKey(rec);
    if (seen.has(key)) {
      duplicates++;
      return;
    }
    seen.add(key);
    records.push({ ...rec, key });
  });
  return { records, badLines, duplicates };
}
