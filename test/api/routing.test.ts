// Route only where an event can act, through the real API on the dev server: a journey run is started only by an
// event that can open a cycle in it; suppressions, actions and conversions reach a run that is open and are
// "not routed" (with the reason) where none is, and start nothing. The answer says which, journey by journey.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import { journeyEventSignal, journeyWorkflowId } from '../../workflows/contract/index.ts';
import { readTrackingLog } from '../../activities/tracking/ndjson-log.ts';
import { cycleOpening, readsOnlyTheEvent } from '../../api/route-decision.ts';
import { CustomerLanes } from '../../api/ingest.ts';
import { countWorkflowServiceCalls } from '../../scripts/count-service-calls.ts';
import { shippedPlan } from '../interpreter/harness.ts';
import { auth, event, newCustomer, signalsIn, startApi, type ApiFixture } from './support.ts';

type Delivery = { journeyId: string; workflowId: string; outcome: string; reason?: string; roles: string[] };

describe('routing: started only where an event can open a cycle, signalled only to runs in flight', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await startApi();
  });
  afterAll(async () => {
    await f?.close();
  });

  const post = async (payload: Record<string, unknown>) => {
    const res = await f.api.inject({ method: 'POST', url: '/v1/events', headers: auth('ingest-key'), payload });
    expect(res.statusCode, res.body).toBe(202);
    return res.json() as { journeys: Delivery[]; customer: { outcome: string } };
  };
  const outcomes = (body: { journeys: Delivery[] }) => Object.fromEntries(body.journeys.map((j) => [j.journeyId, j.outcome]));
  const exists = async (workflowId: string) =>
    f.temporal.client.workflow
      .getHandle(workflowId)
      .describe()
      .then(
        () => true,
        (err: unknown) => {
          if (err instanceof WorkflowNotFoundError) return false;
          throw err;
        },
      );

  it('a detractor starts no journey run; each journey says why, and the NPS answer is still recorded for its report', async () => {
    const customer = newCustomer('detractor');
    const e = event(customer, { data: { score: 4 } });
    const body = await post(e);
    expect(body.customer.outcome).toBe('started');
    expect(new Set(Object.values(outcomes(body)))).toEqual(new Set(['not-routed']));
    const nps = body.journeys.find((j) => j.journeyId === 'nps-promoter-referral')!;
    expect(nps.reason).toContain(`no open run ${nps.workflowId}`);
    expect(nps.reason).toContain('Listen signal does not hold');
    expect(body.journeys.find((j) => j.journeyId === 'milestone-review-ask')!.reason).toContain(
      'suppress events only act on a run in flight',
    );
    for (const j of body.journeys) expect(await exists(j.workflowId)).toBe(false);
    // Every journey that names nps.submitted gets its nps.received record (the promoter rate's denominator).
    const { records } = await readTrackingLog(f.dataDir);
    const received = records.filter((r) => r.type === 'nps.received' && r.customerId === customer);
    expect(received.map((r) => r.journeyId).sort()).toEqual(body.journeys.map((j) => j.journeyId).sort());
    expect(received[0].data).toMatchObject({ eventId: e.id, nps: 4 });
    // Operators see the same per journey in the metrics.
    const metrics = (await f.api.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(
      /journey_api_journey_deliveries_total\{type="nps.submitted",journey="nps-promoter-referral",outcome="not-routed"\} [1-9]/,
    );
  });

  it('a promoter starts only the journey it can open a cycle in; a milestone only the milestone journey, and only a listed one', async () => {
    const customer = newCustomer('promoter');
    expect(outcomes(await post(event(customer, { data: { score: 9 } })))).toEqual({
      'nps-promoter-referral': 'started',
      'milestone-review-ask': 'not-routed',
      'strategic-reference-advisory': 'not-routed',
      'support-praise-advocacy': 'not-routed',
    });
    const other = await post(event(customer, { type: 'milestone.reached', data: { milestone: 'feature-adopted' } }));
    expect(outcomes(other)).toEqual({ 'milestone-review-ask': 'not-routed' });
    expect(other.journeys[0].reason).toContain('Listen signal does not hold');
    expect(outcomes(await post(event(customer, { type: 'milestone.reached', data: { milestone: 'go-live' } })))).toEqual({
      'milestone-review-ask': 'started',
    });
    // The second promoter answer reaches the open run: signalled, not started again.
    expect(outcomes(await post(event(customer, { data: { score: 10 } })))['nps-promoter-referral']).toBe('signalled');
  });

  it("a new customer's first event makes no call to the journeys it cannot start a run in; a known customer's signals them", async () => {
    await post(event(newCustomer('warm-up'), { data: { score: 3 } })); // the API's first call asks the server's version
    // Every call the API makes to Temporal, by method, while one event is routed.
    const callsFor = async (payload: Record<string, unknown>) => {
      const counting = countWorkflowServiceCalls(f.temporal.client.workflowService);
      try {
        return { body: await post(payload), calls: Object.fromEntries(counting.calls) };
      } finally {
        counting.restore();
      }
    };
    const customer = newCustomer('first');
    const first = await callsFor(event(customer, { data: { score: 9 } }));
    expect(first.body.customer.outcome).toBe('started');
    expect(outcomes(first.body)['nps-promoter-referral']).toBe('started');
    // customer:<id> and the one journey run it starts: 2 calls, not 2 plus a "not found" signal per other journey.
    expect(first.calls).toEqual({ signalWithStartWorkflowExecution: 2 });
    for (const j of first.body.journeys.filter((d) => d.journeyId !== 'nps-promoter-referral')) {
      expect(j.outcome, j.journeyId).toBe('not-routed');
      expect(j.reason, j.journeyId).toContain(`this event started customer:${customer}, so no run ${j.workflowId} is open`);
      expect(await exists(j.workflowId), j.journeyId).toBe(false);
    }
    // The customer is known now: the journeys without a run are signalled (any of them could have a run by now).
    const again = await callsFor(event(customer, { data: { score: 4 } }));
    expect(again.body.customer.outcome).toBe('signalled');
    expect(outcomes(again.body)).toEqual({
      'nps-promoter-referral': 'signalled',
      'milestone-review-ask': 'not-routed',
      'strategic-reference-advisory': 'not-routed',
      'support-praise-advocacy': 'not-routed',
    });
    expect(again.calls).toEqual({ signalWithStartWorkflowExecution: 1, signalWorkflowExecution: 4 });
    expect(again.body.journeys.find((j) => j.journeyId === 'milestone-review-ask')!.reason).toContain('no open run');
  });

  it('suppression, action and conversion events reach existing runs only', async () => {
    const advocate = newCustomer('advocate');
    const referred = newCustomer('referred');
    const suppression = () => event(advocate, { type: 'payment.failed', data: { invoiceId: 'INV-1' } });
    const action = () => event(advocate, { type: 'review.posted', data: { site: 'g2', rating: 5 } });
    const conversion = () =>
      event(referred, { type: 'deal.closed_won', data: { referrerId: advocate, referralId: 'R-1', dealId: 'D-1', amount: 12000 } });

    // No run yet: nothing starts, anywhere.
    for (const e of [suppression(), action(), conversion()]) {
      const body = await post(e);
      expect(new Set(Object.values(outcomes(body))), e.type).toEqual(new Set(['not-routed']));
      expect(body.journeys.every((j) => j.reason?.includes('only act on a run in flight'))).toBe(true);
    }
    for (const journeyId of ['nps-promoter-referral', 'milestone-review-ask', 'strategic-reference-advisory', 'support-praise-advocacy']) {
      expect(await exists(journeyWorkflowId(journeyId, advocate)), journeyId).toBe(false);
      expect(await exists(journeyWorkflowId(journeyId, referred)), journeyId).toBe(false);
    }

    // Runs in flight in two journeys.
    await post(event(advocate, { data: { score: 10 } }));
    await post(event(advocate, { type: 'milestone.reached', data: { milestone: 'go-live' } }));

    const held = suppression();
    expect(outcomes(await post(held))).toEqual({
      'nps-promoter-referral': 'signalled',
      'milestone-review-ask': 'signalled',
      'strategic-reference-advisory': 'not-routed',
      'support-praise-advocacy': 'not-routed',
    });
    const acted = action();
    expect(outcomes(await post(acted))).toEqual({ 'milestone-review-ask': 'signalled', 'support-praise-advocacy': 'not-routed' });
    const won = conversion();
    const wonBody = await post(won);
    expect(outcomes(wonBody)).toEqual({ 'nps-promoter-referral': 'signalled', 'strategic-reference-advisory': 'not-routed' });
    expect(wonBody.journeys.find((j) => j.outcome === 'signalled')?.workflowId).toBe(journeyWorkflowId('nps-promoter-referral', advocate));
    expect(await exists(journeyWorkflowId('nps-promoter-referral', referred))).toBe(false);

    const npsSignals = await signalsIn(f.temporal, journeyWorkflowId('nps-promoter-referral', advocate), journeyEventSignal);
    expect(npsSignals.map((s) => s.id)).toEqual(expect.arrayContaining([held.id, won.id]));
    expect(npsSignals.map((s) => s.id)).not.toContain(acted.id);
    const milestoneSignals = await signalsIn(f.temporal, journeyWorkflowId('milestone-review-ask', advocate), journeyEventSignal);
    expect(milestoneSignals.map((s) => s.id)).toEqual(expect.arrayContaining([held.id, acted.id]));
  });

  it('an action no run was in flight for is recorded as action.ignored for each journey that names it, never left without a trace', async () => {
    // The chaos run's race (bench/README.md, chaos, stop 56): the action reaches the API just before the praise
    // that opens the cycle, so no run can take it yet; the run the praise then starts reads it among the
    // customer's facts, which apply standing rules only. Before, the accepted action left no tracking record.
    const customer = newCustomer('early-action');
    const joined = event(customer, { type: 'community.joined', data: { channel: 'slack' } });
    const body = await post(joined);
    expect(new Set(Object.values(outcomes(body)))).toEqual(new Set(['not-routed']));
    const asAction = body.journeys.filter((j) => j.roles.includes('actions')).map((j) => j.journeyId);
    expect(asAction).toContain('support-praise-advocacy');
    const praise = event(customer, {
      type: 'support.case_closed',
      data: { caseId: 'C-1', csat: 5, praise: true },
    });
    expect(outcomes(await post(praise))['support-praise-advocacy']).toBe('started');

    const { records } = await readTrackingLog(f.dataDir);
    const ignored = records.filter((r) => r.type === 'action.ignored' && r.customerId === customer);
    expect(ignored.map((r) => r.journeyId).sort()).toEqual([...asAction].sort());
    for (const r of ignored)
      expect(r).toMatchObject({ stage: 'listen', data: { eventType: 'community.joined', eventId: joined.id, routed: false } });
    // Sent again (a retry after a lost answer): the same record, written once.
    await post(joined);
    const again = (await readTrackingLog(f.dataDir)).records.filter((r) => r.type === 'action.ignored' && r.customerId === customer);
    expect(again).toHaveLength(asAction.length);
  });

  it("a batch's events of one customer are routed in order, other customers' at once (customer lanes)", async () => {
    const lanes = new CustomerLanes();
    const log: string[] = [];
    const gates = new Map<string, () => void>();
    const task = (name: string) => () =>
      new Promise<string>((resolve) => {
        log.push(`start ${name}`);
        gates.set(name, () => {
          log.push(`end ${name}`);
          resolve(name);
        });
      });
    const a1 = lanes.run('a', task('a1'));
    const a2 = lanes.run('a', task('a2'));
    const b1 = lanes.run('b', task('b1'));
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual(['start a1', 'start b1']); // a2 waits for a1; b1 does not wait for anyone
    gates.get('b1')!();
    gates.get('a1')!();
    await Promise.all([a1, b1]);
    await new Promise((r) => setTimeout(r, 10));
    expect(log.slice(-1)).toEqual(['start a2']);
    gates.get('a2')!();
    expect(await a2).toBe('a2');
    // A failed event does not block the next one of its customer.
    await expect(lanes.run('a', () => Promise.reject(new Error('Temporal did not take it')))).rejects.toThrow('did not take');
    expect(await lanes.run('a', async () => 'next')).toBe('next');
    await new Promise((r) => setTimeout(r, 10));
    expect(lanes.busy).toBe(0); // finished lanes are forgotten
  });

  it('a Listen condition that reads more than the event is left to the run: such an event may start it', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    expect(readsOnlyTheEvent({ '>=': [{ var: 'event.score' }, 9] })).toBe(true);
    expect(readsOnlyTheEvent({ and: [{ '>=': [{ var: 'event.score' }, 9] }, { '==': [{ var: 'traits.segment' }, 'smb'] }] })).toBe(false);
    plan.definition.listen.signals[0].when = { and: [{ '>=': [{ var: 'event.score' }, 9] }, { '==': [{ var: 'traits.segment' }, 'smb'] }] };
    const low = event('c', { data: { score: 2 } }) as never;
    expect(cycleOpening(plan, low)).toMatchObject({ opens: true, judgedBy: 'run' });
    plan.definition.listen.signals[0].when = { '>=': [{ var: 'event.score' }, 9] };
    expect(cycleOpening(plan, low)).toMatchObject({ opens: false });
    expect(cycleOpening(plan, event('c', { data: { score: 9 } }) as never)).toMatchObject({ opens: true, judgedBy: 'event' });
  });
});
