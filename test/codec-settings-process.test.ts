// JOURNEY_CODEC_KEYS is checked when the worker and the API processes start: a malformed value stops them with one
// line naming the variable and the entry (never the key's bytes), before they touch Temporal.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';

function startProcess(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c) => (output += c));
    child.stderr!.on('data', (c) => (output += c));
    child.once('exit', (code) => resolve({ code, output }));
  });
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
