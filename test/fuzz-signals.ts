// The fuzzer's direct messages: signals and updates sent straight to live runs with the official @temporalio/client,
// past every check the API makes. Garbage arguments (wrong types, hostile strings, megabyte strings, deep nesting,
// `__proto__` keys), events naming another customer, and payloads no JSON decoder takes. Each must be refused or
// ignored by the run: never a workflow task failing in a loop, never an act on another customer's event.
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { journeyWorkflowId, customerWorkflowId } from '../workflows/contract/index.ts';
import { addressOf } from './fuzz-requests.ts';
import { EDGE_NUMBERS, anyValue, hostileString, hugeString, type Rng } from './fuzz-values.ts';

export interface SignalTally {
  sent: Record<string, number>;
  /** Updates: accepted by the run, or rejected by its validator. */
  updates: { accepted: number; rejected: number };
  /** Event ids sent to one customer's run that name another customer: none of them may be acted on. */
  foreignEvents: { workflowId: string; eventId: string; namedCustomer: string }[];
  /** Signals and updates the Temporal server or client refused outright (e.g. a payload over the server's limit). */
  errors: string[];
}

const JOURNEY_SIGNAL_TYPES = [
  'nps.submitted',
  'csat.submitted',
  'support.case_closed',
  'milestone.reached',
  'qbr.completed',
  'contract.renewed',
];
const JOURNEY_UPDATES = ['pause', 'resume', 'optOut', 'optIn', 'skipWait', 'cancelRun', 'handOver'];
const CUSTOMER_UPDATES = ['reserveContactSlot', 'globalOptOut', 'globalOptIn', 'handOver', 'recordReward', 'claimReward'];
const CUSTOMER_SIGNALS = ['updateTraits', 'customerEvent', 'recordSend'];

/** A deep object built without recursion in the generator (the SDK's JSON encoder walks it). */
function deep(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** An argument a run must survive: mostly near-valid events with one field wrong, sometimes anything at all. */
function garbageArg(rng: Rng, customerId: string, id: string): unknown {
  const event = () => ({
    id,
    type: rng.pick(JOURNEY_SIGNAL_TYPES),
    customerId,
    occurredAt: new Date().toISOString(),
    data: { score: 10, milestone: 'go-live', caseId: 'c', sentiment: 'positive', praise: true },
    traits: { email: addressOf(customerId), timezone: 'Europe/Berlin' },
  });
  const e = event() as Record<string, unknown>;
  switch (rng.int(12)) {
    case 0:
      return rng.pick([null, 0, -0, 1e308, '', 'x', [], true, {}]);
    case 1:
      return anyValue(rng);
    case 2:
      e[rng.pick(Object.keys(e))] = rng.pick([...EDGE_NUMBERS, hostileString(rng)]);
      return e;
    case 3:
      (e.data as Record<string, unknown>).score = rng.pick(['ten', 11, -1, 9.5, 1e308, null, '10', [10]]);
      return e;
    case 4:
      e.traits = rng.pick([
        { email: 'notanemail' },
        { timezone: 'Mars/Olympus' },
        { __proto__: { email: 'proto@fuzz.example' } },
        JSON.parse('{"__proto__":{"email":"proto@fuzz.example"}}'),
        'traits',
        [1, 2],
        { email: hostileString(rng) },
      ]);
      return e;
    case 5:
      e.data = { ...(e.data as object), blob: hugeString(rng, 512 * 1024) };
      return e;
    case 6:
      e.data = { score: 10, nested: deep(rng.pick([65, 200, 1000])) };
      return e;
    case 7:
      e.type = rng.pick(['made.up', '', hostileString(rng), 'referral.reversed', 'deal.closed_won', '__proto__']);
      return e;
    case 8:
      e.id = rng.pick(['', hostileString(rng), 'x'.repeat(100_000), 42]);
      return e;
    default:
      return e;
  }
}

/** A payload the default converter cannot decode: unknown encoding, broken JSON, or no metadata at all. */
function undecodable(rng: Rng): Payload {
  return rng.pick<Payload>([
    { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"id":') },
    { metadata: { encoding: Buffer.from('binary/unknown') }, data: Buffer.from([0, 1, 2]) },
    { metadata: {}, data: Buffer.from('{}') },
    { metadata: { encoding: Buffer.from('json/protobuf'), messageType: Buffer.from('no.Such') }, data: Buffer.from('{}') },
    { metadata: { encoding: Buffer.from('binary/null') }, data: Buffer.from('x') },
  ]);
}

export interface SignalTargets {
  /** [journeyId, customerId] of runs that exist (started by the HTTP campaign). */
  runs: [string, string][];
  customers: readonly string[];
}

/** Sends `count` direct signals and updates; never throws for a refusal, records it. */
export async function fuzzSignals(client: Client, rng: Rng, targets: SignalTargets, count: number, tag: string): Promise<SignalTally> {
  const tally: SignalTally = { sent: {}, updates: { accepted: 0, rejected: 0 }, foreignEvents: [], errors: [] };
  const count1 = (k: string) => (tally.sent[k] = (tally.sent[k] ?? 0) + 1);
  for (let i = 0; i < count; i++) {
    const [journeyId, customerId] = rng.pick(targets.runs);
    const run = client.workflow.getHandle(journeyWorkflowId(journeyId, customerId));
    const profile = client.workflow.getHandle(customerWorkflowId(customerId));
    const id = `fzsig-${tag}-${i}`;
    const roll = rng.int(100);
    try {
      if (roll < 35) {
        await run.signal('journeyEvent', garbageArg(rng, customerId, id));
        count1('journeyEvent garbage');
      } else if (roll < 50) {
        // Another customer's promoter answer with that customer's address: acting on it would ask them from this run.
        const other = rng.pick(targets.customers.filter((c) => c !== customerId));
        const type = rng.pick(JOURNEY_SIGNAL_TYPES);
        await run.signal('journeyEvent', {
          id,
          type,
          customerId: other,
          occurredAt: new Date().toISOString(),
          data: { score: 10, milestone: 'go-live', caseId: 'c', sentiment: 'positive', praise: true, arr: 1, termMonths: 12 },
          traits: { email: addressOf(other), timezone: 'Europe/Berlin', firstName: 'Other' },
        });
        tally.foreignEvents.push({ workflowId: run.workflowId, eventId: id, namedCustomer: other });
        count1('journeyEvent other customer');
      } else if (roll < 58) {
        const name = rng.pick(['upgradePlan', 'journeyEvent', 'no-such-signal']);
        await client.workflowService.signalWorkflowExecution({
          namespace: client.options.namespace,
          workflowExecution: { workflowId: run.workflowId },
          signalName: name,
          input: { payloads: [undecodable(rng)] },
          identity: 'fuzz',
        });
        count1(`${name} undecodable`);
      } else if (roll < 64) {
        await run.signal(
          'upgradePlan',
          rng.pick([null, 7, {}, { journeyId, version: 1e9 }, { journeyId, version: 99, definition: {} }, anyValue(rng)]),
        );
        count1('upgradePlan garbage');
      } else if (roll < 74) {
        const name = rng.pick(CUSTOMER_SIGNALS);
        if (rng.chance(0.3) && name !== 'recordSend') {
          // Another customer's event (or traits) straight to this customer's own workflow.
          const other = rng.pick(targets.customers.filter((c) => c !== customerId));
          const traits = { email: addressOf(other), timezone: 'Europe/Berlin' };
          const foreign = {
            id,
            type: 'nps.submitted',
            customerId: other,
            occurredAt: new Date().toISOString(),
            data: { score: 10 },
            traits,
          };
          await profile.signal(name, name === 'updateTraits' ? { ...traits, email: 'not an address' } : foreign);
          if (name === 'customerEvent') tally.foreignEvents.push({ workflowId: profile.workflowId, eventId: id, namedCustomer: other });
          count1(`${name} other customer`);
        } else {
          await profile.signal(
            name,
            rng.pick([null, 5, 'x', [], anyValue(rng), garbageArg(rng, customerId, id), garbageArg(rng, customerId, id)]),
          );
          count1(`${name} garbage`);
        }
      } else {
        const onRun = roll < 88;
        const name = onRun ? rng.pick(JOURNEY_UPDATES) : rng.pick(CUSTOMER_UPDATES);
        const arg = rng.pick<unknown>([
          undefined,
          null,
          5,
          'x',
          [],
          { actor: 'fuzz' },
          { actor: { toString: 1 } },
          { actor: hugeString(rng, 300 * 1024) },
          { reason: ['a'] },
          anyValue(rng),
          garbageArg(rng, customerId, id),
        ]);
        try {
          await client.connection.withDeadline(Date.now() + 20_000, () =>
            arg === undefined ? (onRun ? run : profile).executeUpdate(name) : (onRun ? run : profile).executeUpdate(name, { args: [arg] }),
          );
          tally.updates.accepted++;
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError) tally.updates.rejected++;
          else throw err;
        }
        count1(`${onRun ? 'run' : 'customer'} update ${name}`);
      }
    } catch (err) {
      const message = (err as Error).message;
      tally.errors.push(`${message.slice(0, 200)}`);
    }
  }
  return tally;
}
