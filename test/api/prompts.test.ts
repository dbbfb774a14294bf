// GET /v1/customers/{id}/prompts on the dev server, end to end: events in through the API, a real worker with the
// real contact policy (customer:<id>), the prompt read from the live run, prompt events routed back to it, and the
// prompt gone the moment an escalation opens. No run is ended to read anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '@temporalio/worker';
import { createJourneyWorker } from '../../worker/worker.ts';
import { PlanRegistry } from '../../api/registry.ts';
import { workflowBundle } from '../support/temporal.ts';
import { waitFor } from '../support/wait.ts';
import { readTrackingLog } from '../../activities/tracking/ndjson-log.ts';
import { listOutbox } from '../../activities/outbox.ts';
import { auth, event, newCustomer, startApi, type ApiFixture } from './support.ts';
import { compileOrThrow, promptingJourney } from '../prompts/journey.ts';

/** A zone where it is now mid-day, so the global quiet hours (21:00-08:00) never hold the ask. */
function middayZone(): string {
  const offset = 12 - new Date().getUTCHours(); // local = UTC + offset; Etc/GMT signs are reversed
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

// Asks at once, every day: the prompt is up within seconds of the promoter's NPS.
const plan = compileOrThrow(
  promptingJourney((d) => {
    d.motions.referral.invite.firstAskDelay = 'PT0S';
    d.motions.referral.invite.sendWindow = {
      days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      start: '00:00',
      end: '23:59',
      defaultTimezone: 'UTC',
    };
    delete d.contactPolicy.quietHours;
  }),
);

interface PromptsBody {
  customerId: string;
  prompts: { id: string; journeyId: string; text: string; actionLabel: string; actionLink?: string; expiresAt: string }[];
}

describe('GET /v1/customers/{id}/prompts', () => {
  let f: ApiFixture;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    f = await startApi({ registry: PlanRegistry.of([plan]), temporalCallTimeoutMs: 5000 });
    worker = await createJourneyWorker({
      connection: f.temporal.workerConnection,
      namespace: 'default',
      taskQueue: f.taskQueue,
      activityDeps: { dataDir: f.dataDir, customers: { client: f.temporal.client, taskQueue: f.taskQueue } },
      workflowBundle: workflowBundle(),
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await f?.close();
  });

  const prompts = async (id: string, key = 'read-key') =>
    f.api.inject({ method: 'GET', url: `/v1/customers/${id}/prompts`, headers: auth(key) });
  const post = (payload: object) => f.api.inject({ method: 'POST', url: '/v1/events', headers: auth('ingest-key'), payload });

  it('shows the prompt of a live run, takes shown/clicked back, and withdraws it when an escalation opens', async () => {
    const id = newCustomer('prompt');
    const traits = { email: `${id}@example.com`, firstName: 'Ada', timezone: middayZone(), healthScore: 90 };
    expect((await post(event(id, { traits }))).statusCode).toBe(202);
    let body: PromptsBody | undefined;
    await waitFor('the prompt of the first ask', async () => {
      const res = await prompts(id);
      body = res.statusCode === 200 ? (res.json() as PromptsBody) : undefined;
      return (body?.prompts.length ?? 0) > 0;
    });
    const [prompt] = body!.prompts;
    expect(prompt).toMatchObject({ id: 'prompting-referral/1/referral/1', journeyId: 'prompting-referral', actionLabel: 'Refer a team' });
    expect(prompt.text).toBe("Ada, know a team who'd love Acme?");
    expect(prompt.actionLink).toMatch(/^https:\/\/acme\.example\/refer\?code=/);
    expect(Date.parse(prompt.expiresAt)).toBeGreaterThan(Date.now());
    // Beside the email: one ask, both ways.
    expect((await listOutbox(f.dataDir)).filter((m) => m.to === traits.email)).toHaveLength(1);

    const ids = { promptId: prompt.id, journeyId: prompt.journeyId };
    const shown = await post(event(id, { type: 'prompt.shown', data: { ...ids, surface: 'dashboard' } }));
    expect(shown.statusCode).toBe(202);
    expect(shown.json().journeys).toEqual([expect.objectContaining({ journeyId: 'prompting-referral', outcome: 'signalled' })]);
    expect((await post(event(id, { type: 'prompt.clicked', data: ids }))).statusCode).toBe(202);
    await waitFor(
      'the click taken by the run',
      async () => {
        const res = (await prompts(id)).json() as PromptsBody;
        return (res.prompts[0] as { clickedAt?: string } | undefined)?.clickedAt !== undefined;
      },
      15_000,
    );

    expect((await post(event(id, { type: 'escalation.opened', data: { escalationId: 'ESC-1', severity: 'high' } }))).statusCode).toBe(202);
    await waitFor('the prompt withdrawn', async () => ((await prompts(id)).json() as PromptsBody).prompts.length === 0, 15_000);
    await waitFor(
      'the withdrawal written to tracking',
      async () => {
        const { records } = await readTrackingLog(f.dataDir);
        return records.some((r) => r.customerId === id && r.type === 'prompt.withdrawn');
      },
      15_000,
    );
    const { records } = await readTrackingLog(f.dataDir);
    const types = records.filter((r) => r.customerId === id).map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(['prompt.posted', 'prompt.shown', 'prompt.clicked', 'ask.engaged', 'prompt.withdrawn']));
  });

  it("customer:<id>'s global suppression withholds the prompts too, also of a journey with no rule for that signal", async () => {
    const id = newCustomer('prompt');
    const traits = { email: `${id}@example.com`, firstName: 'Bo', timezone: middayZone(), healthScore: 90 };
    expect((await post(event(id, { traits }))).statusCode).toBe(202);
    await waitFor('the prompt of the first ask', async () => ((await prompts(id)).json() as PromptsBody).prompts.length === 1);
    // A very low CSAT holds the customer for 14 days in the global policy; this journey takes no csat.submitted at all.
    const csat = await post(event(id, { type: 'csat.submitted', data: { score: 1 } }));
    expect(csat.json().journeys).toEqual([]);
    const body = await waitFor('the prompts withheld', async () => {
      const b = (await prompts(id)).json() as PromptsBody & { withheld?: string };
      return b.withheld ? b : undefined;
    });
    expect(body.prompts).toEqual([]);
    expect(body.withheld).toMatch(/^suppressed: low CSAT until /);
  });

  it('a prompt event with a malformed prompt id is refused with 400 naming the field', async () => {
    const id = newCustomer('prompt');
    const res = await post(event(id, { type: 'prompt.shown', data: { promptId: 'not an id', journeyId: 'prompting-referral' } }));
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toContain('/data/promptId');
  });

  it('an unknown customer is 404 naming the id; a malformed id or an unknown journey is 400 naming the field', async () => {
    const unknown = await prompts(newCustomer('nobody'));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().errors).toEqual([expect.objectContaining({ pointer: '/id' })]);
    const malformed = await prompts('a%20b');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/id']);
    const journey = await f.api.inject({
      method: 'GET',
      url: `/v1/customers/${newCustomer()}/prompts?journey=no-such`,
      headers: auth('read-key'),
    });
    expect(journey.statusCode).toBe(400);
    expect(journey.json().errors).toEqual([{ in: 'query', pointer: '/journey', message: 'there is no journey no-such' }]);
    expect((await prompts(newCustomer(), 'ingest-key')).statusCode).toBe(403);
  });
});
