// The CRM provider's configuration and the journey language for owner tasks: the mapping file is checked with every
// problem at its pointer; owner task plans that cannot work are compile errors at theirs; the mappings give HubSpot's
// and Salesforce's fields; an owner's answer only reaches a run in flight; the built-in provider emails the owner and
// keeps tasks and referrals as files, once each.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileJourney } from '../definitions/compiler/index.ts';
import { JOURNEYS_DIR, loadCatalog, loadJourneyDir, loadTemplates } from '../definitions/loader.ts';
import { type CrmMappingError, loadCrmMappings } from '../definitions/crm-mapping.ts';
import { mapProperties, ownerTaskFields, referralFields } from '../activities/crm/map-record.ts';
import { createCrmActivities } from '../activities/crm/crm-activities.ts';
import { listOutbox } from '../activities/outbox.ts';
import { crmWebhookFromEnv } from '../activities/crm/webhook-provider.ts';
import { routeTargets } from '../api/routing.ts';
import type { OwnerTaskRequest, ReferralRecordRequest } from '../workflows/contract/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'crm-config-'));

function mappingError(doc: unknown): CrmMappingError {
  const path = join(dir, `m-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(doc, null, 2));
  try {
    loadCrmMappings(path);
  } catch (err) {
    return err as CrmMappingError;
  }
  throw new Error('the mapping loaded, but it is invalid');
}

const strategicFile = join(JOURNEYS_DIR, 'strategic-reference-advisory.json');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- edits the raw JSON on purpose, into shapes the checks refuse
function compileStrategic(edit: (def: any) => void) {
  const def = JSON.parse(readFileSync(strategicFile, 'utf8'));
  edit(def);
  return compileJourney({ file: strategicFile, source: JSON.stringify(def, null, 2), templates: loadTemplates() }, loadCatalog());
}
const errors = (r: ReturnType<typeof compileStrategic>) =>
  r.diagnostics.filter((d) => d.severity === 'error').map((d) => ({ pointer: d.pointer, code: d.code }));

const task: OwnerTaskRequest = {
  taskId: 'journey:strategic-reference-advisory:Zoë:1:invite:reference-call:1',
  customerId: 'Zoë',
  journeyId: 'strategic-reference-advisory',
  journeyVersion: 2,
  journeyName: 'Strategic',
  motion: 'reference-call',
  owner: { email: 'jordan.lee@acme.example', timezone: 'Asia/Tokyo' },
  dueAt: '2027-01-12T09:30:00.000Z',
  account: { company: 'Customer Inc' },
  email: {
    sendKey: 'journey:strategic-reference-advisory:Zoë:1:invite:reference-call:1',
    customerId: 'Zoë',
    journeyId: 'strategic-reference-advisory',
    journeyVersion: 2,
    step: 'invite:reference-call:1',
    to: 'jordan.lee@acme.example',
    template: { file: 'templates/owner-reference-task.mustache', subject: '1:1 ask: reference call with {{traits.company}}' },
    localTemplateBody: 'Please call {{traits.company}}.',
    model: { traits: { company: 'Customer Inc' } },
    messageStream: 'outbound',
  },
};
const referral: ReferralRecordRequest = {
  idempotencyKey: 'referral:j:advocate-1:r-1:submitted',
  referralId: 'r-1',
  stage: 'submitted',
  source: { kind: 'advocacy-journey', journeyId: 'j', journeyVersion: 1, journeyName: 'J' },
  advocate: { customerId: 'advocate-1' },
  referred: { email: 'friend@prospect.example', name: 'Sam' },
  at: '2027-01-05T10:00:00.000Z',
};

describe('CRM mappings (definitions/crm.json)', () => {
  it('the shipped HubSpot and Salesforce mappings load, and map a task and a referral to their fields', () => {
    const { mappings } = loadCrmMappings();
    expect(Object.keys(mappings).sort()).toEqual(['hubspot', 'salesforce']);
    const hubspotTask = mapProperties(mappings.hubspot.ownerTask, ownerTaskFields(task));
    expect(hubspotTask).toMatchObject({
      journey_task_id: task.taskId,
      hs_task_subject: '1:1 ask: reference call with Customer Inc',
      hs_task_body: 'Please call Customer Inc.',
      hs_timestamp: Date.parse(task.dueAt),
      hs_task_status: 'NOT_STARTED',
    });
    const sfTask = mapProperties(mappings.salesforce.ownerTask, ownerTaskFields(task));
    expect(sfTask).toMatchObject({
      Journey_Task_Id__c: task.taskId,
      ActivityDate: '2027-01-12',
      Status: 'Not Started',
      Subject: hubspotTask.hs_task_subject,
    });
    const lead = mapProperties(mappings.salesforce.referral, referralFields(referral));
    // A field the record lacks falls to the mapping's default or is left out (an upsert never blanks the CRM's value).
    expect(lead).toMatchObject({
      Referral_Id__c: 'r-1',
      Email: 'friend@prospect.example',
      LeadSource: 'Customer Referral',
      Company: '(unknown)',
      Status: 'Open - Not Contacted',
    });
    expect(lead).not.toHaveProperty('Title');
  });

  it('a bad mapping names every problem at its pointer: unknown field (with a suggestion), unknown stage, id property not carrying the id', () => {
    const doc = structuredClone(JSON.parse(readFileSync(join(JOURNEYS_DIR, '..', 'crm.json'), 'utf8')));
    doc.mappings.hubspot.ownerTask.properties.hs_task_subject = 'task.subjet';
    doc.mappings.hubspot.referral.properties.hs_lead_status.map.won = 'CONNECTED';
    doc.mappings.salesforce.ownerTask.idProperty = 'Subject';
    const err = mappingError(doc);
    const found = err.diagnostics.map((d) => [d.pointer, d.code ?? '', d.suggestion ?? '']);
    expect(found).toEqual(
      expect.arrayContaining([
        ['/mappings/hubspot/ownerTask/properties/hs_task_subject', 'crm.unknownField', 'did you mean `task.subject`?'],
        ['/mappings/hubspot/referral/properties/hs_lead_status/map/won', 'crm.unknownMapKey', expect.stringContaining('closed-won')],
        ['/mappings/salesforce/ownerTask/idProperty', 'crm.idProperty', expect.stringContaining('task.id')],
      ]),
    );
    expect(err.message).toMatch(/m-\w+\.json/);
    // The shape first (the schema, checked with Ajv): an unknown format is named at its pointer.
    const shape = structuredClone(JSON.parse(readFileSync(join(JOURNEYS_DIR, '..', 'crm.json'), 'utf8')));
    shape.mappings.salesforce.referral.properties.Email = { from: 'referred.email', format: 'weekly' };
    delete shape.mappings.hubspot.ownerTask.object;
    const pointers = mappingError(shape).diagnostics.map((d) => d.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining(['/mappings/salesforce/referral/properties/Email/format', '/mappings/hubspot/ownerTask']),
    );
  });

  it('the webhook provider needs a secret and a mapping that exists (named in the error)', () => {
    expect(crmWebhookFromEnv({})).toBeUndefined();
    expect(() => crmWebhookFromEnv({ JOURNEY_CRM_WEBHOOK_URL: 'http://crm' })).toThrow(/JOURNEY_CRM_WEBHOOK_SECRET/);
    expect(() =>
      crmWebhookFromEnv({ JOURNEY_CRM_WEBHOOK_URL: 'http://crm', JOURNEY_CRM_WEBHOOK_SECRET: 's', JOURNEY_CRM: 'pipedrive' }),
    ).toThrow(/JOURNEY_CRM "pipedrive" names no mapping .*hubspot, salesforce/);
    expect(
      crmWebhookFromEnv({ JOURNEY_CRM_WEBHOOK_URL: 'http://crm', JOURNEY_CRM_WEBHOOK_SECRET: 's', JOURNEY_CRM: 'salesforce' })?.mapping
        .ownerTask.object,
    ).toBe('Task');
  });
});

describe('owner tasks in the journey language', () => {
  it('the shipped strategic journey compiles, routes the owner answers, and falls back from a declined case study to a reference call', async () => {
    const { plans } = await loadJourneyDir();
    const plan = plans.find((p) => p.journeyId === 'strategic-reference-advisory')!;
    expect(plan.routing.ownerTasks).toEqual(['owner_task.completed', 'owner_task.declined']);
    expect(plan.definition.motions['case-study']!.invite.ownerTask?.onDeclined).toEqual({ then: 'motion', motion: 'reference-call' });
    // Journeys without owner tasks keep their routing's shape.
    expect(plans.find((p) => p.journeyId === 'nps-promoter-referral')!.routing).not.toHaveProperty('ownerTasks');
    // An owner's answer only acts on a run in flight: never starts one.
    const answer = { id: 'a1', type: 'owner_task.completed', customerId: 'c1', occurredAt: '2027-01-01T00:00:00Z', data: { taskId: 't' } };
    expect(routeTargets(answer, plans).map((t) => [t.plan.journeyId, t.roles, t.mayStart])).toEqual([
      ['strategic-reference-advisory', ['ownerTasks'], false],
    ]);
  });

  it('plans that cannot work are errors at their pointers: wrong channel, reminders, undefined / self / circular fallbacks, zero window', () => {
    const r = compileStrategic((d) => {
      d.motions['reference-call'].invite.reminders = [{ after: 'P7D' }];
      d.motions['reference-call'].invite.maxAttempts = 2;
      d.motions['reference-call'].invite.ownerTask.onDeclined = { then: 'motion', motion: 'case-study' };
      d.motions['case-study'].invite.ownerTask.answerWithin = 'P0D';
      d.motions['advisory-board'].invite.ownerTask.onDeclined = { then: 'motion', motion: 'refrence-call' };
      d.motions['advisory-board'].invite.ownerTask.onNoAnswer = { then: 'motion', motion: 'advisory-board' };
      d.motions['advisory-board'].invite.channel = 'email';
    });
    expect(errors(r)).toEqual(
      expect.arrayContaining([
        { pointer: '/motions/reference-call/invite/reminders', code: 'ownerTask.reminders' },
        { pointer: '/motions/case-study/invite/ownerTask/answerWithin', code: 'duration.zero' },
        { pointer: '/motions/advisory-board/invite/ownerTask', code: 'ownerTask.channel' },
        { pointer: '/motions/advisory-board/invite/ownerTask/onNoAnswer/motion', code: 'ownerTask.selfFallback' },
        { pointer: '/motions/case-study/invite/ownerTask/onDeclined/motion', code: 'ownerTask.fallbackLoop' },
      ]),
    );
    expect(r.plan).toBeUndefined();
    // The misspelled fallback is caught by the schema's motion enum, with the pointer.
    expect(r.diagnostics.some((d) => d.pointer === '/motions/advisory-board/invite/ownerTask/onDeclined/motion')).toBe(true);
  });

  it('`then: motion` without a motion, and a motion with another `then`, are errors', () => {
    const r = compileStrategic((d) => {
      d.motions['reference-call'].invite.ownerTask.onNoAnswer = { then: 'motion' };
      d.motions['reference-call'].invite.ownerTask.onDeclined = { then: 'end-cycle', motion: 'case-study' };
    });
    expect(errors(r)).toEqual(
      expect.arrayContaining([
        { pointer: '/motions/reference-call/invite/ownerTask/onNoAnswer', code: 'ownerTask.motionMissing' },
        { pointer: '/motions/reference-call/invite/ownerTask/onDeclined/motion', code: 'ownerTask.motionIgnored' },
      ]),
    );
  });
});

describe('the built-in CRM provider (no webhook configured)', () => {
  it("emails the task to the owner (the outbox) once, writes no CRM store of its own, and takes a referral's stages as nothing to write", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'crm-builtin-'));
    const crm = createCrmActivities({ email: { dataDir } });
    expect(await crm.createOwnerTask(task)).toEqual({ taskId: task.taskId, provider: 'email', status: 'created' });
    expect(await crm.createOwnerTask(task)).toEqual({ taskId: task.taskId, provider: 'email', status: 'already-created' });
    const outbox = await listOutbox(dataDir);
    expect(outbox.map((m) => [m.to, m.subject])).toEqual([['jordan.lee@acme.example', '1:1 ask: reference call with Customer Inc']]);

    // No CRM configured: the referral's stages live in the tracking log; nothing is written under the data folder.
    expect(await crm.writeReferralRecord(referral)).toEqual({ provider: 'none', status: 'no-crm' });
    expect(readdirSync(dataDir).sort()).toEqual(['outbox']);
  });
});
