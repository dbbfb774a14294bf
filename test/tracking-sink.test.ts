// The NDJSON tracking sink: a retried record is logged once, torn lines are reported, not fatal.
import type { TrackingRecord } from '../workflows/contract/index.ts';
import { describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../activities/index.ts';
import { readTrackingLog, trackingLogPath } from '../activities/tracking/ndjson-log.ts';

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

describe('recordTracking appends to <dataDir>/tracking/events.ndjson once per key', () => {
  it('skips a retried record (same key, or same content without a key) and keeps distinct ones', async () => {
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
    const lines = (await readFile(trackingLogPath(dataDir), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0])).toMatchObject({
      key: 'journey:x:c1:invite:1',
      journeyId: 'nps-referral',
      journeyVersion: 2,
      stage: 'invite',
      motion: 'referral',
    });
  });

  it('the reader drops duplicates two processes raced in and reports a torn line', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tracking-'));
    const { recordTracking } = createActivities({ dataDir, rewardWebhook: null, tracking: { dataDir } });
    await new MockActivityEnvironment().run(recordTracking, rec({ key: 'k1' }));
    await appendFile(trackingLogPath(dataDir), `${JSON.stringify(rec({ key: 'k1' }))}\n{"at":"2026-03-1`);
    const read = await readTrackingLog(dataDir);
    expect(read.records.map((r) => r.key)).toEqual(['k1']);
    expect(read.duplicates).toBe(1);
    expect(read.badLines).toEqual([3]);
  });
});
