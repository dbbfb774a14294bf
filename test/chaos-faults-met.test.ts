// The chaos harness's "faults over" (test/chaos/faults.ts, faultsMet): a provider fault is queued for the next
// request, so the settle wait may start only once every queued fault has met one. A run of the subset (stop 52)
// failed when a fault injected during traffic met a send's retry long after it, doubling its backoff past the settle
// bound. Real servers here: the Postmark-compatible server and the reward receiver, with the real postmark client.
import { afterEach, describe, expect, it } from 'vitest';
import { ServerClient } from 'postmark';
import { faultsMet, noFaults } from './chaos/faults.ts';
import { startFakePostmark, type FakePostmark } from './postmark/server.ts';
import { startRewardReceiver, type RewardReceiver } from './rewards/receiver.ts';

const TOKEN = 'faults-met-token';
let postmark: FakePostmark | undefined;
let rewards: RewardReceiver | undefined;

afterEach(async () => {
  await postmark?.close();
  await rewards?.close();
});

const send = (client: ServerClient) =>
  client.sendEmail({ From: 'a@example.com', To: 'b@example.com', Subject: 's', TextBody: 't' }).then(
    () => 'accepted',
    (e: Error) => `refused: ${e.message}`,
  );

describe('chaos faults: over only once each has met a request', () => {
  it('waits for a queued fault until a late request meets it, and the request after it is served', async () => {
    postmark = await startFakePostmark({ serverTokens: [TOKEN] });
    rewards = await startRewardReceiver('secret');
    const client = new ServerClient(TOKEN, { requestHost: postmark.url.replace('http://', ''), useHttps: false });
    postmark.injectFault({ kind: 'error', status: 500, errorCode: 0, message: 'Internal Server Error' });
    expect(postmark.pendingFaults).toBe(1);

    const lines: string[] = [];
    const c = noFaults();
    const late = new Promise<string>((resolve) => setTimeout(() => resolve(send(client)), 3000));
    const waited = await faultsMet(
      { postmark, rewards },
      c,
      30_000,
      async () => false,
      (l) => lines.push(l),
    );

    expect(await late).toMatch(/^refused: .*Internal Server Error/);
    expect(waited).toBeGreaterThanOrEqual(3000);
    expect(c.unmet).toEqual({ postmark: 0, rewards: 0 });
    expect(lines.join('\n')).toMatch(/met a request \d+s after traffic ended/);
    expect(await send(client)).toBe('accepted');
  });

  it('when nothing more will ask, drops the faults left, counts them unmet, and later requests meet none', async () => {
    postmark = await startFakePostmark({ serverTokens: [TOKEN] });
    rewards = await startRewardReceiver('secret');
    const client = new ServerClient(TOKEN, { requestHost: postmark.url.replace('http://', ''), useHttps: false });
    postmark.injectFault({ kind: 'error', status: 429, errorCode: 0, message: 'Rate limit exceeded' });
    postmark.injectFault({ kind: 'drop-after-accept' });
    rewards.slowFor(12_000, 1);

    const lines: string[] = [];
    const c = noFaults();
    const waited = await faultsMet(
      { postmark, rewards },
      c,
      60_000,
      async () => true,
      (l) => lines.push(l),
    );

    expect(waited).toBeLessThan(20_000); // three quiet looks, not the bound
    expect(c.unmet).toEqual({ postmark: 2, rewards: 1 });
    expect(postmark.pendingFaults + rewards.pendingFaults).toBe(0);
    expect(lines.join('\n')).toMatch(/2 Postmark and 1 reward faults met no request/);
    expect(await send(client)).toBe('accepted');
  });
});
