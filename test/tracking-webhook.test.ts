// The tracking webhook sink: journeys only append to the NDJSON log; the worker's forwarder posts the log to the
// analytics webhook in order, signed, with each record's key as Idempotency-Key. A webhook outage delays
// delivery and never a journey; a restart resumes without resending; a permanent refusal is set aside, not lost.
import type { TrackingRecord } from '../workflows/contract/index.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createTrackingActivities } from '../activities/tracking/tracking-activities.ts';
import { TrackingWebhookForwarder } from '../activities/tracking/webhook-forwarder.ts';
import { verifyRewardSignature } from '../activities/rewards/signature.ts';

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
    const setAside = (await readFile(join(dataDir, 'tracking', 'webhook-rejected.ndjson'), 'utf8'))
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
});
