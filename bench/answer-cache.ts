// What the API's answers kept for retries cost in memory (api/answer-pack.ts): N answers of the scale bench's event
// mix (bench/scale-population.ts, routed to the shipped journeys as api/routing.ts routes them: a customer's first
// event starts customer:<id>, a run where an event can open a cycle, "not routed" with its reason elsewhere), held
// by ours (AnswerCache: packed once accepted) and by the raw baseline (each answer's objects, as the API kept them
// before: a settled promise and a hex fingerprint). Prints the memory each holds once full (V8 heap and buffers after
// a full GC), the time to pack one (when an event is accepted) and to unpack one (when a retry asks), with the
// ratios, and checks every unpacked answer against its original. One process, the sides one after the other.
//
//   node --import tsx bench/answer-cache.ts [N]        (N defaults to 100,000: JOURNEY_API_ANSWER_CACHE_SIZE's default)
import { createHash, randomUUID } from 'node:crypto';
import { AnswerCache, AnswerPacker } from '../api/answer-pack.ts';
import { notRoutedReason, routeTargets } from '../api/routing.ts';
import { loadJourneyDir } from '../definitions/loader.ts';
import { journeyWorkflowId, type JourneyEvent } from '../workflows/contract/index.ts';
import { countArgument, heldBytes } from './heap-measure.ts';
import { customerEvents } from './scale-population.ts';

const N = countArgument(100_000, 1000, 1_000_000);

const { plans } = await loadJourneyDir();
const tag = Date.now().toString(36);

type Answer = ReturnType<typeof answerFor>;

/** The answer the API gives for one event of the mix; `open` holds the runs the customer's earlier events started. */
function answerFor(event: JourneyEvent, first: boolean, open: Set<string>) {
  const journeys = routeTargets(event, plans).map((t) => {
    const workflowId = journeyWorkflowId(t.plan.journeyId, t.customerId);
    const base = { journeyId: t.plan.journeyId, version: t.plan.version, workflowId, roles: t.roles };
    if (open.has(workflowId)) return { ...base, outcome: 'signalled' as const };
    if (t.mayStart) {
      open.add(workflowId);
      return { ...base, runId: randomUUID(), outcome: 'started' as const };
    }
    return { ...base, outcome: 'not-routed' as const, reason: notRoutedReason(workflowId, event.customerId, t.whyNoStart, first) };
  });
  const customer = {
    workflowId: `customer:${event.customerId}`,
    ...(first ? { runId: randomUUID() } : {}),
    outcome: first ? 'started' : 'signalled',
  };
  return { id: event.id, status: 'accepted' as const, duplicate: false, journeys, customer };
}

/** N events of the mix, with their answers and fingerprints, as JSON (so neither side shares objects with them). */
function workload(): Array<{ id: string; fingerprint: Buffer; json: string }> {
  const out: Array<{ id: string; fingerprint: Buffer; json: string }> = [];
  for (let i = 0; out.length < N; i++) {
    const open = new Set<string>();
    customerEvents(i).forEach((e, n) => {
      if (out.length >= N) return;
      const event = { ...e, id: `${tag}-${e.id}`, customerId: `${tag}-${e.customerId}` } as unknown as JourneyEvent;
      const fingerprint = createHash('sha256')
        .update(JSON.stringify({ ...event, id: undefined }))
        .digest();
      out.push({ id: event.id, fingerprint, json: JSON.stringify(answerFor(event, n === 0, open)) });
    });
  }
  return out;
}

const work = workload();
const jsonChars = work.reduce((s, w) => s + w.json.length, 0) / N;

// Raw: the objects, as a settled promise beside a hex fingerprint.
let before = heldBytes();
const raw = new Map<string, { fingerprint: string; answer: Promise<Answer> }>();
for (const w of work) raw.set(w.id, { fingerprint: w.fingerprint.toString('hex'), answer: Promise.resolve(JSON.parse(w.json) as Answer) });
const rawBytes = (heldBytes() - before) / N;
raw.clear();

// Ours: what EventIngest does for each event (routing, then accepted), then every retry's read.
before = heldBytes();
const cache = new AnswerCache<Answer>(N, new AnswerPacker(plans.map((p) => p.journeyId)));
const t0 = process.hrtime.bigint();
for (const w of work) {
  const answer = Promise.resolve(JSON.parse(w.json) as Answer);
  cache.routing(w.id, w.fingerprint.toString('base64'), answer);
  cache.accepted(w.id, answer, JSON.parse(w.json) as Answer);
}
const t1 = process.hrtime.bigint();
const oursBytes = (heldBytes() - before) / N;
let wrong = 0;
const t2 = process.hrtime.bigint();
for (const w of work) if (JSON.stringify(await cache.get(w.id)!.answer()) !== w.json) wrong++;
const t3 = process.hrtime.bigint();
// The pack's share of the accept loop: the same loop with JSON.parse alone.
const t4 = process.hrtime.bigint();
for (const w of work) {
  void Promise.resolve(JSON.parse(w.json));
  JSON.parse(w.json);
}
const t5 = process.hrtime.bigint();

const us = (ns: bigint) => Number(ns) / N / 1000;
const mb = (perAnswer: number) => ((perAnswer * N) / 2 ** 20).toFixed(1);
console.log(`answer cache: ${N.toLocaleString('en')} answers of the scale mix, ${jsonChars.toFixed(0)} JSON characters each on average`);
console.log(`side                       bytes/answer   MB at N   pack µs   unpack µs`);
console.log(`raw (objects, as before)   ${rawBytes.toFixed(0).padStart(12)}   ${mb(rawBytes).padStart(7)}         -           -`);
console.log(
  `ours (packed)              ${oursBytes.toFixed(0).padStart(12)}   ${mb(oursBytes).padStart(7)}   ${us(t1 - t0 - (t5 - t4))
    .toFixed(1)
    .padStart(7)}   ${us(t3 - t2)
    .toFixed(1)
    .padStart(9)}`,
);
console.log(`ratio ours/raw: memory ${(oursBytes / rawBytes).toFixed(2)}x; unpacked answers that differ from the original: ${wrong}`);
if (wrong > 0) process.exitCode = 1;
