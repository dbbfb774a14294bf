// The settings table (docs/settings.md) is generated from the code that reads each environment variable: a variable
// read but not described, a description nothing reads, or a stale file fails here.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOT_SETTINGS, processesLoading, ROOT, scanEnvReads, scanImporters, settingsMarkdown } from '../scripts/settings-table.ts';
import { SETTINGS } from '../scripts/settings-descriptions.ts';

describe('docs/settings.md, every environment variable', () => {
  const reads = scanEnvReads();

  it('finds the variables the processes read (the scan works)', () => {
    for (const name of [
      'JOURNEY_API_KEYS',
      'JOURNEY_WORKER_MAX_ACTIVITIES',
      'POSTMARK_API_URL',
      'JOURNEY_DEMO_DAY_SECONDS',
      'POSTMARK_FAKE_PORT',
    ])
      expect(reads.has(name), name).toBe(true);
  });

  it('describes every variable the code reads', () => {
    const undescribed = [...reads]
      .filter(([name]) => !NOT_SETTINGS.has(name) && !SETTINGS[name])
      .map(([name, files]) => `${name} (read in ${[...files].join(', ')})`);
    expect(undescribed, 'describe them in scripts/settings-descriptions.ts, then npm run settings:table').toEqual([]);
  });

  it('describes no variable that nothing reads', () => {
    const unread = Object.entries(SETTINGS)
      .filter(([name, s]) => !s.readBy && !reads.has(name))
      .map(([name]) => name);
    expect(unread).toEqual([]);
  });

  it("names every process that loads the code reading a variable, not only the reading file's folder", async () => {
    // worker/connect-wait-setting.ts and worker/data-converter.ts are the API's too, through api/main.ts.
    expect(processesLoading('worker/connect-wait-setting.ts', scanImporters()).sort()).toEqual(['API', 'worker']);
    const table = await settingsMarkdown(reads);
    const readBy = (name: string) =>
      table
        .split('\n')
        .find((line) => line.startsWith(`| \`${name}\``))
        ?.split('|')[2]
        .trim();
    expect(readBy('JOURNEY_TEMPORAL_CONNECT_WAIT_S')).toMatch(/^worker, API\b/);
    expect(readBy('JOURNEY_CODEC_KEYS')).toMatch(/\bworker, API\b/);
    // A type-only import loads nothing: the API names the CRM activities' types, and never runs them.
    expect(readBy('JOURNEY_CRM')).not.toMatch(/API/);
  });

  it('is up to date (npm run settings:table writes it)', async () => {
    expect(readFileSync(join(ROOT, 'docs', 'settings.md'), 'utf8')).toBe(await settingsMarkdown(reads));
  });
});
