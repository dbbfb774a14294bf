// The tracking webhook sink: journeys only append to the NDJSON log; the worker's forwarder posts the log to the
// analytics webhook in order, signed, with each record's key as Idempotency-Key. A webhook outage delays
// delivery and never a journey; a restart resumes without resending; a permanent refusal is set aside, not lost.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { appendFile, mkdir, mkdtemp, readFile, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createTrackingActivities } from '../activities/tracking/tracking-activities.ts';
import { TrackingWebhookForwarder } from '../activities/tracking/webhook-forwarder.ts';
import { verifyRewardSignature } from '../activities/rewards/signature.ts';
import { trackingDir } from '../activities/tracking/log-files.ts';
import type { TrackingRecord } from '../workflows/contract/index.ts';

interface Received {
  key: string;
  body: string;
  timestamp: string;
  signature: string;
}

/** An analytics endpoint whose answers the test scripts: each queued status answers one request, then 200. */
async function startAnalytics(): Promise<{ url: string; received: Received[]; answers: number[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const answers: number[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const status = answers.shift() ?? 200;
      if (status === 200) {
        received.push({
          key: String(req.headers['idempotency-key']),
          body,
          timestamp: String(req.headers['x-journey-timestamp']),
          signature: String(req.headers['x-journey-signature']),
        });
      }
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/track`,
    received,
    answers,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const rec = (key: string, type = 'ask.sent'): TrackingRecord => ({
  key,
  at: '2026-03-10T10:00:00.000Z',
  journeyId: 'nps-promoter-referral',
  journeyVersion: 3,
  customerId: 'c1',
  stage: 'invite',
  motion: 'referral',
  type,
});

describe('the tracking webhook is fed from the log by the forwarder', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (closers.length) await closers.pop()!();
  });

  it('an outage delays delivery, not the journey; every record arrives once, in order, signed; a restart resends nothing', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tracking-webhook-'));
    const analytics = await startAnalytics();
    closers.push(analytics.close);
    analytics.answers.push(503, 503); // down for two attempts
    const { recordTracking } = createTrackingActivities({ dataDir });
    const env = new MockActivityEnvironment();
    for (const key of ['k1', 'k2', 'k3']) await env.run(recordTracking, rec(key));
    expect(analytics.received).toHaveLength(0); // the journey's writes finished without touching the webhook

    const forwarder = new TrackingWebhookForwarder({ dataDir, url: analytics.url, secret: 'analytics-secret' });
    expect(await forwarder.forwardPending()).toEqual({ delivered: 0, rejected: 0, retryable: 'answered 503' });
    expect(await forwarder.forwardPending()).toEqual({ delivered: 0, rejected: 0, retryable: 'answered 503' });
    expect(await forwarder.forwardPending()).toEqual({ delivered: 3, rejected: 0 });
    expect(analytics.received.map((r) => r.key)).toEqual(['k1', 'k2', 'k3']);
    for (const r of analytics.received) {
      expect(verifyRewardSignature('analytics-secret', r.timestamp, r.body, r.signature)).toBe(true);
      expect(JSON.parse(r.body)).toMatchObject({
        key: r.key,
        journeyId: 'nps-promoter-referral',
        journeyVersion: 3,
        stage: 'invite',
        motion: 'referral',
      });
    }

    // The worker restarts: a new forwarder reads the saved cursor and sends only what is new.
    await env.run(recordTracking, rec('k4'));
    const restarted = new TrackingWebhookForwarder({ dataDir, url: analytics.url, secret: 'analytics-secret' });
    expect(await restarted.forwardPending()).toEqual({ delivered: 1, rejected: 0 });
    expect(analytics.received.map((r) => r.key)).toEqual(['k1', 'k2', 'k3', 'k4']);
    expect(await restarted.forwardPending()).toEqual({ delivered: 0, rejected: 0 });
  });

  it('a record refused for good (422) is set aside for an operator and the records after it still go out', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tracking-webhook-'));
    const analytics = await startAnalytics();
    closers.push(analytics.close);
    const { recordTracking } = createTrackingActivities({ dataDir });
    const env = new MockActivityEnvironment();
    await env.run(recordTracking, rec('bad', 'referral.submitted'));
    await env.run(recordTracking, rec('good', 'referral.qualified'));
    analytics.answers.push(422);
    const forwarder = new TrackingWebhookForwarder({ dataDir, url: analytics.url });
    expect(await forwarder.forwardPending()).toEqual({ delivered: 1, rejected: 1 });
    expect(analytics.received.map((r) => r.key)).toEqual(['good']);
    // Outside the log's *.ndjson glob, so no reader takes a set-aside line for a record.
    const setAside = (await readFile(join(dataDir, 'tracking', 'webhook', 'rejected.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(setAside).toHaveLength(1);
    expect(setAside[0]).toMatchObject({ status: 422 });
    expect(JSON.parse(setAside[0].record)).toMatchObject({ key: 'bad', type: 'referral.submitted' });
  });

  it('running beside the worker, it backs off while the webhook is unreachable and delivers once it is back', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tracking-webhook-'));
    const analytics = await startAnalytics();
    closers.push(analytics.close);
    analytics.answers.push(500, 500, 500);
    const logged: string[] = [];
    const forwarder = new TrackingWebhookForwarder({
      dataDir,
      url: analytics.url,
      pollMs: 50,
      maxBackoffMs: 200,
      log: (l) => logged.push(l),
    });
    forwarder.start();
    closers.push(() => forwarder.stop());
    await new MockActivityEnvironment().run(createTrackingActivities({ dataDir }).recordTracking, rec('late'));
    const deadline = Date.now() + 20_000;
    while (analytics.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(analytics.received.map((r) => r.key)).toEqual(['late']);
    expect(logged.filter((l) => l.includes('answered 500'))).toHaveLength(3);
  });

  it('through torn lines, a read error, several processes’ files and two forwarders on one folder, each key reaches the receiver once', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tracking-webhook-'));
    const analytics = await startAnalytics();
    closers.push(analytics.close);
    const env = new MockActivityEnvironment();
    const a = createTrackingActivities({ dataDir, fileName: 'events-host-1.ndjson' });
    const b = createTrackingActivities({ dataDir, fileName: 'events-host-2.ndjson' });
    await env.run(a.recordTrackingBatch, [rec('k1'), rec('k2')]);
    await env.run(b.recordTrackingBatch, [rec('k3')]);
    // Process 1 died in the middle of its next line.
    await appendFile(join(trackingDir(dataDir), 'events-host-1.ndjson'), JSON.stringify(rec('k4')).slice(0, 30));
    const forwarders = [1, 2].map(() => new TrackingWebhookForwarder({ dataDir, url: analytics.url, pollMs: 50, maxBackoffMs: 200 }));
    for (const f of forwarders) {
      f.start();
      closers.push(() => f.stop());
    }
    const keys = () => analytics.received.map((r) => r.key);
    const until = async (n: number) => {
      const deadline = Date.now() + 20_000;
      while (keys().length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    };
    await until(3);
    expect([...keys()].sort()).toEqual(['k1', 'k2', 'k3']); // the torn line is never sent

    // Its owner (same host and pid) comes back: the torn tail is cut off before k4 is written again with k5.
    await env.run(createTrackingActivities({ dataDir, fileName: 'events-host-1.ndjson' }).recordTrackingBatch, [rec('k4'), rec('k5')]);
    // A read error for a moment (a directory where a log file should be), then gone.
    const blocker = join(trackingDir(dataDir), 'blocked.ndjson');
    await mkdir(blocker);
    await new Promise((r) => setTimeout(r, 300));
    await rmdir(blocker);
    await env.run(b.recordTrackingBatch, [rec('k6')]);
    await until(6);
    // The forwarder holding the lease stops; the other one takes over from the saved cursors.
    await forwarders[0].stop();
    await env.run(b.recordTrackingBatch, [rec('k7')]);
    await until(7);
    await new Promise((r) => setTimeout(r, 300));
    expect([...keys()].sort()).toEqual(['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7']);
  });
});
