// Qualify reads the customer's advocate score from customer:<id> (time-skipping server, real customer workflow and
// real readAdvocateScore activity): a rule on history.advocateScore sends a strong advocate to a different motion.
import { CUSTOMER_WORKFLOW_TYPE, customerEventSignal, customerStartOptions } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from './support/temporal.ts';
import { validateDefinitionBody } from '../api/definition-validator.ts';
import {
  createTimeSkippingEnvWithSearchAttributes,
  createHarness,
  event,
  sendEvent,
  shippedPlan,
  state,
  type Harness,
} from './interpreter/harness.ts';

describe('Qualify on the advocate score (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  /** Starts customer:<id> with the given scored events, as the API forwards them. */
  async function scoreCustomer(h: Harness, customerId: string, types: string[]) {
    const occurredAt = new Date(await env.currentTimeMs()).toISOString();
    for (const type of types) {
      await env.client.workflow.signalWithStart(CUSTOMER_WORKFLOW_TYPE, {
        ...customerStartOptions(customerId, h.taskQueue),
        signal: customerEventSignal,
        signalArgs: [event(type, customerId, {}, { occurredAt })],
      });
    }
  }

  it('a qualify rule on history.advocateScore picks case-study for a score of 45 and the default referral for a score of 10', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    plan.definition.qualify.rules.unshift(
      {
        id: 'strong-advocate',
        when: { '>=': [{ var: 'history.advocateScore' }, 40] },
        motion: 'case-study',
        reason: 'advocate score 40 or more',
      },
      { id: 'champion', when: { '==': [{ var: 'history.advocateTier' }, 'champion'] }, motion: 'case-study', reason: 'champion tier' },
    );
    // A marketer can write this rule: the compiler knows history.advocateScore from the catalog.
    expect((await validateDefinitionBody(plan.definition)).filter((d) => d.severity === 'error')).toEqual([]);
    const h = await createHarness(env.nativeConnection, { client: env.client });
    await h.run(async () => {
      await scoreCustomer(h, 'score-high', ['case_study.published', 'reference_call.completed']); // 25 + 20
      await scoreCustomer(h, 'score-low', ['milestone.reached']); // 10
      const runs = [];
      for (const customerId of ['score-high', 'score-low']) {
        const traits = { email: `${customerId}@example.com`, firstName: 'Ada', healthScore: 90 };
        runs.push(await sendEvent(env.client, h, plan, customerId, event('nps.submitted', customerId, { score: 10 }, { traits })));
      }
      await env.sleep('1 minute');
      const [high, low] = await Promise.all(runs.map((r) => state(r)));
      expect(high.qualification).toMatchObject({ rule: 'strong-advocate', motion: 'case-study' });
      expect(high.history).toMatchObject({ advocateScore: 45, advocateTier: 'advocate' });
      expect(low.qualification).toMatchObject({ rule: 'otherwise', motion: 'referral' });
      expect(low.history).toMatchObject({ advocateScore: 10, advocateTier: 'none' });
    });
  }, 60_000);

  it('a customer without a customer workflow qualifies without a score (the rule sees null)', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    plan.definition.qualify.rules.unshift({
      id: 'strong-advocate',
      when: { '>=': [{ var: 'history.advocateScore' }, 40] },
      motion: 'case-study',
    });
    const h = await createHarness(env.nativeConnection, { client: env.client });
    await h.run(async () => {
      const run = await sendEvent(
        env.client,
        h,
        plan,
        'score-none',
        event('nps.submitted', 'score-none', { score: 10 }, { traits: { email: 'n@example.com', healthScore: 90 } }),
      );
      await env.sleep('1 minute');
      const s = await state(run);
      expect(s.qualification).toMatchObject({ rule: 'otherwise', motion: 'referral' });
      expect(s.history.advocateScore).toBeUndefined();
    });
  }, 60_000);
});
