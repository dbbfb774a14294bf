// State that grows, measured: ten simulated years of one active advocate (test/growth/advocate-life.ts) on the
// time-skipping test server. Prints, at the end of each year, the history length of the current journey run and of
// customer:<id>, how many runs each chain has (continue-as-new), and the bytes each carried over its last handover.
// Temporal refuses a payload over 2 MB: the carried bytes must stay flat and far below it.
//   eval "$(bash scripts/obtain-temporal.sh test-server)" && node --import tsx bench/growth.ts [years]
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createTimeSkippingEnv } from '../scripts/time-skipping-env.ts';
import { simulateAdvocateLife } from '../test/growth/advocate-life.ts';

const years = Number(process.argv[2] ?? process.env.GROWTH_YEARS ?? 10);
const handoverAfter = Number(process.env.GROWTH_HANDOVER_AFTER ?? 500);
const testServerPath = process.env.TEMPORAL_TEST_SERVER_PATH;
if (!testServerPath) throw new Error('TEMPORAL_TEST_SERVER_PATH is not set: eval "$(bash scripts/obtain-temporal.sh test-server)"');
Runtime.install({ logger: new DefaultLogger('WARN') });
const env = await createTimeSkippingEnv(testServerPath, { searchAttributes: true });
const t0 = Date.now();
console.log(
  `one active advocate, ${years} simulated years (per quarter: NPS 10, two referrals closed won, an escalation, a passive NPS); ` +
    `both workflows hand over at ${handoverAfter} history events`,
);
console.log('year  events  journey: history runs carried-bytes   customer: history runs carried-bytes');
try {
  const figures = await simulateAdvocateLife(env, {
    years,
    handoverAfter,
    onYear: (f) =>
      console.log(
        `${String(f.year).padStart(4)}  ${String(f.events).padStart(6)}  ${String(f.journeyHistory).padStart(16)} ${String(f.journeyRuns).padStart(4)} ${String(f.journeyCarriedBytes).padStart(13)}` +
          `   ${String(f.customerHistory).padStart(17)} ${String(f.customerRuns).padStart(4)} ${String(f.customerCarriedBytes).padStart(13)}`,
      ),
  });
  const last = figures.at(-1)!;
  console.log(`largest parts of what was carried last: journey run: ${last.journeyLargest}; customer:<id>: ${last.customerLargest}`);
  const limit = 2 * 1024 * 1024;
  console.log(
    `after ${years} years: journey carries ${last.journeyCarriedBytes} bytes (${((last.journeyCarriedBytes / limit) * 100).toFixed(2)}% of 2 MB), ` +
      `customer:<id> ${last.customerCarriedBytes} bytes (${((last.customerCarriedBytes / limit) * 100).toFixed(2)}%); wall ${Math.round((Date.now() - t0) / 1000)}s`,
  );
} finally {
  await env.teardown();
}
