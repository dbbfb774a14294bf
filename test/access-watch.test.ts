// The running worker's access watch (worker/access-watch.ts): a refusal said at once and then once per repeat, the
// recovery said once, and a Temporal that does not answer left to the SDK (no line). test/temporal-tls-server.test.ts
// sees it against Temporal's own server, with a key that expires.
import { describe, expect, it } from 'vitest';
import { AccessWatch } from '../worker/access-watch.ts';
import { TemporalRefusedError } from '../worker/temporal-connect.ts';

describe('AccessWatch', () => {
  it('says a refusal at once, again once per repeat, and says once when the credentials are accepted again', async () => {
    const lines: string[] = [];
    let now = 5_000_000;
    let answer: unknown = undefined;
    const watch = new AccessWatch({
      check: async () => {
        if (answer) throw answer;
      },
      intervalMs: 2000,
      repeatMs: 60_000,
      log: (line) => lines.push(line),
      now: () => now,
    });
    await watch.checkOnce();
    expect(lines).toEqual([]);
    answer = Object.assign(new Error('14 UNAVAILABLE'), { code: 14 });
    await watch.checkOnce();
    expect(lines).toEqual([]);
    answer = new TemporalRefusedError('Temporal refused this process\'s credentials in namespace "default" (TEMPORAL_API_KEY)');
    await watch.checkOnce();
    expect(lines).toEqual([
      'Temporal refused this process\'s credentials in namespace "default" (TEMPORAL_API_KEY); this worker takes no task until that is fixed (checked every 2 s)',
    ]);
    now += 59_000;
    await watch.checkOnce();
    expect(lines).toHaveLength(1);
    now += 1_000;
    await watch.checkOnce();
    expect(lines).toHaveLength(2);
    now += 10_000;
    answer = undefined;
    await watch.checkOnce();
    expect(lines[2]).toBe("Temporal accepts this worker's credentials again (refused for 70 s)");
    await watch.checkOnce();
    expect(lines).toHaveLength(3);
  });
});
