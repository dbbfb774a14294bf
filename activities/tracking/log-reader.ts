// Reading the whole tracking log: every file of the folder (one per worker process, log-files.ts), line by line,
// each record key counted once however many files or retries hold it. Lines that are not records (a torn last line
// of a process that crashed, a line another process is still writing) are reported by file and line, not fatal.
import { basename, join } from 'node:path';
import type { TrackingRecord } from '../../workflows/contract/index.ts';
import { LOG_SUFFIX, listLogFiles, readCompleteLines, trackingDir } from './log-files.ts';
import { trackingKey } from './tracking-key.ts';

export interface TrackingLogRead {
  /** Every record once by key, ordered by `at` (the fact's time), then by file and line. */
  records: TrackingRecord[];
  /** Lines that were not JSON records, as `<file>:<line>` (a torn last line counts as one). */
  badLines: string[];
  /** Lines whose key an earlier line (in any file) already had. */
  duplicates: number;
  /** The files read, by name. */
  files: string[];
}

function asRecord(line: string): TrackingRecord | undefined {
  let rec: TrackingRecord;
  try {
    rec = JSON.parse(line) as TrackingRecord;
  } catch {
    return undefined;
  }
  return rec && typeof rec === 'object' && typeof rec.type === 'string' && typeof rec.at === 'string' ? rec : undefined;
}

class Collector {
  readonly seen = new Set<string>();
  readonly records: TrackingRecord[] = [];
  readonly badLines: string[] = [];
  duplicates = 0;

  take(line: string, where: () => string): void {
    if (!line.trim()) return;
    const rec = asRecord(line);
    if (!rec) {
      this.badLines.push(where());
      return;
    }
    const key = trackingKey(rec);
    if (this.seen.has(key)) {
      this.duplicates++;
      return;
    }
    this.seen.add(key);
    this.records.push({ ...rec, key });
  }

  result(files: string[]): TrackingLogRead {
    // A stable sort: records of one fact time keep their order of writing.
    const records = this.records.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return { records, badLines: this.badLines, duplicates: this.duplicates, files };
  }
}

/** Reads the log of a data folder (every *.ndjson file in <dataDir>/tracking), or one log file given by path. */
export async function readTrackingLog(fileOrDataDir: string): Promise<TrackingLogRead> {
  const single = fileOrDataDir.endsWith(LOG_SUFFIX);
  const dir = single ? undefined : trackingDir(fileOrDataDir);
  const files = single ? [fileOrDataDir] : (await listLogFiles(dir!)).map((name) => join(dir!, name));
  const all = new Collector();
  for (const file of files) {
    const name = basename(file);
    let line = 0;
    const read = await readCompleteLines(file, 0, (text) => {
      line++;
      all.take(text, () => `${name}:${line}`);
    });
    if (read.tail > 0) all.badLines.push(`${name}:${line + 1}`);
  }
  return all.result(files.map((f) => basename(f)));
}

/** Parses the text of one log file (tests and tools); duplicated keys count once. */
export function parseTrackingLines(text: string, name = 'log'): TrackingLogRead {
  const all = new Collector();
  text.split('\n').forEach((line, i) => all.take(line, () => `${name}:${i + 1}`));
  return all.result([name]);
}
