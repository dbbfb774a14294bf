// The doc runner's own checks (test/docs/): a doc result that drifts from what the command answers is caught.
import { describe, expect, it } from 'vitest';
import { docBlocks, docSteps } from './docs/doc-blocks.ts';
import { jsonDocuments, jsonMismatch, parsePattern, textMatches } from './docs/doc-match.ts';

describe('doc results', () => {
  it('catches the old NPS example: a customer without a health score is disqualified, not asked', () => {
    const shown = parsePattern('{ "status": "RUNNING", "state": { "qualification": { "motion": "referral", "rule": "otherwise" } } }');
    const answer = {
      status: 'RUNNING',
      state: { qualification: { rule: 'low-health', motion: 'disqualify', reason: 'health score below 60' } },
    };
    expect(jsonMismatch(shown, answer)).toBe('/state/qualification/motion: expected "referral", found "disqualify"');
    expect(
      jsonMismatch(shown, { ...answer, state: { qualification: { rule: 'otherwise', motion: 'referral' }, stage: 'invite' } }),
    ).toBeUndefined();
  });

  it('reads "..." as any value and ... as more items, in order', () => {
    const shown = parsePattern('{ "journeys": [..., { "journeyId": "nps", "runId": "..." }, ...] }');
    expect(jsonMismatch(shown, { journeys: [{ journeyId: 'a' }, { journeyId: 'nps', runId: 'r1' }] })).toBeUndefined();
    expect(jsonMismatch(shown, { journeys: [{ journeyId: 'nps' }] })).toBe('/journeys/0/runId: missing');
    expect(jsonMismatch(parsePattern('[1, 2]'), [1, 2, 3])).toBe('/: expected 2 items, found 3');
    expect(jsonDocuments('{"a":1}{"b":"}"}\ntext [1,2]')).toEqual([{ a: 1 }, { b: '}' }, [1, 2]]);
  });

  it('matches text lines in order, ... standing for any text', () => {
    expect(
      textMatches('day 0 = ... fri 23:00\n...\ncycle 1 completed', 'x\nday 0 = 2026-12-04 fri 23:00 Asia/Tokyo\ny\ncycle 1 completed'),
    ).toBe(true);
    expect(textMatches('global cap: 1 ask per 7 days', 'global cap: 1 ask(s) per 168h across journeys')).toBe(false);
  });

  it('splits a sh block into steps at each # → result, with statuses, exit codes and continued lines', () => {
    const [block] = docBlocks(
      'x.md',
      'text\n<!-- not run: a production cluster is needed here -->\n```sh\nA=1\ncurl -s $A\n# → 202 { "a": 1,\n#     "b": 2 }\nnpx journey validate bad.json\n# → exit 1 bad.json:1:1 ...\n```\n',
    );
    expect(block).toMatchObject({ lang: 'sh', line: 3, notRun: 'a production cluster is needed here' });
    const steps = docSteps(block);
    expect(steps.map((s) => [s.line, s.script, s.expect])).toEqual([
      [4, 'A=1\ncurl -s $A', { said: '202 { "a": 1,\n"b": 2 }', statuses: [202], json: '{ "a": 1,\n"b": 2 }' }],
      [8, 'npx journey validate bad.json', { said: 'exit 1 bad.json:1:1 ...', exit: 1, statuses: [], text: 'bad.json:1:1 ...' }],
    ]);
  });
});
