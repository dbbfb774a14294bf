// Event ingest against the real dev server: each event is taken once, routed to every active journey that names its
// type and to the customer's own workflow; bad events get pointers; a batch answers every item.
import { customerEventSignal, journeyEventSignal } from '../../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_REFERRAL_CODE_SECRET, mintReferralCode } from '../../api/referral-code.ts';
import { auth, event, newCustomer, postEvent, signalsIn, startApi, type ApiFixture } from './support.ts';

describe('POST /v1/events', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await startApi();
  });
  afterAll(async () => {
    await f?.close();
  });

  const post = (payload: unknown, key = 'ingest-key') =>
    f.api.inject({ method: 'POST', url: '/v1/events', headers: auth(key), payload: payload as object });

  it('starts journey:<journeyId>:<customerId> with the plan pinned and signals the customer workflow (202)', async () => {
    const customer = newCustomer();
    const e = event(customer, { traits: { email: 'ada@example.com', segment: 'smb' } });
    const res = await post(e);
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({
      id: e.id,
      status: 'accepted',
      duplicate: false,
      customer: { workflowId: `customer:${customer}`, outcome: 'started' },
    });
    // nps.submitted: the nps-promoter-referral journey listens to it; every shipped journey suppresses on it.
    const ids = body.journeys.map((j: { workflowId: string }) => j.workflowId).sort();
    expect(ids).toEqual(
      ['milestone-review-ask', 'nps-promoter-referral', 'strategic-reference-advisory', 'support-praise-advocacy'].map(
        (j) => `journey:${j}:${customer}`,
      ),
    );
    const nps = body.journeys.find((j: { journeyId: string }) => j.journeyId === 'nps-promoter-referral');
    expect(nps).toMatchObject({ outcome: 'started', roles: ['listen', 'suppress'], version: expect.any(Number) });

    const run = await f.temporal.client.workflow.getHandle(`journey:nps-promoter-referral:${customer}`).describe();
    expect(run.type).toBe('advocacyJourney');
    expect(run.taskQueue).toBe(f.taskQueue);
    expect(
      run.typedSearchAttributes
        .getAll()
        .map((p) => [p.key.name, p.value])
        .sort(),
    ).toEqual([
      ['CustomerId', customer],
      ['JourneyId', 'nps-promoter-referral'],
      ['JourneyVersion', String(nps.version)],
    ]);
    // Stamped with when Temporal took it (the runs measure attribution and reversal windows to it).
    const taken = { ...e, receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) };
    expect(await signalsIn(f.temporal, `journey:nps-promoter-referral:${customer}`, journeyEventSignal)).toEqual([taken]);
    expect(await signalsIn(f.temporal, `customer:${customer}`, customerEventSignal)).toEqual([taken]);

    const second = await post(event(customer, { data: { score: 9 } }));
    expect(second.json().journeys.find((j: { journeyId: string }) => j.journeyId === 'nps-promoter-referral').outcome).toBe('signalled');
  });

  it('the same event id sent 5 times at once has one effect, and every caller gets the same answer', async () => {
    const customer = newCustomer();
    const e = event(customer, { type: 'milestone.reached', data: { milestone: 'go-live' } });
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(e)));
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202, 202, 202]);
    const bodies = answers.map((a) => a.json());
    expect(bodies.filter((b) => b.duplicate === false)).toHaveLength(1);
    for (const b of bodies) expect({ ...b, duplicate: undefined }).toEqual({ ...bodies[0], duplicate: undefined });
    expect(await signalsIn(f.temporal, `journey:milestone-review-ask:${customer}`, journeyEventSignal)).toHaveLength(1);
    expect(await signalsIn(f.temporal, `customer:${customer}`, customerEventSignal)).toHaveLength(1);
    // A later retry too.
    const retry = await post(e);
    expect(retry.json()).toMatchObject({ duplicate: true, journeys: bodies[0].journeys });
    expect(await signalsIn(f.temporal, `journey:milestone-review-ask:${customer}`, journeyEventSignal)).toHaveLength(1);
  });

  it('an id reused for a different event is a 409 conflict', async () => {
    const e = event(newCustomer());
    expect((await post(e)).statusCode).toBe(202);
    const res = await post({ ...e, data: { score: 3 } });
    expect(res.statusCode).toBe(409);
    expect(res.json().errors[0].pointer).toBe('/id');
  });

  it('a bad event is 400 with JSON pointers to each problem, and nothing is started', async () => {
    const customer = newCustomer();
    const missing = await post({ id: 'x', type: 'nps.submitted', occurredAt: new Date().toISOString() });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors).toContainEqual(expect.objectContaining({ pointer: '/customerId' }));

    const badData = await post(event(customer, { data: { score: 11 }, traits: { segment: 'galactic' } }));
    expect(badData.statusCode).toBe(400);
    const pointers = badData.json().errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/data/score', '/traits/segment']));

    const unknown = await post(event(customer, { type: 'nps.submited' }));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0]).toMatchObject({ pointer: '/type' });
    expect(unknown.json().errors[0].message).toContain('nps.submitted');

    await expect(f.temporal.client.workflow.getHandle(`customer:${customer}`).describe()).rejects.toThrow(/not found/i);
  });

  it("a conversion about a referred person goes to the referrer's open run (by its opaque referral code or referrer id)", async () => {
    const advocate = newCustomer('advocate');
    const referred = newCustomer('referred');
    // The advocate's run is open (a promoter score started it); the API put the advocate's code in its input.
    await post(event(advocate, { data: { score: 10 } }));
    const runId = `journey:nps-promoter-referral:${advocate}`;
    const started = (await f.temporal.client.workflow.getHandle(runId).fetchHistory()).events![0].workflowExecutionStartedEventAttributes!;
    const { defaultPayloadConverter } = await import('@temporalio/common');
    const code = defaultPayloadConverter.fromPayload<{ referralCode: string }>(started.input!.payloads![0]).referralCode;
    expect(code).toBe(mintReferralCode(DEV_REFERRAL_CODE_SECRET, 'nps-promoter-referral', advocate));
    expect(code).not.toContain(Buffer.from(advocate).toString('base64url').slice(0, 8));

    const byCode = await post(event(referred, { type: 'deal.closed_won', data: { referralId: 'r1', amount: 1200, referralCode: code } }));
    expect(byCode.statusCode).toBe(202);
    expect(byCode.json().journeys).toContainEqual(
      expect.objectContaining({ journeyId: 'nps-promoter-referral', workflowId: runId, roles: ['conversions'], outcome: 'signalled' }),
    );
    const byId = await post(event(referred, { type: 'opportunity.created', data: { referralId: 'r1', referrerId: advocate } }));
    expect(byId.json().journeys).toContainEqual(expect.objectContaining({ workflowId: runId, outcome: 'signalled' }));
    expect(await signalsIn(f.temporal, runId, journeyEventSignal)).toHaveLength(3);
  });

  it('a conversion never starts a run: with no open run of the referrer it is not routed, and says why', async () => {
    const advocate = newCustomer('advocate');
    const referred = newCustomer('referred');
    const res = await post(event(referred, { type: 'deal.closed_won', data: { referralId: 'r9', amount: 5000, referrerId: advocate } }));
    expect(res.statusCode).toBe(202);
    const nps = res.json().journeys.find((j: { journeyId: string }) => j.journeyId === 'nps-promoter-referral');
    expect(nps).toMatchObject({
      workflowId: `journey:nps-promoter-referral:${advocate}`,
      roles: ['conversions'],
      outcome: 'not-routed',
      reason: expect.stringMatching(/no open run/),
    });
    expect(nps.runId).toBeUndefined();
    await expect(f.temporal.client.workflow.getHandle(`journey:nps-promoter-referral:${advocate}`).describe()).rejects.toThrow(
      /not found/i,
    );
    // A code minted with another secret names nobody: it reaches no advocate's run either.
    const forged = await post(
      event(referred, {
        type: 'deal.closed_won',
        data: { referralId: 'r10', amount: 5000, referralCode: mintReferralCode('not-our-secret', 'nps-promoter-referral', advocate) },
      }),
    );
    expect(forged.json().journeys.find((j: { journeyId: string }) => j.journeyId === 'nps-promoter-referral')).toMatchObject({
      workflowId: `journey:nps-promoter-referral:${referred}`,
      outcome: 'not-routed',
    });
  });

  it('a body over the size limit is 413', async () => {
    const res = await post(event(newCustomer(), { data: { score: 10, comment: 'x'.repeat(300 * 1024) } }));
    expect(res.statusCode).toBe(413);
  });
});

describe('POST /v1/events/batch', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await startApi({ maxInFlightEvents: 600 });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('500 events with 2 bad among them: 498 accepted, the 2 reported by index, none dropped', async () => {
    const customers = Array.from({ length: 10 }, () => newCustomer('batch'));
    const events: Record<string, unknown>[] = Array.from({ length: 500 }, (_, i) =>
      event(customers[i % 10], { type: 'milestone.reached', data: { milestone: 'first-value' } }),
    );
    events[17] = { ...events[17], data: { milestone: 'moon-landing' } };
    delete events[401].customerId;
    const started = Date.now();
    const res = await f.api.inject({ method: 'POST', url: '/v1/events/batch', headers: auth('ingest-key'), payload: { events } });
    console.log(`batch of 500 routed in ${Date.now() - started} ms`);
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 498, rejected: 2, failed: 0 });
    expect(body.results).toHaveLength(500);
    expect(body.results[17]).toMatchObject({
      id: events[17].id,
      status: 'rejected',
      errors: [expect.objectContaining({ pointer: '/events/17/data/milestone' })],
    });
    expect(body.results[401]).toMatchObject({
      status: 'rejected',
      errors: [expect.objectContaining({ pointer: '/events/401/customerId' })],
    });
    expect(body.results.filter((r: { status: string }) => r.status === 'accepted').map((r: { id: string }) => r.id)).toEqual(
      events.filter((_, i) => i !== 17 && i !== 401).map((e) => e.id),
    );
    // Every accepted event reached its customer's journey run: 50 per customer, minus the bad ones.
    const signals = await signalsIn(f.temporal, `journey:milestone-review-ask:${customers[1]}`, journeyEventSignal);
    expect(signals).toHaveLength(49); // index 401 belonged to customers[1]
  });

  it('more than 500 events is 413; more than the in-flight bound is 429 with Retry-After', async () => {
    const many = Array.from({ length: 501 }, () => event(newCustomer()));
    expect((await f.api.inject({ method: 'POST', url: '/v1/events/batch', headers: auth(), payload: { events: many } })).statusCode).toBe(
      413,
    );
    const small = await startApi({ maxInFlightEvents: 3 });
    try {
      const res = await small.api.inject({
        method: 'POST',
        url: '/v1/events/batch',
        headers: auth(),
        payload: { events: many.slice(0, 4) },
      });
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBe('1');
      const metrics = await small.api.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toContain('journey_api_events_rejected_total{type="batch",reason="shed"} 4');
    } finally {
      await small.close();
    }
  });
});

describe('answers kept for retries (JOURNEY_API_ANSWER_CACHE_SIZE)', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await startApi({ answerCacheSize: 2 });
  });
  afterAll(async () => {
    await f?.close();
  });
  const post = (payload: ReturnType<typeof event>) => postEvent(f, payload);

  it('a retry within the bound gets the kept answer; one past it is routed again', async () => {
    const customer = newCustomer();
    const first = event(customer, { type: 'milestone.reached', data: { milestone: 'go-live' } });
    expect((await post(first)).json()).toMatchObject({ status: 'accepted', duplicate: false });
    const second = event(newCustomer(), { type: 'milestone.reached', data: { milestone: 'go-live' } });
    expect((await post(second)).json()).toMatchObject({ duplicate: false });
    // Two kept: the first's retry costs no call.
    expect((await post(first)).json()).toMatchObject({ duplicate: true });
    expect(await signalsIn(f.temporal, `customer:${customer}`, customerEventSignal)).toHaveLength(1);

    // A third pushes the first out: its retry is routed again (the answer cannot know it is a repeat), and the
    // signal reaches the runs a second time, where its id is dropped (test/customer-profile.test.ts, test/interpreter-suppression.test.ts).
    expect((await post(event(newCustomer(), { type: 'milestone.reached', data: { milestone: 'go-live' } }))).statusCode).toBe(202);
    const retried = (await post(first)).json();
    expect(retried).toMatchObject({ status: 'accepted', duplicate: false });
    expect(await signalsIn(f.temporal, `customer:${customer}`, customerEventSignal)).toHaveLength(2);
  });
});
