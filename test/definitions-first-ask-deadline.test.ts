// "A first-ask delay past the Activate deadline is an error": a journey whose first ask can only come once the time
// Activate gives the customer to act has gone by is refused by `journey validate` and the API's validate, naming
// the field; one whose send window can push the ask past it is a warning. No shipped journey trips either.
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { validateDefinitionBody } from '../api/definition-validator.ts';
import { checkFirstAskDeadline, longestWindowPush } from '../definitions/compiler/schedule-check.ts';
import type { AdvocacyJourneyDefinition, MotionPlan } from '../definitions/generated/journey.ts';
import { globalQuietHours, JOURNEYS_DIR } from '../definitions/loader.ts';
import { durationMs } from '../definitions/duration.ts';

const root = join(import.meta.dirname, '..');
const HOUR = 3_600_000;
const shipped = readdirSync(JOURNEYS_DIR).filter((f) => f.endsWith('.json'));
const readJourney = (file: string) => JSON.parse(readFileSync(join(JOURNEYS_DIR, file), 'utf8')) as AdvocacyJourneyDefinition;
const nps = () => readJourney('nps-promoter-referral.json');
const firstAskProblems = (body: unknown) => validateDefinitionBody(body).filter((d) => d.code === 'schedule.firstAskPastDeadline');

describe('the longest wait for the send window', () => {
  it('weekdays 09:00-17:00: a delight on Friday at 17:00 waits until Monday 09:00 (64 h)', () => {
    expect(longestWindowPush({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }, [])).toBe(64 * HOUR);
  });

  it('quiet hours shut part of the window: 09:00-17:00 with quiet hours 13:00-08:00 waits from Friday 13:00 (68 h)', () => {
    const window = { days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, start: '09:00', end: '17:00' };
    expect(longestWindowPush({ ...window, days: [...window.days] }, [{ start: '13:00', end: '08:00' }])).toBe(68 * HOUR);
  });

  it('a window every day, all day, never makes an ask wait; one that never opens gives no figure', () => {
    const all = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
    expect(longestWindowPush({ days: [...all], start: '00:00', end: '23:59' }, [])).toBe(60_000);
    expect(longestWindowPush({ days: ['mon'], start: '09:00', end: '17:00' }, [{ start: '08:00', end: '18:00' }])).toBeUndefined();
  });
});

describe('a first ask past the Activate deadline', () => {
  it('no shipped journey trips it, nor comes within a send-window wait of it (with the global quiet hours)', () => {
    const quiet = globalQuietHours() ?? undefined;
    expect(quiet, 'the shipped contact policy has quiet hours to check against').toBeDefined();
    for (const file of shipped) {
      const def = readJourney(file);
      expect(checkFirstAskDeadline(def, quiet), file).toEqual([]);
      for (const [motion, plan] of Object.entries(def.motions) as [string, MotionPlan][]) {
        const slack = durationMs(plan.activate.timeout) - durationMs(plan.invite.firstAskDelay);
        expect(slack, `${file} ${motion}`).toBeGreaterThan(longestWindowPush(plan.invite.sendWindow, [quiet!])!);
      }
    }
  });

  it('a first-ask delay as long as the activate timeout is an error at the delay, through the API validate', () => {
    const def = nps();
    def.motions.referral!.invite.firstAskDelay = 'P21D';
    const found = firstAskProblems(def);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ pointer: '/motions/referral/invite/firstAskDelay', severity: 'error' });
    expect(found[0].message).toContain('waits 21 days after the delight, yet Activate gives the customer only 21 days');
    expect(found[0].suggestion).toContain('were the two swapped?');
    // One day shorter, and the Friday-evening delight still lands past it: a warning, and the plan compiles.
    def.motions.referral!.invite.firstAskDelay = 'P20D';
    expect(firstAskProblems(def)).toMatchObject([{ severity: 'warning', pointer: '/motions/referral/invite/firstAskDelay' }]);
    // The shipped P2D has 19 days to spare.
    def.motions.referral!.invite.firstAskDelay = 'P2D';
    expect(firstAskProblems(def)).toEqual([]);
  });

  it("the journey's own quiet hours lengthen the worst wait and so can raise the warning", () => {
    const def = nps();
    def.motions.referral!.invite.firstAskDelay = 'P18DT2H';
    expect(firstAskProblems(def)).toEqual([]); // 18 days 2 h + 64 h < 21 days
    def.contactPolicy = { ...def.contactPolicy!, quietHours: { start: '10:00', end: '08:00' } }; // open 09:00-10:00 only
    // Friday 10:00 to Monday 09:00 is 71 h: 18 days 2 h + 71 h is past 21 days.
    expect(firstAskProblems(def)).toMatchObject([{ severity: 'warning', message: expect.stringContaining('2 days 23 h later') }]);
  });

  it("an experiment arm's first-ask delay is checked against its own motion's timeout, at the arm's field", () => {
    const def = readJourney('milestone-review-ask.json');
    const x = def.experiment!;
    const motion = def.motions[x.motion as keyof typeof def.motions] as MotionPlan;
    x.arms[1] = { ...x.arms[1], invite: { ...x.arms[1].invite, firstAskDelay: motion.activate.timeout } };
    const found = firstAskProblems(def);
    expect(found).toMatchObject([{ pointer: '/experiment/arms/1/invite/firstAskDelay', severity: 'error' }]);
    expect(found[0].message).toContain(`arm \`${x.arms[1].id}\`'s first ask`);
  });

  it('a zero activate timeout is reported once, as zero, not also as a deadline the first ask misses', () => {
    const def = nps();
    def.motions.referral!.activate.timeout = 'PT0S';
    def.motions.referral!.invite.reminders = [];
    const errors = validateDefinitionBody(def).filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.code)).toEqual(['duration.zero']);
  });

  it('journey validate exits 1 and prints the error at the delay with file:line:col', async () => {
    const file = 'test/definitions/broken/first-ask-past-deadline.json';
    const run = promisify(execFile);
    const failed = await run(process.execPath, ['cli/journey.mjs', 'validate', file], { cwd: root, encoding: 'utf8' }).then(
      () => undefined,
      (e: { code: number; stdout: string }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toMatch(
      /^test\/definitions\/broken\/first-ask-past-deadline\.json:\d+:\d+ {2}\/motions\/referral\/invite\/firstAskDelay {2}the first ask of motion `referral` waits 21 days/m,
    );
  });
});
