// Customer data encrypted in Temporal, on the real dev server: a promoter's answer runs through the API and the
// worker (both with JOURNEY_CODEC_KEYS) until the ask is sent; the Temporal CLI without the codec then finds neither
// the customer's address nor their name anywhere in the journey's or the customer's history, while the CLI pointed
// at the API's codec endpoint reads them. Keys rotate without losing a history; a process without the key fails
// with a message naming it; search attributes hold no PII; an encrypted history replays with the codec.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Worker } from '@temporalio/worker';
import { customerWorkflowId, journeyStateQuery, journeyWorkflowId } from '../workflows/contract/index.ts';
import { COMPRESSION_METADATA, generateCodecKey, KEY_ID_METADATA } from '../worker/payload-codec.ts';
import { payloadProtectionFromEnv } from '../worker/data-converter.ts';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow/data-converter-helpers.js';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import { sharedTemporalEnv, workflowBundle } from './support/temporal.ts';
import { waitFor } from './support/wait.ts';
import { clientWithKeys, secretCustomer, sendPromoterAnswer, startEncryptedSystem, type EncryptedSystem } from './codec/support.ts';

const run = promisify(execFile);
const K1 = generateCodecKey('k1');
const K2 = generateCodecKey('k2');
const JOURNEY = 'nps-promoter-referral';

/** `temporal workflow show` as an operator types it: the human (--detailed) form and the JSON form. */
async function temporalShow(workflowId: string, extra: string[] = []): Promise<string> {
  const cli = process.env.TEMPORAL_CLI_PATH;
  if (!cli) throw new Error('TEMPORAL_CLI_PATH is not set: run the suite with npm test');
  const base = ['workflow', 'show', '--address', inject('temporalAddress'), '--namespace', 'default', '-w', workflowId, ...extra];
  // The operator's certificate on the production topology's shared server (the CLI reads Temporal's envconfig too).
  const options = { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...sharedTemporalEnv() } };
  const human = await run(cli, [...base, '--detailed'], options);
  const json = await run(cli, [...base, '--output', 'json'], options);
  // Both forms print payload data and metadata as base64: decode every such run, or a plain payload would pass unseen.
  const text = [human.stdout, human.stderr, json.stdout].join('\n');
  const decoded = [...text.matchAll(/[A-Za-z0-9+/]{8,}={0,2}/g)].map((m) => Buffer.from(m[0], 'base64').toString('latin1'));
  return [text, ...decoded].join('\n');
}

/** The key ids of every encrypted payload anywhere in a history (inputs, results, signals, metadata, failures). */
function keyIdsIn(history: unknown): Set<string> {
  const ids = new Set<string>();
  const visit = (node: unknown, depth: number) => {
    if (!node || typeof node !== 'object' || node instanceof Uint8Array || depth > 40) return;
    const keyId = (node as { metadata?: Record<string, Uint8Array> }).metadata?.[KEY_ID_METADATA];
    if (keyId instanceof Uint8Array) ids.add(Buffer.from(keyId).toString('utf8'));
    for (const child of Object.values(node)) visit(child, depth + 1);
  };
  visit(history, 0);
  return ids;
}

describe('customer data in Temporal histories is encrypted (JOURNEY_CODEC_KEYS)', () => {
  let sys: EncryptedSystem;
  const c = secretCustomer();
  const journeyRun = journeyWorkflowId(JOURNEY, c.customerId);

  beforeAll(async () => {
    sys = await startEncryptedSystem({ keys: K1 });
    await sendPromoterAnswer(sys.f.api, c);
    const handle = sys.client.workflow.getHandle(journeyRun);
    // The ask goes out: the email activity's input (address, name, message) is in the history now.
    await waitFor(
      'the first ask',
      async () => ((await handle.query(journeyStateQuery)) as { attempts?: number }).attempts ?? 0,
      60_000,
      500,
    );
  });

  afterAll(async () => {
    await sys?.close();
  }, 200_000);

  it('`temporal workflow show` without the codec shows no address and no name; with the codec endpoint it reads them', async () => {
    for (const workflowId of [journeyRun, customerWorkflowId(c.customerId)]) {
      const shown = await temporalShow(workflowId);
      expect(shown).toContain('binary/encrypted');
      for (const pii of [c.email, c.email.split('@')[0], c.firstName, c.lastName])
        expect(shown, `${workflowId}: ${pii}`).not.toContain(pii);
    }
    // The same command through the API's codec endpoint with a key of the "read" scope: the operator reads the run.
    const decoded = await temporalShow(journeyRun, ['--codec-endpoint', `${sys.apiUrl}/codec`, '--codec-auth', 'Bearer read-key']);
    expect(decoded).toContain(c.email);
    expect(decoded).toContain(c.firstName);
    // Without a key the endpoint refuses, and the CLI shows nothing decrypted.
    const refused = await temporalShow(journeyRun, ['--codec-endpoint', `${sys.apiUrl}/codec`]).catch(
      (err: { stdout?: string; stderr?: string }) => [err.stdout, err.stderr].join('\n'),
    );
    expect(refused).not.toContain(c.email);
  });

  it("stores the run's start input (the compiled plan) deflated under the seal, and the codec endpoint reads it", async () => {
    const history = await sys.client.workflow.getHandle(journeyRun).fetchHistory();
    const input = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
    expect(Buffer.from(input.metadata![COMPRESSION_METADATA]!).toString()).toBe('deflate-raw');
    // The plan as the run holds it (the test's demo copy of the journey): its hash is in the input, nowhere else.
    const { planHash } = await sys.client.workflow.getHandle(journeyRun).query(journeyStateQuery);
    const [opened] = await loadDataConverter(sys.payloads.dataConverter).payloadCodecs[0].decode([input]);
    expect(input.data!.length).toBeLessThan(opened.data!.length / 3);
    expect(await temporalShow(journeyRun)).not.toContain(planHash);
    const decoded = await temporalShow(journeyRun, ['--codec-endpoint', `${sys.apiUrl}/codec`, '--codec-auth', 'Bearer read-key']);
    expect(decoded).toContain(planHash);
  });

  it('keeps customer data out of search attributes (visibility is never encrypted)', async () => {
    for (const workflowId of [journeyRun, customerWorkflowId(c.customerId)]) {
      const described = await sys.client.workflow.getHandle(workflowId).describe();
      const visible = JSON.stringify(described.typedSearchAttributes);
      expect(visible).toContain(c.customerId); // the check reads the attributes' values, not an empty object
      for (const pii of [c.email, c.email.split('@')[0], c.firstName, c.lastName]) expect(visible).not.toContain(pii);
      // No memo either (memo would be encrypted, but the engine keeps none).
      expect(described.raw.workflowExecutionInfo?.memo?.fields ?? {}).toEqual({});
    }
  });

  it('without the key, reading is a clear error naming what is missing, never garbage', async () => {
    const plain = await clientWithKeys(undefined);
    const stranger = await clientWithKeys(generateCodecKey('k3'));
    try {
      // A client built without the codec meets an encoding it cannot read.
      await expect(plain.client.workflow.getHandle(journeyRun).query(journeyStateQuery)).rejects.toThrow(/binary\/encrypted/);
      // A client with another key is told which key the payload needs.
      await expect(stranger.client.workflow.getHandle(journeyRun).query(journeyStateQuery)).rejects.toThrow(
        /encrypted with key "k1", which JOURNEY_CODEC_KEYS does not list \(it has "k3"\)/,
      );
    } finally {
      await plain.close();
      await stranger.close();
    }
  });

  it('replays an encrypted history with the codec (what an operator does with a production history)', async () => {
    const history = await sys.client.workflow.getHandle(journeyRun).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: workflowBundle(), dataConverter: sys.payloads.dataConverter }, history, journeyRun);
  });

  it('rotates keys: a history written with k1 is read and continued by a worker with k2 added; new payloads use k2', async () => {
    await sys.stopWorker();
    await sys.startWorker(`${K2},${K1}`); // a fresh worker: it must replay the k1 history from the start
    const rotated = await clientWithKeys(`${K2},${K1}`);
    try {
      const handle = rotated.client.workflow.getHandle(journeyRun);
      // Read with the rotated keys: the run's state (its input and signals were sealed with k1).
      expect(await handle.query(journeyStateQuery)).toMatchObject({ customerId: c.customerId });
      // A second answer reaches the run (signalled, k1 from the API) and the rotated worker records it.
      await sendPromoterAnswer(sys.f.api, c, `nps-again-${c.customerId}`);
      const keyIds = async () => keyIdsIn(await handle.fetchHistory());
      const ids = await waitFor('a payload written with k2', async () => ((await keyIds()).has('k2') ? keyIds() : undefined), 30_000, 500);
      expect([...ids].sort()).toEqual(['k1', 'k2']);
      // The whole history, k1 and k2 payloads alike, replays with the rotated keys.
      await Worker.runReplayHistory(
        { workflowBundle: workflowBundle(), dataConverter: payloadProtectionFromEnv({ JOURNEY_CODEC_KEYS: `${K2},${K1}` }).dataConverter },
        await handle.fetchHistory(),
        journeyRun,
      );
    } finally {
      await rotated.close();
    }
  });

  it('a worker without the key fails the workflow task naming the key (no garbage run), and the run resumes once the key is back', async () => {
    const K3 = generateCodecKey('k3');
    const all = await clientWithKeys(`${K2},${K1},${K3}`);
    try {
      const handle = all.client.workflow.getHandle(journeyRun);
      const failedTasks = async () =>
        ((await handle.fetchHistory()).events ?? [])
          .filter((e) => e.workflowTaskFailedEventAttributes)
          .map((e) => e.workflowTaskFailedEventAttributes!);
      const before = (await failedTasks()).length;
      const seen = async () => ((await handle.query(journeyStateQuery)) as { seenEventIds: number }).seenEventIds;
      const seenBefore = await seen();
      await sys.stopWorker();
      await sys.startWorker(K3); // k1 and k2 dropped too early
      await sendPromoterAnswer(sys.f.api, c, `nps-third-${c.customerId}`);
      const failed = await waitFor(
        'a failed workflow task',
        async () => ((await failedTasks()).length > before ? failedTasks() : undefined),
        60_000,
        500,
      );
      const converter = loadDataConverter(payloadProtectionFromEnv({ JOURNEY_CODEC_KEYS: `${K2},${K1},${K3}` }).dataConverter);
      const error = await decodeOptionalFailureToOptionalError(converter, failed[failed.length - 1].failure);
      expect(String(error?.message)).toMatch(/encrypted with key "k[12]", which JOURNEY_CODEC_KEYS does not list \(it has "k3"\)/);

      // The key is back: the same run takes the event (nothing was acted on in between).
      await sys.stopWorker();
      await sys.startWorker(`${K2},${K1}`);
      await waitFor('the third answer taken', async () => (await seen()) > seenBefore, 60_000, 500);
    } finally {
      await all.close();
    }
  });
});
