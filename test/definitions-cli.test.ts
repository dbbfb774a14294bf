// The `journey` CLI as a marketer runs it: a real process, real files, exit codes and output.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const run = promisify(execFile);

async function journey(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['cli/journey.mjs', ...args], { cwd: root, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const broken = (name: string) => `test/definitions/broken/${name}.json`;

describe('journey CLI', () => {
  it('validate with no arguments checks the shipped journeys and exits 0', async () => {
    const { code, stdout } = await journey('validate');
    expect(code).toBe(0);
    expect(stdout).toContain('4 journey files valid');
  });

  it('validate prints file:line:col, pointer, message, expected and hint, and exits 1', async () => {
    const { code, stdout } = await journey('validate', broken('typo-first-ask-delay'), 'definitions/journeys/nps-promoter-referral.json');
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /^test\/definitions\/broken\/typo-first-ask-delay\.json:\d+:\d+ {2}\/motions\/referral\/invite\/firstAskDelai {2}unknown key `firstAskDelai` {2}\(expected one of: .*\) {2}hint: did you mean `firstAskDelay`\?$/m,
    );
    expect(stdout).toContain('in 1 of 2 journey files');
  });

  it('validate --json gives a machine report with every diagnostic', async () => {
    const { code, stdout } = await journey(
      'validate',
      '--json',
      broken('unknown-listen-event'),
      'definitions/journeys/milestone-review-ask.json',
    );
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.valid).toBe(false);
    expect(report.errorCount).toBeGreaterThanOrEqual(1);
    expect(report.files).toHaveLength(2);
    const [bad, good] = report.files;
    expect(bad).toMatchObject({ file: broken('unknown-listen-event'), valid: false });
    expect(bad.diagnostics[0]).toMatchObject({
      pointer: '/listen/signals/0/event',
      code: 'catalog.unknownEvent',
      severity: 'error',
      suggestion: 'did you mean `nps.submitted`?',
    });
    expect(bad.diagnostics[0].line).toBeGreaterThan(1);
    expect(good).toMatchObject({
      file: 'definitions/journeys/milestone-review-ask.json',
      valid: true,
      journeyId: 'milestone-review-ask',
      version: 2,
      diagnostics: [],
    });
    expect(good.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('validate exits 1 on every broken file and names the expected pointer', async () => {
    const files = readdirSync(join(root, 'test/definitions/broken')).filter((f) => f.endsWith('.json') && f !== 'expected.json');
    const { code, stdout } = await journey('validate', '--json', ...files.map((f) => `test/definitions/broken/${f}`));
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    const { default: expected } = await import('./definitions/broken/expected.json', { with: { type: 'json' } });
    for (const file of report.files) {
      const name = file.file.replace(/^.*\//, '').replace(/\.json$/, '');
      expect(file.valid, name).toBe(false);
      expect(
        file.diagnostics.map((d: { pointer: string }) => d.pointer),
        name,
      ).toContain((expected as Record<string, { pointer: string }>)[name].pointer);
    }
    expect(report.files).toHaveLength(files.length);
  });

  it('validate reports a file that does not exist instead of crashing', async () => {
    const { code, stdout } = await journey('validate', 'definitions/journeys/nope.json');
    expect(code).toBe(1);
    expect(stdout).toContain('cannot read the file');
  });

  it('graph prints a Mermaid flowchart with every stage and the suppression branch', async () => {
    const { code, stdout } = await journey('graph', 'definitions/journeys/nps-promoter-referral.json');
    expect(code).toBe(0);
    expect(stdout.startsWith('flowchart TD\n')).toBe(true);
    for (const stage of [
      '<b>Listen</b>',
      '<b>Qualify</b>',
      '<b>Invite</b>',
      '<b>Activate</b>',
      '<b>Reward</b>',
      '<b>Track</b>',
      '<b>Expand</b>',
      'Suppression',
    ])
      expect(stdout).toContain(stage);
    expect(stdout).toContain('detractor: nps.submitted when event.score ≤ 6 → hold 60 days');
    expect(stdout).toContain('expand -->|"case-study-after-3: history.conversions ≥ 3"| case_study_invite');
  });

  it('graph refuses an invalid journey with its errors', async () => {
    const { code, stderr } = await journey('graph', broken('window-ends-before-start'));
    expect(code).toBe(1);
    expect(stderr).toContain('/motions/referral/invite/sendWindow/end');
  });

  it('graph --format svg says clearly when no renderer is installed', async () => {
    const { code, stderr } = await journey('graph', '--format', 'svg', 'definitions/journeys/nps-promoter-referral.json');
    // With a renderer installed this would write the file; this machine has none.
    expect(code).toBe(2);
    expect(stderr).toContain('no Mermaid renderer found');
  });

  it('list shows id, version, status, name and listen events', async () => {
    const { code, stdout } = await journey('list');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ID +VERSION +STATUS +NAME +LISTENS TO$/m);
    expect(stdout).toMatch(/^strategic-reference-advisory +2 +active +Strategic renewal .* +contract\.renewed, qbr\.completed$/m);
  });
});
