// The global contact policy lives in definitions/contact-policy.json: checked at load (a bad file names the file,
// line and JSON pointer), carried as the customer workflow's input (a policy of 2 asks a day grants two slots and
// refuses the third until the first leaves the window), and scaled for the npm start demo.
import { customerProfileStartInput, customerEventSignal, customerStateQuery, customerWorkflowId } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ContactPolicyError, loadContactPolicy, loadContactPolicyFromEnv, type ContactPolicy } from '../definitions/contact-policy.ts';
import { resolveContactPolicy } from '../workflows/customer/contact-policy.ts';
import { createContactActivities } from '../activities/contact/reserve-contact-slot.ts';
import { createJourneyWorker } from '../worker/worker.ts';
import { writeDemoContactPolicy } from '../scripts/demo/demo-contact-policy.ts';
import { createTimeSkippingEnv, workflowBundle } from './support/temporal.ts';

const dir = mkdtempSync(join(tmpdir(), 'contact-policy-'));
function policyFile(name: string, body: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  return path;
}
function loadError(path: string): ContactPolicyError {
  try {
    loadContactPolicy(path);
  } catch (err) {
    return err as ContactPolicyError;
  }
  throw new Error(`${path} loaded, but it is invalid`);
}
const shipped = loadContactPolicy();

describe('loading definitions/contact-policy.json', () => {
  it('the shipped file keeps the policy that was in workflow code: 1 ask per 7 days, quiet 21:00-08:00, the global rules', () => {
    const { contact, suppression } = resolveContactPolicy(shipped);
    expect(contact).toEqual({
      maxAsks: 1,
      periodMs: 7 * 86_400_000,
      quietHours: { start: '21:00', end: '08:00' },
      defaultTimezone: 'UTC',
      openIssueRecheckMs: 86_400_000,
    });
    expect(suppression.afterEscalationResolvedMs).toBe(7 * 86_400_000);
    expect(suppression.rules.map((r) => [r.event, r.effect, r.holdMs === undefined ? null : r.holdMs / 86_400_000])).toEqual([
      ['customer.opted_out', 'opt-out', null],
      ['email.spam_complaint', 'opt-out', null],
      ['email.bounced', 'opt-out', null],
      ['nps.submitted', 'hold', 30],
      ['csat.submitted', 'hold', 14],
      ['payment.failed', 'hold', 14],
      ['churn.risk_flagged', 'hold', 30],
      ['qbr.completed', 'hold', 30],
    ]);
  });

  it('a bad file is refused with every problem: file, line:column and JSON pointer', () => {
    const path = policyFile(
      'bad.json',
      [
        '{',
        '  "frequencyCap": { "maxAsks": 0, "period": "7 days" },',
        '  "quietHours": { "start": "21:00", "end": "8am" },',
        '  "defaultTimezone": "UTC", "openIssueRecheck": "P1D", "extra": 1,',
        '  "suppression": { "afterEscalationResolved": "P7D", "rules": [{ "event": "payment.failed", "effect": "hold", "reason": "no cool-down" }] }',
        '}',
      ].join('\n'),
    );
    const err = loadError(path);
    expect(err).toBeInstanceOf(ContactPolicyError);
    const found = err.diagnostics.map((d) => [d.pointer, d.line, d.message]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['/frequencyCap/maxAsks', 2, 'must be >= 1'],
        ['/frequencyCap/period', 2, 'must be an ISO 8601 duration such as P7D or PT12H'],
        ['/quietHours/end', 3, 'must be a local time HH:MM (00:00-23:59)'],
        ['/extra', 4, 'unknown key `extra`'],
        ['/suppression/rules/0', 5, 'missing `coolDown`'],
      ]),
    );
    expect(err.diagnostics.every((d) => d.file === path && d.column > 1)).toBe(true);
    expect(err.message).toContain(`${path}:2:`);
    expect(err.message).toContain('/frequencyCap/period');
  });

  it('a rule for an event the catalog does not know, a bad zone and broken JSON are refused too', () => {
    const typo = loadError(
      policyFile('typo.json', {
        ...shipped,
        defaultTimezone: 'Mars/Olympus',
        suppression: { ...shipped.suppression, rules: [{ event: 'payment.faild', effect: 'opt-out', reason: 'x' }] },
      }),
    );
    expect(typo.diagnostics.map((d) => [d.pointer, d.code, d.suggestion])).toEqual([
      ['/suppression/rules/0/event', 'catalog.unknownEvent', 'did you mean `payment.failed`?'],
      ['/defaultTimezone', 'policy.timezone', undefined],
    ]);
    const broken = loadError(policyFile('broken.json', '{ "frequencyCap": '));
    expect(broken.diagnostics[0]).toMatchObject({ code: 'json.syntax', line: 1 });
    expect(loadError(join(dir, 'missing.json')).diagnostics[0].code).toBe('file.unreadable');
  });

  it('JOURNEY_CONTACT_POLICY names another file; unset means the shipped one', () => {
    const path = policyFile('other.json', { ...shipped, frequencyCap: { maxAsks: 4, period: 'P2D' } });
    expect(loadContactPolicyFromEnv({ JOURNEY_CONTACT_POLICY: path }).frequencyCap).toEqual({ maxAsks: 4, period: 'P2D' });
    expect(loadContactPolicyFromEnv({})).toEqual(shipped);
  });
});

describe('the demo copy', () => {
  it('scales every duration like the journeys (a day = 2 s), drops quiet hours, and loads as a valid policy', () => {
    const out = join(dir, 'data', 'demo-contact-policy.json');
    writeDemoContactPolicy(undefined, out, { daySeconds: 2 });
    const demo = loadContactPolicy(out);
    expect(demo.frequencyCap).toEqual({ maxAsks: 1, period: 'PT14S' });
    expect(demo.quietHours).toBeNull();
    expect(demo.suppression.rules.find((r) => r.event === 'nps.submitted')?.coolDown).toBe('PT1M');
    expect(JSON.parse(readFileSync(out, 'utf8')).$comment).toContain('generated by npm start');
  });
});

describe('the policy travels as the customer workflow input', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('2 asks per day from a policy file: two slots granted, the third refused until the first leaves the window; rules from the file apply', async () => {
    const path = policyFile('two-a-day.json', {
      ...shipped,
      frequencyCap: { maxAsks: 2, period: 'P1D' },
      quietHours: null,
      suppression: {
        ...shipped.suppression,
        rules: [{ event: 'payment.failed', effect: 'hold', coolDown: 'P3D', reason: 'card declined (policy file)' }],
      },
    });
    const contactPolicy: ContactPolicy = loadContactPolicy(path);
    const taskQueue = 'contact-policy-config';
    const worker = await createJourneyWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      activityDeps: { dataDir: '/nonexistent' },
      workflowBundle: workflowBundle(),
    });
    // The same deps shape the worker builds from JOURNEY_CONTACT_POLICY (worker/main.ts).
    const contact = createContactActivities({ client: env.client, taskQueue, profileDefaults: { contactPolicy, searchAttributes: false } });
    const at = () => env.currentTimeMs().then((ms) => new Date(ms).toISOString());
    const slot = async (customerId: string, sendKey: string) =>
      contact.reserveContactSlot({ customerId, journeyId: `j-${sendKey}`, sendKey, at: await at() });
    await worker.runUntil(async () => {
      const first = await slot('two', 'a');
      const firstAt = Date.parse(await at());
      const second = await slot('two', 'b');
      const third = await slot('two', 'c');
      expect([first.granted, second.granted]).toEqual([true, true]);
      expect(third.granted).toBe(false);
      expect(third.reason).toContain('global cap: 2 asks per 1 day across journeys');
      const retryAt = Date.parse(third.retryAt!);
      expect(retryAt - firstAt).toBeGreaterThan(23.9 * 3_600_000);
      expect(retryAt - firstAt).toBeLessThanOrEqual(86_400_000);
      const handle = env.client.workflow.getHandle(customerWorkflowId('two'));
      const state = (await handle.query(customerStateQuery)) as { contactPolicy: ContactPolicy };
      expect(state.contactPolicy.frequencyCap).toEqual({ maxAsks: 2, period: 'P1D' });
      await env.sleep('1 day');
      expect((await slot('two', 'd')).granted).toBe(true);

      // The policy's own suppression rule, not the shipped one: a failed payment holds 3 days.
      await slot('held', 'warm');
      await env.client.workflow
        .getHandle(customerWorkflowId('held'))
        .signal(customerEventSignal, { id: 'p1', type: 'payment.failed', customerId: 'held', occurredAt: await at(), data: {} });
      const now = Date.parse(await at());
      const held = await slot('held', 'x');
      expect(held).toMatchObject({ granted: false, reason: expect.stringContaining('card declined (policy file)') });
      expect(Date.parse(held.retryAt!) - now).toBeGreaterThan(2.9 * 86_400_000);
      expect(Date.parse(held.retryAt!) - now).toBeLessThanOrEqual(3 * 86_400_000 + 60_000);
      for (const id of ['two', 'held']) await env.client.workflow.getHandle(customerWorkflowId(id)).terminate('test over');
    });
  });

  it('the start input is built in one place: the loaded policy plus the customer id', () => {
    expect(customerProfileStartInput('c1', { contactPolicy: shipped })).toEqual({ contactPolicy: shipped, customerId: 'c1' });
  });
});
