// One way to read event data per kind of file, and a hint that names it when the other form is written: journeys
// read `event.score`; the contact policy and the advocate score read the event as { type, data }: `event.data.score`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAdvocateScoreConfig } from '../definitions/advocate-score.ts';
import { checkContactPolicy } from '../definitions/contact-policy.ts';

const root = join(import.meta.dirname, '..');
const policy = JSON.parse(readFileSync(join(root, 'definitions/contact-policy.json'), 'utf8'));
const score = JSON.parse(readFileSync(join(root, 'definitions/advocate-score.json'), 'utf8'));
const detractorRule = (path: string) => ({
  event: 'nps.submitted',
  when: { '<=': [{ var: path }, 6] },
  effect: 'hold',
  coolDown: 'P30D',
  reason: 'NPS detractor',
});

describe('event data paths', () => {
  it('the shipped contact policy and advocate score use their form and pass', () => {
    expect(checkContactPolicy(JSON.stringify(policy), 'policy.json').diagnostics).toEqual([]);
    expect(checkAdvocateScoreConfig(JSON.stringify(score), 'score.json').diagnostics).toEqual([]);
  });

  it('the contact policy written with the journeys form gets the form it needs, at the var', () => {
    const doc = { ...policy, suppression: { ...policy.suppression, rules: [detractorRule('event.score')] } };
    const { diagnostics } = checkContactPolicy(JSON.stringify(doc, null, 2), 'policy.json');
    expect(diagnostics.map((d) => [d.pointer, d.code, d.message, d.suggestion])).toEqual([
      [
        '/suppression/rules/0/when/<=/0/var',
        'logic.eventPathForm',
        '`event.score`: here the event is { type, data }, so its fields are under `event.data`',
        'write `event.data.score` (journeys write `event.score`)',
      ],
    ]);
  });

  it('a field the event does not carry is named, with the closest field', () => {
    const doc = { ...policy, suppression: { ...policy.suppression, rules: [detractorRule('event.data.scor')] } };
    const { diagnostics } = checkContactPolicy(JSON.stringify(doc), 'policy.json');
    expect(diagnostics.map((d) => [d.code, d.message, d.suggestion])).toEqual([
      ['logic.unknownVar', '`event.data.scor`: the event `nps.submitted` has no field `scor`', 'did you mean `event.data.score`?'],
    ]);
  });

  it('the advocate score gets the same hint', () => {
    const signal = score.signals.find((s: { when?: unknown }) => s.when);
    const when = JSON.parse(JSON.stringify(signal.when).replace(/event\.data\./g, 'event.'));
    const doc = { ...score, signals: [{ ...signal, when }] };
    const { diagnostics } = checkAdvocateScoreConfig(JSON.stringify(doc), 'score.json');
    expect(diagnostics.length).toBeGreaterThanOrEqual(1);
    expect(diagnostics.every((d) => d.code === 'logic.eventPathForm' && /^write `event\.data\./.test(d.suggestion ?? ''))).toBe(true);
  });
});
