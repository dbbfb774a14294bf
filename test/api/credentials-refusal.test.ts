// The API's log line when Temporal refuses its credentials while it runs (api/credentials-refusal.ts): said once per
// interval with the count since the last line, never for other failures. test/temporal-tls-server.test.ts sees it
// from a real server, with a key that expires.
import { describe, expect, it } from 'vitest';
import { CredentialsRefusalLog } from '../../api/credentials-refusal.ts';

const refused = Object.assign(new Error('Failed to signalWithStart Workflow'), { cause: { code: 7, details: 'Request unauthorized.' } });

describe('CredentialsRefusalLog', () => {
  it('logs a refusal at once, then at most once per interval with how many calls were refused meanwhile', () => {
    const lines: string[] = [];
    let now = 1_000_000;
    const log = new CredentialsRefusalLog(
      (line) => lines.push(line),
      60_000,
      () => now,
    );
    log.seen(Object.assign(new Error('14 UNAVAILABLE'), { code: 14 }));
    expect(lines).toEqual([]);
    log.seen(refused);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Temporal refused the API's credentials \(TEMPORAL_API_KEY, or the client certificate TEMPORAL_TLS_CLIENT_CERT_PATH\): Request unauthorized\.; 1 call\(s\) refused since the last line/,
    );
    for (let i = 0; i < 5; i++) log.seen(refused);
    now += 59_999;
    log.seen(refused);
    expect(lines).toHaveLength(1);
    now += 1;
    log.seen(refused);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('; 7 call(s) refused since the last line');
  });
});
