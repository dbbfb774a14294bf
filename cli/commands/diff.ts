// `journey diff <old> <new> --events FILE [--server [address]]`: both versions backtested on the same events (side
// by side, each on its own time-skipping server), and what changes per customer and in total; with --server, which
// runs open there the new version's inFlight policy would move, read from visibility (nothing is signalled).
import type { Command } from 'commander';
import { Client, type Connection } from '@temporalio/client';
import { writeFileSync } from 'node:fs';
import { inFlightImpact, type InFlightImpact } from '../../api/in-flight-impact.ts';
import type { CompiledPlan } from '../../definitions/plan.ts';
import { loadTemporalConfig } from '../../worker/temporal-config.ts';
import { connectClient, credentialsRefusal, CREDENTIAL_SETTINGS } from '../../worker/temporal-connect.ts';
import { runBacktest } from '../replay/backtest.ts';
import { compareOutcomes } from '../replay/compare.ts';
import { renderBacktestHtml } from '../replay/html.ts';
import { InputError, loadCustomerDefaults, loadHistory, loadPlan, positiveInteger, withInputErrors } from '../replay/load-inputs.ts';
import { progressBar } from '../replay/progress.ts';
import { renderDiff } from '../replay/render-diff.ts';
import { testServerPath } from '../replay/test-server-path.ts';
import { replayOptions, type ReplayCommandOptions } from './backtest.ts';

async function readImpact(address: string | true, previous: CompiledPlan, next: CompiledPlan): Promise<InFlightImpact> {
  const config = loadTemporalConfig(typeof address === 'string' ? { ...process.env, TEMPORAL_ADDRESS: address } : process.env);
  let connection: Connection;
  try {
    // Probed first (connectClient): a setting that cannot work is named, not a 5 s deadline.
    connection = await connectClient({ ...config.connectionOptions, connectTimeout: '5 seconds' } as never);
  } catch (err) {
    const refusal = credentialsRefusal(err);
    const why = refusal === undefined ? (err as Error).message : `it refused the credentials (${CREDENTIAL_SETTINGS}): ${refusal}`;
    throw new InputError([`--server ${config.connectionOptions.address}: cannot reach Temporal (${why})`]);
  }
  try {
    return await inFlightImpact(new Client({ connection, namespace: config.namespace }), { previous, next });
  } finally {
    await connection.close();
  }
}

export function register(program: Command): void {
  replayOptions(
    program
      .command('diff <old> <new>')
      .description(
        'backtest two versions of a journey on the same events and print what changes; with --server, the runs in flight it would move',
      ),
  )
    .option('--server [address]', 'read the open runs from this Temporal server (default: TEMPORAL_ADDRESS / profile); read only')
    .action((oldFile: string, newFile: string, options: ReplayCommandOptions & { server?: string | true }) =>
      withInputErrors(async () => {
        const [previous, next] = [await loadPlan(oldFile), await loadPlan(newFile)];
        if (previous.journeyId !== next.journeyId)
          throw new InputError([
            `${newFile}: journey "${next.journeyId}" is not a version of "${previous.journeyId}" (${oldFile}); diff compares two versions of one journey`,
          ]);
        const history = loadHistory(options.events, {
          from: options.from,
          to: options.to,
          customers: positiveInteger('customers', options.customers),
          customerIds: options.customer,
        });
        const customerDefaults = loadCustomerDefaults();
        const impact = options.server ? [await readImpact(options.server, previous, next)] : undefined;
        const bar = progressBar('diff');
        const fractions = [0, 0];
        const opts = (i: number) => ({
          testServerPath: testServerPath(),
          customerDefaults,
          shards: positiveInteger('shards', options.shards),
          onProgress: (f: number) => bar.update((fractions[i] = f) / 2 + fractions[1 - i] / 2),
        });
        const [before, after] = await Promise.all([runBacktest([previous], history, opts(0)), runBacktest([next], history, opts(1))]);
        bar.done();
        const diff = compareOutcomes(before.outcome, after.outcome);
        const header = `diff of ${previous.journeyId} v${previous.version} (${oldFile}) → v${next.version} (${newFile}) over ${options.events}: ${history.events} events, ${history.byCustomer.size} customers`;
        if (options.html) writeFileSync(options.html, await renderBacktestHtml(after.outcome, [header, "the new version's backtest"]));
        process.stdout.write(
          options.json
            ? `${JSON.stringify({ ...diff, inFlight: impact }, null, 2)}\n`
            : `${renderDiff(diff, { header, zoneOf: after.zoneOf, impact })}\n`,
        );
      }),
    );
}
