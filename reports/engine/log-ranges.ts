// Which bytes of each tracking log the KPI store has not read yet: from its cursor to the end of the last complete
// line. A line a writer has not finished (or a torn one a crashed process left) waits; its owner cuts a torn tail
// before appending again (activities/tracking/ndjson-log.ts), which never moves a complete line, so a cursor at
// the end of a complete line stays valid for as long as the file only grows.
import { createReadStream, createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

export interface LogIdentity {
  /** Device and inode: a file replaced under the same name is another log. */
  id: string;
  size: number;
}

/** The file's identity and size; undefined when it is gone. */
export async function logIdentity(file: string): Promise<LogIdentity | undefined> {
  try {
    const s = await stat(file, { bigint: true });
    return { id: `${s.dev}:${s.ino}`, size: Number(s.size) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

const BACK_CHUNK = 1 << 16;

/** The offset just after the last '\n' in [from, size), or `from` when the bytes there hold no complete line. */
export async function endOfCompleteLines(file: string, from: number, size: number): Promise<number> {
  if (size <= from) return from;
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(BACK_CHUNK);
    for (let hi = size; hi > from;) {
      const lo = Math.max(from, hi - BACK_CHUNK);
      const { bytesRead } = await handle.read(buf, 0, hi - lo, lo);
      const at = buf.subarray(0, bytesRead).lastIndexOf(10);
      if (at >= 0) return lo + at + 1;
      hi = lo;
    }
    return from;
  } finally {
    await handle.close();
  }
}

/** Copies [start, end) of a log to `target` (the new lines of a log the store has partly read). */
export async function copyRange(file: string, start: number, end: number, target: string): Promise<void> {
  await pipeline(createReadStream(file, { start, end: end - 1 }), createWriteStream(target));
}
