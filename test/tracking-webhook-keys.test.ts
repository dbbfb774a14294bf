// The tracking forwarder never stalls on a record whose key is no header value: a key with CR/LF or characters
// above U+00FF (ids and event types come from outside) goes out percent-encoded, one-to-one, instead of making
// fetch throw on every pass and holding back every record behind it for ever.
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createTrackingActivities } from '../activities/tracking/tracking-activities.ts';
import { TrackingWebhookForwarder } from '../activities/tracking/webhook-forwarder.ts';
import { headerSafeKey } from '../activities/failures.ts';
import type { TrackingRecord } from '../workflows/contract/index.ts';

const rec = (key: string): TrackingRecord => ({
  key,
  at: '2026-03-10T10:00:00.000Z',
  journeyId: 'nps-promoter-referral',
  journeyVersion: 3,
  customerId: 'c1',
  stage: 'track',
  type: 'referral.submitted',
});

describe('tracking keys that are no header value', () => {
  it('are delivered once each under a percent-encoded Idempotency-Key, and the records after them too', async () => {
    const received: { key: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ key: String(req.headers['idempotency-key']), body });
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const dataDir = await mkdtemp(join(tmpdir(), 'tracking-keys-'));
      const { recordTracking } = createTrackingActivities({ dataDir });
      const env = new MockActivityEnvironment();
      const keys = ['ref→1\r\nX-Evil: 1', 'ref%E2%86%921', 'plain-key'];
      for (const key of keys) await env.run(recordTracking, rec(key));
      const forwarder = new TrackingWebhookForwarder({ dataDir, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/t` });
      expect(await forwarder.forwardPending()).toEqual({ delivered: 3, rejected: 0 });
      expect(received.map((r) => r.key)).toEqual(keys.map(headerSafeKey));
      // One-to-one: the encoded key and a key that looks like it differ; a safe key goes out as it is.
      expect(new Set(received.map((r) => r.key)).size).toBe(3);
      expect(received[2].key).toBe('plain-key');
      expect(JSON.parse(received[0].body).key).toBe(keys[0]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('headerSafeKey keeps visible ASCII, encodes the rest (and %) as UTF-8', () => {
    expect(headerSafeKey('reward:j:c-1:R-1:referrer')).toBe('reward:j:c-1:R-1:referrer');
    expect(headerSafeKey('a b\r\n→%')).toBe('a%20b%0D%0A%E2%86%92%25');
  });
});
