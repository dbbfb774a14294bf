// Benchmark: what encrypting payloads (worker/payload-codec.ts, JOURNEY_CODEC_KEYS) costs per payload, on the two
// payloads that dominate a journey's history: a run's start input (the whole compiled plan, tens of KB) and one event
// signal with the customer's traits (a few hundred bytes). Each is converted to a payload and back N times through the
// engine's data converter with the codec (encode + decode), and through the SDK's default converter alone (baseline).
// The codec as shipped deflates payloads of 1 KB or more before sealing them; the "no deflate" columns are the same
// codec with JOURNEY_CODEC_COMPRESS=0, how it sealed everything before.
// Run: node --import tsx bench/payload-codec.ts [N]
import { defaultPayloadConverter } from '@temporalio/common';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow/data-converter-helpers.js';
import { decode, encode } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import { loadJourneyDir } from '../definitions/loader.ts';
import { journeyDataConverter } from '../worker/data-converter.ts';
import { EncryptionCodec, generateCodecKey, parseCodecKeys } from '../worker/payload-codec.ts';

const n = Math.max(100, Math.min(200_000, Number(process.argv[2] ?? 5000)));
const keys = parseCodecKeys(generateCodecKey('bench'));
const codecs = loadDataConverter(journeyDataConverter(new EncryptionCodec(keys))).payloadCodecs;
const uncompressed = loadDataConverter(journeyDataConverter(new EncryptionCodec(keys, { compress: false }))).payloadCodecs;

const { plans } = await loadJourneyDir();
const plan = plans.find((p) => p.journeyId === 'nps-promoter-referral') ?? plans[0];
const samples = {
  'run start input (compiled plan)': { plan, customerId: 'cust-0001' },
  'event signal with traits': {
    id: 'nps-cust-0001',
    type: 'nps.submitted',
    customerId: 'cust-0001',
    occurredAt: '2026-12-01T10:00:00.000Z',
    data: { score: 10, comment: 'Saved us a week' },
    traits: { email: 'ada@globex.example', firstName: 'Ada', lastName: 'Lovelace', company: 'Globex', timezone: 'Europe/London' },
  },
};

async function timeIt(rounds: number, once: () => Promise<void>): Promise<number> {
  for (let i = 0; i < Math.min(200, rounds); i++) await once(); // warm-up
  const t = performance.now();
  for (let i = 0; i < rounds; i++) await once();
  return ((performance.now() - t) * 1000) / rounds; // µs per round trip
}

console.log(`payload round trips (value → payload → stored form → payload → value), ${n} each, AES-256-GCM via node:crypto`);
console.log(
  `${'payload'.padEnd(34)} ${'bytes'.padStart(8)} ${'stored'.padStart(8)} ${'no deflate'.padStart(11)} ${'plain µs'.padStart(9)} ${'codec µs'.padStart(9)} ${'no deflate µs'.padStart(14)} ${'ratio'.padStart(6)}`,
);
for (const [name, value] of Object.entries(samples)) {
  const plainPayload = defaultPayloadConverter.toPayload(value)!;
  const [stored] = await encode(codecs, [plainPayload]);
  const [storedWhole] = await encode(uncompressed, [plainPayload]);
  const rounds = name.startsWith('run start') ? Math.max(100, Math.floor(n / 10)) : n;
  const baseline = await timeIt(rounds, async () => {
    defaultPayloadConverter.fromPayload(defaultPayloadConverter.toPayload(value)!);
  });
  const roundTrip = (through: typeof codecs) => async () => {
    const [sealed] = await encode(through, [defaultPayloadConverter.toPayload(value)!]);
    const [opened] = await decode(through, [sealed]);
    defaultPayloadConverter.fromPayload(opened);
  };
  const ours = await timeIt(rounds, roundTrip(codecs));
  const whole = await timeIt(rounds, roundTrip(uncompressed));
  console.log(
    `${name.padEnd(34)} ${String(plainPayload.data!.length).padStart(8)} ${String(stored.data!.length).padStart(8)} ${String(storedWhole.data!.length).padStart(11)} ${baseline.toFixed(1).padStart(9)} ${ours.toFixed(1).padStart(9)} ${whole.toFixed(1).padStart(14)} ${(ours / baseline).toFixed(2).padStart(6)}`,
  );
}
