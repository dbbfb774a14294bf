// Where the tracking log lives and how its files are read: every `*.ndjson` file directly in <dataDir>/tracking is
// part of the log. Each worker process appends to a file of its own (events-<host>-<pid>.ndjson), so processes on
// one host never interleave or tear each other's lines, and the owner alone repairs its file's tail. Readers (the
// report, `journey simulate`, the webhook forwarder) read all of them and count a record key once. The forwarder
// keeps its cursors and set-aside records in tracking/webhook/, outside the log's glob.
import { open, readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOG_SUFFIX = '.ndjson';

export function trackingDir(dataDir: string): string {
  return join(dataDir, 'tracking');
}

/** This process's own log file name: host and pid, so no two live processes on a host share one. */
export function ownLogFileName(pid = process.pid, host = hostname()): string {
  const safeHost = host.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60) || 'host';
  return `events-${safeHost}-${pid}${LOG_SUFFIX}`;
}

/** The log's files (names, sorted), or none when the folder does not exist yet. */
export async function listLogFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names.filter((n) => n.endsWith(LOG_SUFFIX) && !n.startsWith('.')).sort();
}

const CHUNK = 1 << 20;

export interface LinesRead {
  /** The offset just after the last complete line (ending in \n) read. */
  end: number;
  /** Bytes after `end`: a line still being written, or a torn one left by a crash. */
  tail: number;
  /** The file is gone. */
  missing: boolean;
}

/**
 * Calls `onLine` for every complete line from `from` on (a line a writer has not finished waits for a later call),
 * reading in 1 MiB chunks so a log of any size is read without one giant string. `skipFirst`: `from` may be in the
 * middle of a line (a writer catching up on the tail of a large file), so the first partial line is dropped.
 * `maxBytes`: stop after about that many bytes of complete lines (the caller goes on from `end`).
 */
export async function readCompleteLines(
  file: string,
  from: number,
  onLine: (text: string, lineEnd: number) => void,
  opts: { skipFirst?: boolean; maxBytes?: number } = {},
): Promise<LinesRead> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { end: from, tail: 0, missing: true };
    throw err;
  }
  try {
    let position = from;
    let end = from;
    let carry: Buffer = Buffer.alloc(0);
    let skip = opts.skipFirst === true;
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      if (opts.maxBytes !== undefined && end - from >= opts.maxBytes) break;
      const { bytesRead } = await handle.read(buf, 0, CHUNK, position);
      if (bytesRead === 0) break;
      const chunk = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      const chunkStart = position - carry.length;
      position += bytesRead;
      let start = 0;
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, start)) {
        const text = chunk.subarray(start, i).toString('utf8');
        start = i + 1;
        end = chunkStart + start;
        if (skip) {
          skip = false;
          continue;
        }
        onLine(text, end);
      }
      carry = Buffer.from(chunk.subarray(start));
    }
    return { end, tail: Math.max(0, position - end), missing: false };
  } finally {
    await handle.close();
  }
}
