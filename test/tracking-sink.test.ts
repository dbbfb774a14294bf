// The NDJSON tracking sink: one file per writing process in <data>/tracking, a retried record logged once, a torn
// last line cut off before the next append (never glued to the next record), a read error that heals on the next
// call, and readers that count every file's records once by key.
import { describe, expect, it } from 'vitest';
import { appendFile, mkdir, mkdtemp, readFile, readdir, rmdir, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../activities/index.ts';
import { createTrackingActivities } from '../activities/tracking/tracking-activities.ts';
import { readTrackingLog, TrackingLogWriter } from '../activities/tracking/ndjson-log.ts';
import { ownLogFileName, trackingDir } from '../activities/tracking/log-files.ts';
import type { TrackingRecord } from '../workflows/contract/index.ts';

const rec = (over: Partial<TrackingRecord> = {}): TrackingRecord => ({
  at: '2026-03-10T10:00:00.000Z',
  journeyId: 'nps-referral',
  journeyVersion: 2,
  customerId: 'c1',
  stage: 'invite',
  motion: 'referral',
  type: 'ask.sent',
  ...over,
});

const lines = async (file: string) => (await readFile(file, 'utf8')).split('\n');

/** A writer whose first write waits until `releaseFirst()` (so appends pile up behind it); `then` does every write
 *  after the first, given its number (2, 3, ...). `writes` counts the writes. */
function writerWithFirstWriteHeld(
  dataDir: string,
  fileName: string,
  then: (n: number, handle: FileHandle, bytes: Buffer) => Promise<unknown>,
) {
  let releaseFirst!: () => void;
  const firstHeld = new Promise<void>((r) => (releaseFirst = r));
  const held = {
    writes: 0,
    releaseFirst: () => releaseFirst(),
    writer: new TrackingLogWriter(dataDir, {
      fileName,
      async write(handle, bytes) {
        const n = ++held.writes;
        if (n === 1) {
          await firstHeld;
          await handle.write(bytes);
        } else await then(n, handle, bytes);
      },
    }),
  };
  return held;
}

describe('the tracking log: one file per process, each key once', () => {
  it('skips a retried record (same key, or same content without a key) and keeps distinct ones, in this process’s own file', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tracking-'));
    const { recordTracking } = createActivities({ dataDir, rewardWebhook: null, tracking: { dataDir } });
    const env = new MockActivityEnvironment();
    type Written = { written: boolean };
    const first = await env.run(recordTracking, rec({ key: 'journey:x:c1:invite:1' }));
    const retry = await env.run(recordTracking, rec({ key: 'journey:x:c1:invite:1' }));
    const unkeyed = await env.run(recordTracking, rec({ type: 'delight' }));
    const unkeyedRetry = await env.run(recordTracking, rec({ type: 'delight' }));
    await env.run(recordTracking, rec({ type: 'delight', at: '2026-03-11T10:00:00.000Z' }));
    expect([first, retry, unkeyed, unkeyedRetry].map((r) => (r as Written).written)).toEqual([true, false, true, false]);
    expect(await readdir(trackingDir(dataDir))).toEqual([ownLogFileName()]);
    const written = (await lines(join(trackingDir(dataDir), ownLogFileName()))).filter(Boolean);
    expect(written).toHaveLength(3);
    const line = JSON.parse(written[0]);
    expect(line).toMatchObject({ key: 'journey:x:c1:invite:1', journeyId: 'nps-referral', journeyVersion: 2, stage: 'invite' });
    expect(Date.parse(line.loggedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('a batch retried after another process logged part of it writes only the rest; the reader counts every file once by key', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tracking-'));
    await mkdir(trackingDir(dataDir), { recursive: true });
    // A process that died after logging k1 (its file stays), and the legacy single log with k0.
    await writeFile(join(trackingDir(dataDir), 'events-host-1.ndjson'), `${JSON.stringify(rec({ key: 'k1' }))}\n`);
    await writeFile(join(trackingDir(dataDir), 'events.ndjson'), `${JSON.stringify(rec({ key: 'k0', at: '2026-03-09T10:00:00.000Z' }))}\n`);
    const { recordTrackingBatch } = createTrackingActivities({ dataDir, fileName: 'events-host-2.ndjson' });
    const result = await new MockActivityEnvironment().run(recordTrackingBatch, [
      rec({ key: 'k0' }),
      rec({ key: 'k1' }),
      rec({ key: 'k2' }),
    ]);
    expect(result).toEqual({ written: 1, skipped: 2 });
    const read = await readTrackingLog(dataDir);
    expect(read.records.map((r) => r.key)).toEqual(['k0', 'k1', 'k2']);
    expect(read.files).toEqual(['events-host-1.ndjson', 'events-host-2.ndjson', 'events.ndjson']);
    expect(read.duplicates).toBe(0);
  });

  it('a torn last line (a crash mid-write) is cut off before the next append: the next record stands alone and is counted', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tracking-'));
    const fileName = 'events-host-7.ndjson';
    const file = join(trackingDir(dataDir), fileName);
    await mkdir(trackingDir(dataDir), { recursive: true });
    // The previous owner of this file (same host and pid) wrote k1, then died in the middle of k2's line.
    const torn = JSON.stringify(rec({ key: 'k2' })).slice(0, 40);
    await writeFile(file, `${JSON.stringify(rec({ key: 'k1' }))}\n${torn}`);
    expect((await readTrackingLog(dataDir)).badLines).toEqual([`${fileName}:2`]);

    const { recordTrackingBatch } = createTrackingActivities({ dataDir, fileName });
    // The journey was never told k2 was written, so it writes it again, with k3.
    expect(await new MockActivityEnvironment().run(recordTrackingBatch, [rec({ key: 'k2' }), rec({ key: 'k3' })])).toEqual({
      written: 2,
      skipped: 0,
    });
    const text = await lines(file);
    expect(text.filter(Boolean).map((l) => JSON.parse(l).key)).toEqual(['k1', 'k2', 'k3']);
    const read = await readTrackingLog(dataDir);
    expect(read.records.map((r) => r.key)).toEqual(['k1', 'k2', 'k3']);
    expect(read.badLines).toEqual([]);
  });

  it('a write torn by a failing disk fails the call, and the next call repairs the tail and writes everything once', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tracking-'));
    let failNext = true;
    const { recordTrackingBatch } = createTrackingActivities({
      dataDir,
      fileName: 'events-host-8.ndjson',
      async write(handle, bytes) {
        if (failNext) {
          failNext = false;
          await handle.write(bytes, 0, Math.floor(bytes.length / 2)); // half a batch reaches the disk
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        }
        await handle.write(bytes);
      },
    });
    const env = new MockActivityEnvironment();
    const batch = [rec({ key: 'a1' }), rec({ key: 'a2' }), rec({ key: 'a3' })];
    await expect(env.run(recordTrackingBatch, batch)).rejects.toThrow(/ENOSPC/);
    // The journey keeps the batch and tries again: the record whose whole line made it is skipped, the rest written.
    const retry = (await env.run(recordTrackingBatch, [...batch, rec({ key: 'a4' })])) as { written: number; skipped: number };
    expect(retry.written + retry.skipped).toBe(4);
    const read = await readTrackingLog(dataDir);
    expect(read.records.map((r) => r.key)).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(read.badLines).toEqual([]);
    expect(read.duplicates).toBe(0);
  });

  it('a read error fails that call only: once the folder reads again, the next call writes (no restart)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tracking-'));
    const { recordTrackingBatch } = createTrackingActivities({ dataDir, fileName: 'events-host-9.ndjson' });
    const env = new MockActivityEnvironment();
    // Something named like a log that cannot be read (EISDIR: a directory where a log file should be).
    const blocker = join(trackingDir(dataDir), 'broken.ndjson');
    await mkdir(blocker, { recursive: true });
    await expect(env.run(recordTrackingBatch, [rec({ key: 'r1' })])).rejects.toThrow(/EISDIR/);
    await expect(env.run(recordTrackingBatch, [rec({ key: 'r1' })])).rejects.toThrow(/EISDIR/);
    await rmdir(blocker);
    expect(await env.run(recordTrackingBatch, [rec({ key: 'r1' }), rec({ key: 'r2' })])).toEqual({ written: 2, skipped: 0 });
    expect((await readTrackingLog(dataDir)).records.map((r) => r.key)).toEqual(['r1', 'r2']);
  });

  it('appends that arrive while one is written go out together in one write and one sync; each hears only its own records', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tracking-'));
    // The first write is slow: the others arrive meanwhile.
    const held = writerWithFirstWriteHeld(dataDir, 'events-host-10.ndjson', (_n, handle, bytes) => handle.write(bytes));
    const { writer, releaseFirst } = held;
    const first = writer.append([rec({ key: 'g0' })]);
    await new Promise((r) => setTimeout(r, 50));
    // 40 appends while the first is on its way, one repeating a key another of them carries, one the first carries.
    const rest = Array.from({ length: 40 }, (_, i) => writer.append([rec({ key: `g${i + 1}` }), rec({ key: i === 7 ? 'g3' : `h${i}` })]));
    const late = writer.append([rec({ key: 'g0' })]);
    releaseFirst();
    expect(await first).toEqual({ written: 1, skipped: 0, repairedBytes: 0 });
    const answers = await Promise.all(rest);
    expect(await late).toEqual({ written: 0, skipped: 1, repairedBytes: 0 });
    expect(held.writes).toBe(2); // the first alone, then the 41 that waited
    expect(writer.groupCommits).toBe(2);
    expect(answers[7]).toEqual({ written: 1, skipped: 1, repairedBytes: 0 }); // g3 came from append 3, earlier in the group
    expect(answers.filter((a) => a.written === 2)).toHaveLength(39);
    const read = await readTrackingLog(dataDir);
    expect(read.records).toHaveLength(1 + 40 + 39);
    expect(read.records.slice(0, 4).map((r) => r.key)).toEqual(['g0', 'g1', 'h0', 'g2']); // in the order they came
    expect(read.duplicates).toBe(0);
  });

  it('a failed group commit fails every append of the group; each retried append is written once', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tracking-'));
    const { writer, releaseFirst } = writerWithFirstWriteHeld(dataDir, 'events-host-11.ndjson', async (n, handle, bytes) => {
      if (n === 2) {
        await handle.write(bytes, 0, Math.floor(bytes.length / 2));
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      await handle.write(bytes);
    });
    const first = writer.append([rec({ key: 'f0' })]);
    await new Promise((r) => setTimeout(r, 50));
    const group = Array.from({ length: 5 }, (_, i) => writer.append([rec({ key: `f${i + 1}` })]));
    releaseFirst();
    await first;
    const settled = await Promise.allSettled(group);
    expect(settled.map((s) => s.status)).toEqual(Array(5).fill('rejected'));
    // Each caller sends its records again (a journey keeps its batch): each is written once, the torn line cut off.
    await Promise.all(Array.from({ length: 5 }, (_, i) => writer.append([rec({ key: `f${i + 1}` })])));
    const read = await readTrackingLog(dataDir);
    expect(read.records.map((r) => r.key).sort()).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'f5']);
    expect(read.badLines).toEqual([]);
    expect(read.duplicates).toBe(0);
  });

  it('the reader drops a duplicate two processes raced in and reports a torn line by file and line', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tracking-'));
    await mkdir(trackingDir(dataDir), { recursive: true });
    await writeFile(join(trackingDir(dataDir), 'events-a-1.ndjson'), `${JSON.stringify(rec({ key: 'k1' }))}\n`);
    await appendFile(join(trackingDir(dataDir), 'events-b-2.ndjson'), `${JSON.stringify(rec({ key: 'k1' }))}\n{"at":"2026-03-1`);
    const read = await readTrackingLog(dataDir);
    expect(read.records.map((r) => r.key)).toEqual(['k1']);
    expect(read.duplicates).toBe(1);
    expect(read.badLines).toEqual(['events-b-2.ndjson:2']);
  });
});
