// The default tracking sink: an append-only NDJSON log in <dataDir>/tracking (log-files.ts), one file per worker
// process. A batch is appended in one write and synced before the activity answers, so a record the journey was
// told is written survives a crash. Faults it survives:
// - a torn last line (a crash or a full disk mid-write) is cut off before this process appends again, so the next
//   record never glues onto it; the torn record was never acknowledged, so its journey writes it again;
// - a read error fails this call only: nothing is cached, the next call reads again (a transient EMFILE or EACCES
//   never stops tracking for the process);
// - a retried batch (a worker killed after writing, before the journey heard) skips the keys already in any file of
//   the folder, its own or another process's.
// The keys it remembers are bounded (the most recent ones, kept as fingerprints: recent-keys.ts; and only the last
// TAIL_BYTES of each file read at start): a retry of a record older than that would be logged twice, and every
// reader counts a key once.
// Appends that arrive while one is being written go out together after it (a group commit: one write, one sync),
// so concurrent writers (the API's ingest, many runs' tracking activities) share a sync instead of queueing for one
// each; every caller still hears only once its own records are on disk.
import { mkdir, open, stat, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutcomeTrackingRecord, TrackingRecord } from '../../workflows/contract/index.ts';
import { listLogFiles, ownLogFileName, readCompleteLines, trackingDir } from './log-files.ts';
import { trackingKey } from './tracking-key.ts';
import { RecentKeys } from './recent-keys.ts';

const TAIL_BYTES = 16 << 20;
const MAX_KNOWN_KEYS = 200_000;
/** At most this many waiting appends go out in one group commit (the rest in the next). */
const MAX_GROUP = 256;

export interface TrackingLogOptions {
  /** This process's file name in the folder (default: events-<host>-<pid>.ndjson). */
  fileName?: string;
  /** The append itself; tests inject faults here (a write torn by a crash, a full disk). */
  write?: (handle: FileHandle, bytes: Buffer) => Promise<void>;
}

export interface AppendResult {
  written: number;
  skipped: number;
  /** Bytes of a torn last line cut off before this append. */
  repairedBytes: number;
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  for (let off = 0; off < bytes.length;) {
    const { bytesWritten } = await handle.write(bytes, off, bytes.length - off);
    off += bytesWritten;
  }
}

/** The byte offset just after the last \n of the file (0 when it has none). */
async function endOfLastLine(handle: FileHandle, size: number): Promise<number> {
  const buf = Buffer.alloc(64 << 10);
  for (let end = size; end > 0;) {
    const start = Math.max(0, end - buf.length);
    const { bytesRead } = await handle.read(buf, 0, end - start, start);
    const i = buf.subarray(0, bytesRead).lastIndexOf(10);
    if (i >= 0) return start + i + 1;
    end = start;
  }
  return 0;
}

export class TrackingLogWriter {
  readonly dir: string;
  readonly file: string;
  private readonly fileName: string;
  private readonly known = new RecentKeys(MAX_KNOWN_KEYS);
  /** Per file of the folder: the offset up to which its keys are known. */
  private readonly scanned = new Map<string, number>();
  /** Bytes of complete lines in our own file; undefined: unknown, check (and repair) the tail before appending. */
  private ownEnd?: number;
  /** Appends waiting for the one being written; the next group commit takes them together. */
  private waiting: { records: Array<TrackingRecord | OutcomeTrackingRecord>; done: (r: AppendResult | Error) => void }[] = [];
  private writing = false;
  /** Group commits so far (one write and one sync each): tests read it. */
  groupCommits = 0;

  constructor(
    dataDir: string,
    private readonly opts: TrackingLogOptions = {},
  ) {
    this.dir = trackingDir(dataDir);
    this.fileName = opts.fileName ?? ownLogFileName();
    this.file = join(this.dir, this.fileName);
  }

  /**
   * Appends the records whose keys are not logged yet, in order, and answers once they are synced. Appends of one
   * process take turns: those that arrive while a write is under way go out together in the next one (one write,
   * one sync), in the order they came; each answer counts only its own records. A failed write fails every append
   * of its group (nothing of theirs is acknowledged), and the next append repairs the tail first.
   */
  append(records: Array<TrackingRecord | OutcomeTrackingRecord>): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      this.waiting.push({ records, done: (r) => (r instanceof Error ? reject(r) : resolve(r)) });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, MAX_GROUP);
        let results: AppendResult[] | Error;
        try {
          results = await this.appendNow(group.map((g) => g.records));
        } catch (err) {
          results = err instanceof Error ? err : new Error(String(err));
        }
        group.forEach((g, i) => g.done(results instanceof Error ? results : results[i]));
      }
    } finally {
      this.writing = false;
    }
  }

  /** One group commit: the records of every append in `groups`, in order, in one write and one sync. */
  private async appendNow(groups: Array<Array<TrackingRecord | OutcomeTrackingRecord>>): Promise<AppendResult[]> {
    await mkdir(this.dir, { recursive: true });
    const repairedBytes = this.ownEnd === undefined ? await this.repairTail() : 0;
    await this.learnKeys();
    const keys = new Set<string>();
    const lines: string[] = [];
    const loggedAt = new Date().toISOString();
    const results = groups.map((records, i) => {
      let written = 0;
      for (const rec of records) {
        const key = trackingKey(rec);
        if (this.known.has(key) || keys.has(key)) continue;
        keys.add(key);
        lines.push(JSON.stringify({ ...rec, key, loggedAt }));
        written++;
      }
      // A torn line cut off before this write is told to the group's first append.
      return { written, skipped: records.length - written, repairedBytes: i === 0 ? repairedBytes : 0 };
    });
    if (lines.length > 0) {
      this.groupCommits++;
      const bytes = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
      const handle = await open(this.file, 'a');
      try {
        await (this.opts.write ?? writeAll)(handle, bytes);
        await handle.datasync();
      } catch (err) {
        this.ownEnd = undefined; // part of it may be on disk: cut it off before the next append
        throw err;
      } finally {
        await handle.close();
      }
      this.ownEnd! += bytes.length;
      this.scanned.set(this.fileName, this.ownEnd!);
      for (const key of keys) this.known.add(key);
    }
    return results;
  }

  /** Cuts a torn last line off our own file (only its owner appends to it, so nobody is mid-write). */
  private async repairTail(): Promise<number> {
    const size = await sizeOf(this.file);
    if (size === undefined) {
      this.ownEnd = 0;
      return 0;
    }
    const handle = await open(this.file, 'r');
    let cut: number;
    try {
      cut = await endOfLastLine(handle, size);
    } finally {
      await handle.close();
    }
    if (cut < size) await truncate(this.file, cut);
    this.ownEnd = cut;
    const seen = this.scanned.get(this.fileName);
    if (seen !== undefined && seen > cut) this.scanned.set(this.fileName, cut);
    return size - cut;
  }

  /** Reads the lines every file of the folder gained since the last call and remembers their keys. */
  private async learnKeys(): Promise<void> {
    for (const name of await listLogFiles(this.dir)) {
      const file = join(this.dir, name);
      let from = this.scanned.get(name);
      let skipFirst = false;
      if (from === undefined) {
        const size = await sizeOf(file);
        if (size === undefined) continue; // removed since the listing
        from = Math.max(0, size - TAIL_BYTES);
        skipFirst = from > 0;
      }
      const read = await readCompleteLines(
        file,
        from,
        (text) => {
          const key = keyOfLine(text);
          if (key) this.known.add(key);
        },
        { skipFirst },
      );
      if (!read.missing) this.scanned.set(name, read.end);
    }
  }
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function keyOfLine(text: string): string | undefined {
  if (!text.trim()) return undefined;
  try {
    const rec = JSON.parse(text) as TrackingRecord;
    return rec && typeof rec === 'object' && typeof rec.type === 'string' ? trackingKey(rec) : undefined;
  } catch {
    return undefined; // a torn line: its record was never acknowledged and will be written again
  }
}

/** One writer per tracking folder in this process, so the process's appends take turns and share one key memory. */
const writers = new Map<string, TrackingLogWriter>();

export function trackingLogWriter(dataDir: string): TrackingLogWriter {
  const dir = trackingDir(dataDir);
  let writer = writers.get(dir);
  if (!writer) {
    writer = new TrackingLogWriter(dataDir);
    writers.set(dir, writer);
  }
  return writer;
}

/** Appends one record unless its key is already logged (the API's records of tracked catalog events, tests). */
export async function appendTracking(
  dataDir: string,
  rec: TrackingRecord | OutcomeTrackingRecord,
): Promise<{ key: string; written: boolean }> {
  const { written } = await trackingLogWriter(dataDir).append([rec]);
  return { key: trackingKey(rec), written: written === 1 };
}

export { readTrackingLog, parseTrackingLines, type TrackingLogRead } from './log-reader.ts';
