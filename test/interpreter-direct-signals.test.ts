// An event signalled straight to a run (the official client, not the API) gets the same door inside the workflow:
// one naming another customer, of a type the journey does not take, with data its catalog schema refuses, or with
// traits no ask could use is refused with a note, never acted on. The shipped nps-promoter-referral journey on the
// time-skipping server, the real email activity writing to the outbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from './support/temporal.ts';
import {
  createTimeSkippingEnvWithSearchAttributes,
  createHarness,
  DAY,
  event,
  sendEvent,
  shippedPlan,
  state,
} from './interpreter/harness.ts';

const traits = (email: string) => ({ email, firstName: 'Ada', timezone: 'Europe/Berlin', healthScore: 90, segment: 'mid-market' });

describe('events signalled straight to a run (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('are refused with a note when they name another customer, carry score "ten", an unknown type or an unusable address; a good one is then taken', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      // Customer B's promoter answer, signalled to A's run: A must not be asked (nor B through A's run).
      const run = await sendEvent(
        env.client,
        h,
        plan,
        'direct-a',
        event('nps.submitted', 'direct-b', { score: 10 }, { traits: traits('b@b.example') }),
      );
      await run.signal('journeyEvent', event('nps.submitted', 'direct-a', { score: 'ten' }, { traits: traits('a@a.example') }));
      await run.signal('journeyEvent', event('made.up', 'direct-a', { score: 10 }));
      await run.signal(
        'journeyEvent',
        event('nps.submitted', 'direct-a', { score: 10 }, { traits: { ...traits('notanemail'), timezone: 'Mars/Olympus' } }),
      );
      await env.sleep(5 * DAY);
      const refused = await state(run);
      expect(refused.stage).toBe('listen');
      expect(refused.asks).toEqual([]);
      expect(refused.traits).toEqual({}); // nothing of the refused events was merged
      expect(await h.outbox()).toEqual([]);
      const notes = refused.notes.map((n: { text: string }) => n.text);
      expect(notes).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^refused nps\.submitted .*: it names customer "direct-b", and this run is direct-a's$/),
          expect.stringMatching(/^refused nps\.submitted .*: \/data\/score is string, not integer$/),
          expect.stringMatching(/^refused made\.up .*: type "made\.up" is not an event this journey takes$/),
          expect.stringMatching(
            /^refused nps\.submitted .*\/traits\/email is not an email address; \/traits\/timezone is not an IANA time zone$/,
          ),
        ]),
      );

      await run.signal('journeyEvent', event('nps.submitted', 'direct-a', { score: 10 }, { traits: traits('a@a.example') }));
      await env.sleep(5 * DAY);
      const taken = await state(run);
      expect(taken.asks).toHaveLength(1);
      expect((await h.outbox()).map((m) => m.to)).toEqual(['a@a.example']);
    });
  });
});
