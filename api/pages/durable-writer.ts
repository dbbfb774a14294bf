// Writes small files durably off the event loop, for the referral submission queue (submission-queue.ts). A file is
// written under a temporary name, fsynced, renamed into place, and its folder fsynced (so the new name survives a power
// cut too); only then does write() resolve. All of it runs in one worker thread with synchronous calls: one message
// there and one back per batch, where node's own asynchronous fs would cost the event loop a turn for each of the
// seven calls (bench/pages.ts: under load the turns, not the disk, made a write take 40-117 ms). Writes that arrive
// while the thread is busy go together: each file fsynced, the folder fsynced once for all of them (group commit).
// Removing a file goes through the thread too (an unlink waits on the file system's journal like a sync: 1-17 ms on
// the API's event loop in bench/pages.ts), and after each batch the thread counts the folder's files for the gauge.
import { Worker } from 'node:worker_threads';

type Job = { seq: number; op: 'write'; tmp: string; file: string; data: string } | { seq: number; op: 'remove'; file: string };

interface Done {
  seq: number;
  error?: string;
}

// Plain JavaScript, evaluated in the thread: no loader needed whatever runs the API (node, tsx, a bundle).
const THREAD = `
const { parentPort, receiveMessageOnPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
parentPort.on('message', (first) => {
  const batch = [first];
  for (let next; (next = receiveMessageOnPort(parentPort)); ) batch.push(next.message);
  const done = [];
  const written = [];
  for (const job of batch) {
    if (job.op === 'remove') {
      try { fs.rmSync(job.file, { force: true }); done.push({ seq: job.seq }); }
      catch (err) { done.push({ seq: job.seq, error: String(err && err.message || err) }); }
      continue;
    }
    try {
      const fd = fs.openSync(job.tmp, 'w');
      try {
        fs.writeSync(fd, job.data);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(job.tmp, job.file);
      written.push(job);
    } catch (err) {
      done.push({ seq: job.seq, error: String(err && err.message || err) });
    }
  }
  if (written.length > 0) {
    let error;
    try {
      const dir = fs.openSync(workerData.dir, 'r');
      try { fs.fsyncSync(dir); } finally { fs.closeSync(dir); }
    } catch (err) {
      error = 'the folder was not synced: ' + String(err && err.message || err);
    }
    for (const job of written) done.push(error ? { seq: job.seq, error } : { seq: job.seq });
  }
  let count;
  try { count = fs.readdirSync(workerData.dir).filter((n) => n.endsWith(workerData.suffix)).length; } catch {}
  parentPort.postMessage({ done, count });
});
`;

export class DurableWriter {
  private readonly thread: Worker;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private seq = 0;
  private stopped: Error | undefined;

  /**
   * `dir`: the folder every file is written in (the one fsynced after the renames); `onCount`: told, after each batch,
   * how many files ending in `suffix` the folder holds.
   */
  constructor(dir: string, opts: { suffix?: string; onCount?: (count: number) => void } = {}) {
    this.thread = new Worker(THREAD, { eval: true, workerData: { dir, suffix: opts.suffix ?? '' } });
    this.thread.unref(); // a writer with nothing to write keeps no process alive
    this.thread.on('message', ({ done, count }: { done: Done[]; count?: number }) => {
      if (count !== undefined) opts.onCount?.(count);
      for (const d of done) {
        const w = this.waiting.get(d.seq);
        this.waiting.delete(d.seq);
        if (d.error === undefined) w?.resolve();
        else w?.reject(new Error(d.error));
      }
      if (this.waiting.size === 0) this.thread.unref();
    });
    this.thread.on('error', (err) => this.failAll(err));
    this.thread.on('exit', (code) => {
      // Nothing more is written: every write after this is refused at once rather than left waiting for ever.
      this.stopped = new Error(`the durable writer thread stopped (exit ${code})`);
      this.failAll(this.stopped);
    });
  }

  /** Resolves once `data` is in `file` (inside the writer's folder) and the name is on disk; rejects with the reason. */
  write(tmp: string, file: string, data: string): Promise<void> {
    return this.ask({ seq: ++this.seq, op: 'write', tmp, file, data });
  }

  /** Removes `file` (gone already is fine): not synced, so a power cut may bring it back. */
  remove(file: string): Promise<void> {
    return this.ask({ seq: ++this.seq, op: 'remove', file });
  }

  private ask(job: Job): Promise<void> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(job.seq, { resolve, reject });
      this.thread.ref(); // an answer is owed: the process waits for it
      this.thread.postMessage(job);
    });
  }

  /** Stops the thread once the writes already given to it are done (waiting at most 10 s for them). */
  async close(): Promise<void> {
    for (const until = Date.now() + 10_000; this.waiting.size > 0 && Date.now() < until;) await new Promise((r) => setTimeout(r, 5));
    await this.thread.terminate();
  }

  private failAll(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
