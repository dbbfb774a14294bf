// Routing less loses no rule: an event that cannot open a cycle starts no journey run, customer:<id> keeps it, and a
// run a later delight starts reads it and applies the plan's rule as of the time it happened. The four shipped
// journeys, routed by the API's own routeEvent, on the time-skipping server, with the real customer workflow and
// contact-slot activity (the harness's client).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowNotFoundError } from '@temporalio/client';
import { journeyWorkflowId, type JourneyEvent } from '../workflows/contract/index.ts';
import { routeEvent } from '../api/routing.ts';
import { loadJourneyDir } from '../definitions/loader.ts';
import type { CompiledPlan } from '../definitions/plan.ts';
import { createTimeSkippingEnv } from './support/temporal.ts';
import {
  createHarness,
  createTimeSkippingEnvWithSearchAttributes,
  DAY,
  event,
  nextUtc,
  state,
  type Harness,
} from './interpreter/harness.ts';

const NPS = 'nps-promoter-referral';
const traits = { email: 'robin@example.com', firstName: 'Robin', timezone: 'America/New_York', healthScore: 90, segment: 'smb' };

describe('routing only where an event can act (time-skipping server, shipped journeys)', () => {
  let env: TestWorkflowEnvironment;
  let plans: CompiledPlan[];
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
    plans = (await loadJourneyDir()).plans;
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  async function route(h: Harness, e: JourneyEvent) {
    const routed = await routeEvent(env.client, h.taskQueue, e, plans);
    for (const j of routed.journeys) if (j.outcome === 'started') h.handles.push(env.client.workflow.getHandle(j.workflowId));
    return routed;
  }
  const outcomes = (routed: Awaited<ReturnType<typeof route>>) => Object.fromEntries(routed.journeys.map((j) => [j.journeyId, j.outcome]));
  async function noRun(workflowId: string) {
    await expect(env.client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  }
  async function toMondayMorning() {
    const t = nextUtc(await env.currentTimeMs(), 1, 15);
    await env.sleep(t - (await env.currentTimeMs()));
  }

  it('a detractor with no run starts no journey run, and a promoter a day later is held by the detractor rule', async () => {
    const h = await createHarness(env.nativeConnection, { client: env.client });
    const customer = `detractor-${Date.now().toString(36)}`;
    h.handles.push(env.client.workflow.getHandle(journeyWorkflowId(NPS, customer)));
    await h.run(async () => {
      await toMondayMorning();
      const detractorAt = await env.currentTimeMs();
      const detractor = await route(h, event('nps.submitted', customer, { score: 3 }, { traits }));
      expect(outcomes(detractor)).toEqual({
        [NPS]: 'not-routed',
        'milestone-review-ask': 'not-routed',
        'strategic-reference-advisory': 'not-routed',
        'support-praise-advocacy': 'not-routed',
      });
      expect(detractor.journeys.find((j) => j.journeyId === NPS)?.reason).toMatch(/no open run .* Listen signal does not hold/);
      expect(detractor.customer.outcome).toBe('started');
      for (const j of detractor.journeys) await noRun(j.workflowId);

      await env.sleep(DAY);
      const promoter = await route(h, event('nps.submitted', customer, { score: 10 }, { traits }));
      expect(outcomes(promoter)[NPS]).toBe('started');
      expect(outcomes(promoter)['milestone-review-ask']).toBe('not-routed');
      await env.sleep(5 * DAY);

      const run = await state(env.client.workflow.getHandle(journeyWorkflowId(NPS, customer)));
      expect(run.stage).toBe('listen'); // the delight may not open a cycle: the detractor's 60-day hold
      expect(run.suppression.hold?.rule).toBe('detractor');
      // The hold runs from the detractor's answer, not from the run's start.
      expect(Date.parse(run.suppression.hold!.until) - detractorAt).toBeLessThan(60 * DAY + DAY);
      expect(run.history.lastNps).toBe(10);
      expect(run.notes.map((n) => n.text).join('\n')).toMatch(/delight promoter .* ignored: detractor/);
      expect(await h.outbox()).toHaveLength(0);
    });
  });

  it('an escalation opened while no run was open holds the ask of a run a later promoter starts, until resolve and cool-down', async () => {
    const h = await createHarness(env.nativeConnection, { client: env.client });
    const customer = `escalated-${Date.now().toString(36)}`;
    await h.run(async () => {
      await toMondayMorning();
      const opened = await route(h, event('escalation.opened', customer, { escalationId: 'ESC-7', severity: 'high' }));
      expect(new Set(Object.values(outcomes(opened)))).toEqual(new Set(['not-routed']));
      await noRun(journeyWorkflowId(NPS, customer));

      await env.sleep(DAY);
      const promoter = await route(h, event('nps.submitted', customer, { score: 9 }, { traits }));
      expect(outcomes(promoter)[NPS]).toBe('started');
      const handle = env.client.workflow.getHandle(journeyWorkflowId(NPS, customer));
      await env.sleep(10 * DAY);
      const held = await state(handle);
      expect(held.stage).toBe('invite'); // the delight opened a cycle; open issues only delay the ask
      expect(held.suppression.openIssues).toEqual([expect.objectContaining({ rule: 'open-escalation', key: 'ESC-7' })]);
      expect(held.suppressed?.reason).toContain('open escalation');
      expect(await h.outbox()).toHaveLength(0);

      // The run is open now: the resolve is signalled to it.
      const resolved = await route(h, event('escalation.resolved', customer, { escalationId: 'ESC-7' }));
      expect(outcomes(resolved)[NPS]).toBe('signalled');
      expect(outcomes(resolved)['milestone-review-ask']).toBe('not-routed');
      await env.sleep(12 * DAY);
      expect(await h.outbox()).toHaveLength(0); // the journey's 14-day cool-down after the resolve
      await env.sleep(5 * DAY);
      expect(await h.outbox()).toHaveLength(1);
    });
  });
});
