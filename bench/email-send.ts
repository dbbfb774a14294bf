// How fast one worker process can send: the email activity on the outbox transport and through the real
// `postmark` client to the local Postmark-compatible server, sequential and with concurrency, plus what the
// duplicate check on a retry costs. Bounded: N sends per case (BENCH_EMAIL_N, default 400).
// Run: node --import tsx bench/email-send.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmailActivities } from '../activities/email/index.ts';
import { startFakePostmark } from '../test/postmark/server.ts';
import { capturingLogger, sampleAsk } from '../test/postmark/fixtures.ts';
import { findSentBySendKey, createPostmarkClient } from '../activities/email/postmark-transport.ts';

const N = Math.min(Number(process.env.BENCH_EMAIL_N ?? 400), 5_000);

interface Figures {
  perSecond: number;
  p50: number;
  p95: number;
}

async function measure(n: number, concurrency: number, one: (i: number) => Promise<unknown>): Promise<Figures> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const t0 = performance.now();
        await one(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { perSecond: (n / elapsed) * 1000, p50: latencies[Math.floor(n * 0.5)], p95: latencies[Math.floor(n * 0.95)] };
}

const show = (name: string, f: Figures) =>
  console.log(`${name.padEnd(44)} ${f.perSecond.toFixed(0).padStart(6)} ops/s   p50 ${f.p50.toFixed(2)} ms   p95 ${f.p95.toFixed(2)} ms`);

const dataDir = mkdtempSync(join(tmpdir(), 'bench-email-'));
const postmark = await startFakePostmark({ serverTokens: ['bench-token'] });
try {
  const outbox = createEmailActivities({ dataDir, logger: capturingLogger() });
  const viaPostmark = createEmailActivities({
    dataDir,
    logger: capturingLogger(),
    postmark: { serverToken: 'bench-token', apiUrl: postmark.url },
  });
  const key = (run: string, i: number) => `bench:${run}:${i}`;

  console.log(`email send benchmark, ${N} sends per case (local template rendered each time)`);
  const o1 = await measure(N, 1, (i) => outbox.sendEmail(sampleAsk({ sendKey: key('o1', i) })));
  show('outbox, sequential', o1);
  const o8 = await measure(N, 8, (i) => outbox.sendEmail(sampleAsk({ sendKey: key('o8', i) })));
  show('outbox, 8 concurrent', o8);
  const oDup = await measure(N, 1, (i) => outbox.sendEmail(sampleAsk({ sendKey: key('o1', i) })));
  show('outbox, repeated send key (no write)', oDup);
  const p1 = await measure(N, 1, (i) => viaPostmark.sendEmail(sampleAsk({ sendKey: key('p1', i) })));
  show('postmark client → local server, sequential', p1);
  const p8 = await measure(N, 8, (i) => viaPostmark.sendEmail(sampleAsk({ sendKey: key('p8', i) })));
  show('postmark client → local server, 8 concurrent', p8);
  const client = createPostmarkClient({ serverToken: 'bench-token', apiUrl: postmark.url });
  const lookup = await measure(N, 1, (i) => findSentBySendKey(client, key('p1', i), 'broadcast'));
  show('duplicate check (outbound search by sendKey)', lookup);
  console.log(`accepted by the server: ${postmark.accepted.length} (expected ${2 * N})`);
  console.log(
    `ratios: outbox/postmark sequential ${(o1.perSecond / p1.perSecond).toFixed(2)}x; ` +
      `postmark 8-concurrent/sequential ${(p8.perSecond / p1.perSecond).toFixed(2)}x; ` +
      `retry overhead (search p50 / send p50) ${(lookup.p50 / p1.p50).toFixed(2)}x`,
  );
} finally {
  await postmark.close();
  rmSync(dataDir, { recursive: true, force: true });
}
