// SIGHUP to the API process reloads the journey files, as an operator deploys: a new valid version serves at
// once; a broken file is refused and the last good version keeps serving. The real api/main.ts process against
// the test run's dev server.
import { afterAll, describe, expect, it } from 'vitest';
import { sharedTemporalEnv } from '../support/temporal.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JOURNEYS_DIR } from '../../definitions/loader.ts';
import { freePort } from '../../scripts/dev-server.ts';
import { waitFor } from '../support/wait.ts';

describe('SIGHUP reloads the journey files of a running API', () => {
  let api: ChildProcess | undefined;
  afterAll(() => {
    api?.kill('SIGTERM');
  });

  it('applies a new valid version, then refuses a broken file and keeps serving the last good one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sighup-journeys-'));
    const journeyId = `nps-sighup-${Date.now().toString(36)}`;
    const v1 = { ...JSON.parse(readFileSync(join(JOURNEYS_DIR, 'nps-promoter-referral.json'), 'utf8')), id: journeyId, $schema: undefined };
    const file = join(dir, 'nps.json');
    writeFileSync(file, JSON.stringify({ ...v1, version: 1 }, null, 2));
    const port = await freePort();
    let output = '';
    api = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
      env: {
        ...process.env,
        ...sharedTemporalEnv('api'),
        TEMPORAL_NAMESPACE: 'default',
        JOURNEY_API_KEYS: 'hup-key',
        JOURNEY_REFERRAL_CODE_SECRET: 'sighup-referral-code-secret',
        JOURNEY_API_PORT: String(port),
        JOURNEY_JOURNEYS_DIR: dir,
        JOURNEY_DATA_DIR: mkdtempSync(join(tmpdir(), 'sighup-data-')),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    api.stdout!.on('data', (c) => (output += c));
    api.stderr!.on('data', (c) => (output += c));
    const served = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/v1/definitions`, { headers: { authorization: 'Bearer hup-key' } });
      const body = (await res.json()) as { journeys: { journeyId: string; version: number }[] };
      return body.journeys.find((j) => j.journeyId === journeyId)?.version;
    };
    expect(await waitFor('the API to serve v1', () => served().catch(() => undefined))).toBe(1);

    writeFileSync(file, JSON.stringify({ ...v1, version: 2 }, null, 2));
    api.kill('SIGHUP');
    expect(await waitFor('v2 after SIGHUP', async () => ((await served()) === 2 ? 2 : undefined))).toBe(2);

    writeFileSync(file, JSON.stringify({ ...v1, version: 3, status: 'live' }, null, 2)); // not a status
    api.kill('SIGHUP');
    await waitFor('the refused reload to be logged', () => /"applied":false[^\n]*journey reload \(SIGHUP\)/.test(output));
    expect(await served()).toBe(2);
    expect(api.exitCode).toBeNull();
  });
});
