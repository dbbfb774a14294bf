// JOURNEY_CODEC_KEYS is checked when the worker and the API processes start: a malformed value stops them with one
// line naming the variable and the entry (never the key's bytes), before they touch Temporal.
import { describe, expect, it } from 'vitest';
import { runNode } from './support/run-node.ts';

function startProcess(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return runNode(['--import', 'tsx', script], env);
}

describe('a malformed JOURNEY_CODEC_KEYS stops the processes at start', () => {
  const shortKey = `k1:${Buffer.alloc(16, 7).toString('base64')}`;

  it('the worker exits 1 naming the variable and the entry', async () => {
    const { code, output } = await startProcess('worker/main.ts', { JOURNEY_CODEC_KEYS: shortKey });
    expect(code).toBe(1);
    expect(output).toContain('worker: JOURNEY_CODEC_KEYS entry 1 (id "k1"): the key is 16 bytes; AES-256 needs exactly 32');
    expect(output).not.toContain(shortKey.slice(3));
  });

  it('the API exits 1 naming the variable and the entry', async () => {
    const { code, output } = await startProcess('api/main.ts', {
      JOURNEY_API_KEYS: 'k',
      JOURNEY_REFERRAL_CODE_SECRET: 'codec-settings-referral-secret',
      JOURNEY_CODEC_KEYS: 'no-id-here',
    });
    expect(code).toBe(1);
    expect(output).toContain('api: JOURNEY_CODEC_KEYS entry 1 has no key id');
  });

  it('the worker exits 1 on a JOURNEY_CODEC_COMPRESS that is neither 1 nor 0, naming it', async () => {
    const { code, output } = await startProcess('worker/main.ts', {
      JOURNEY_CODEC_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
      JOURNEY_CODEC_COMPRESS: 'yes',
    });
    expect(code).toBe(1);
    expect(output).toContain('worker: JOURNEY_CODEC_COMPRESS must be 1 (deflate large payloads before sealing them) or 0, got "yes"');
  });

  it('the API exits 1 on a UI token too short to be a secret', async () => {
    const { code, output } = await startProcess('api/main.ts', {
      JOURNEY_API_KEYS: 'k',
      JOURNEY_REFERRAL_CODE_SECRET: 'codec-settings-referral-secret',
      JOURNEY_CODEC_UI_TOKEN: 'abc',
    });
    expect(code).toBe(1);
    expect(output).toContain('api: JOURNEY_CODEC_UI_TOKEN must be 32-256 characters');
  });
});

// Production mode (definitions/production-mode.ts): real sending (POSTMARK_SERVER_TOKEN) without JOURNEY_DEV_MODE=1.
describe('without JOURNEY_CODEC_KEYS, production mode refuses to start the worker and the API', () => {
  const production = {
    POSTMARK_SERVER_TOKEN: 'production-token',
    JOURNEY_DEV_MODE: '',
    JOURNEY_CODEC_KEYS: '',
    JOURNEY_PUBLIC_URL: 'https://journeys.example.com',
    JOURNEY_UNSUBSCRIBE_SECRET: 'codec-settings-unsubscribe-secret',
    JOURNEY_API_KEYS: 'k',
    JOURNEY_REFERRAL_CODE_SECRET: 'codec-settings-referral-secret',
  };

  it.each(['worker', 'api'])('the %s exits 1 naming JOURNEY_CODEC_KEYS; with JOURNEY_DEV_MODE=1 it goes on to Temporal', async (name) => {
    const refused = await startProcess(`${name}/main.ts`, production);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(`${name}: JOURNEY_CODEC_KEYS is not set: in production mode`);
    // Dev mode (local trials, npm start) keeps the warning and starts: it stops only at the unreachable Temporal.
    const dev = await startProcess(`${name}/main.ts`, { ...production, JOURNEY_DEV_MODE: '1' });
    expect(dev.output).not.toContain('JOURNEY_CODEC_KEYS is not set: in production mode');
    expect(dev.output).toContain('cannot reach Temporal at 127.0.0.1:1');
    // With keys, production starts too (as far as Temporal).
    const keyed = await startProcess(`${name}/main.ts`, {
      ...production,
      JOURNEY_CODEC_KEYS: `k1:${Buffer.alloc(32, 9).toString('base64')}`,
    });
    expect(keyed.output).toContain('cannot reach Temporal at 127.0.0.1:1');
  });
});
