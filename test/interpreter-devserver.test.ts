// End to end on the dev server: a run found by its search attributes (JourneyId, CustomerId, JourneyStage,
// AdvocacyMotion, Suppressed), current details for the UI, and a deploy-time upgrade applied back in Listen.
import { JOURNEY_WORKFLOW_TYPE, journeyEventSignal, journeyWorkflowId, upgradePlanSignal } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { connectDevServer, type DevServerClients } from './support/temporal.ts';
import { createHarness, event, shippedPlan, state } from './interpreter/harness.ts';
import { eventually } from './support/wait.ts';

describe('interpreter end to end (dev server)', () => {
  let dev: DevServerClients;
  beforeAll(async () => {
    dev = await connectDevServer();
  });
  afterAll(async () => {
    await dev?.close();
  });

  it('a promoter run shows its stage and motion in visibility, holds while an escalation is open, and moves to v2 back in Listen', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    plan.definition.motions.referral.invite.firstAskDelay = 'PT1S';
    plan.definition.motions.referral.invite.sendWindow = {
      days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      start: '00:00',
      end: '23:59',
    };
    plan.definition.motions.referral.activate.timeout = 'PT6S';
    plan.definition.listen.reentry = { allowed: true };
    delete plan.definition.contactPolicy;
    plan.definition.suppression.whileOpen![0].coolDown = 'PT2S';
    const customerId = `e2e-${randomUUID().slice(0, 8)}`;
    const h = await createHarness(dev.workerConnection, { scriptedSlots: true });
    const workflowId = journeyWorkflowId(plan.journeyId, customerId);
    await h.run(async () => {
      await dev.client.workflow.signalWithStart(JOURNEY_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: h.taskQueue,
        args: [{ plan, customerId }],
        signal: journeyEventSignal,
        signalArgs: [
          event(
            'escalation.opened',
            customerId,
            { escalationId: 'E1' },
            { traits: { email: `${customerId}@example.com`, healthScore: 90 } },
          ),
        ],
      });
      h.handles.push(dev.client.workflow.getHandle(workflowId));
      const handle = dev.client.workflow.getHandle(workflowId);
      await handle.signal(journeyEventSignal, event('nps.submitted', customerId, { score: 10 }));
      const query = `WorkflowType = '${JOURNEY_WORKFLOW_TYPE}' AND CustomerId = '${customerId}' AND JourneyStage = 'invite' AND AdvocacyMotion = 'referral' AND Suppressed = true`;
      const held = await eventually(
        async () => {
          const out = [];
          for await (const w of dev.client.workflow.list({ query })) out.push(w);
          return out;
        },
        (x) => x.length === 1,
      );
      expect(held).toHaveLength(1);
      expect(held[0].searchAttributes).toBeDefined();
      expect(await h.outbox()).toHaveLength(0);

      // Deploy v2 while the run is mid-cycle: it applies only when the run is back in Listen.
      const v2 = structuredClone(plan);
      v2.version = 2;
      v2.hash = 'v2-hash';
      await handle.signal(upgradePlanSignal, v2);
      expect((await state(handle)).journeyVersion).toBe(1);
      await handle.signal(journeyEventSignal, event('escalation.resolved', customerId, { escalationId: 'E1' }));
      await eventually(
        () => h.outbox(),
        (x) => x.length >= 1,
      );
      expect((await h.outbox())[0].sendKey).toBe(`${workflowId}:1:invite:referral:1`);
      // No action within the timeout → cycle ends → continue-as-new onto v2.
      const after = await eventually(
        () => state(handle).catch(() => undefined),
        (s) => s?.journeyVersion === 2,
        30_000,
      );
      expect(after?.journeyVersion).toBe(2);
      expect(after?.cycle).toBe(2);
      expect(
        (
          await eventually(
            async () => {
              const o = [];
              for await (const w of dev.client.workflow.list({ query: `CustomerId = '${customerId}' AND JourneyVersion = '2'` })) o.push(w);
              return o;
            },
            (x) => x.length === 1,
          )
        ).length,
      ).toBe(1);
    });
  }, 90_000);
});
