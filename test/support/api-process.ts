// What the tests that start the API as a process (api/main.ts) share: its start settings, how many times it said it
// waited for Temporal, and its /healthz answer once it listens.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait.ts';

/** What an API needs to start (its port, the key `<name>-key`, a referral secret, a data folder), in dev mode. */
export function apiSettings(port: number, name: string): Record<string, string> {
  return {
    JOURNEY_API_PORT: String(port),
    JOURNEY_API_KEYS: `${name}-key`,
    JOURNEY_DEV_MODE: '1',
    JOURNEY_REFERRAL_CODE_SECRET: `${name}-referral-secret`,
    JOURNEY_DATA_DIR: mkdtempSync(join(tmpdir(), `${name}-api-`)),
  };
}

/** How many attempts a worker or an API said it waited for Temporal (worker/temporal-connect.ts's line). */
export const connectAttempts = (output: string) => output.match(/is not answering \(attempt \d+/g)?.length ?? 0;

/** The API's /healthz answer once it answers 2xx, within `timeoutMs`. */
export function apiHealth(port: number, timeoutMs: number) {
  return waitFor(
    'the API answering',
    () =>
      fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => (r.ok ? (r.json() as Promise<Record<string, unknown>>) : undefined),
        () => undefined,
      ),
    timeoutMs,
    250,
  );
}
