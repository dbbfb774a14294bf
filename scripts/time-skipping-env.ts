// The one place this project starts the Java time-skipping test server (io.temporal.testserver.TestServer, obtained
// by scripts/obtain-temporal.sh) as a TestWorkflowEnvironment: used by the test suite (test/support/temporal.ts),
// `journey simulate` (cli/simulate/run-timeline.ts) and the journey benchmark (bench/journey.ts).
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/contract/index.ts';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SearchAttributeType } from '@temporalio/common';

/**
 * The client's gRPC keepalive, relaxed for the Java test server. The SDK's client connection pings every 30 s, even
 * with no call open; the Java server allows one ping per 5 minutes and answers more with GOAWAY "too_many_pings",
 * which cancels the calls in flight (env.sleep failed with CANCELLED after a few dozen benchmark cycles, lifecycle
 * tests hung until their timeout). Pinging every 6 minutes, and only while calls are open, stays within its policy.
 */
export const TEST_SERVER_CHANNEL_ARGS = { 'grpc.keepalive_time_ms': 6 * 60_000, 'grpc.keepalive_permit_without_calls': 0 } as const;

export interface TimeSkippingEnvOptions {
  /** Register the journey engine's custom search attributes (the server fails workflow tasks that upsert unknown ones). */
  searchAttributes?: boolean;
}

/**
 * A time-skipping TestWorkflowEnvironment on the test server at `testServerPath` (started as `<path> <port>`), whose
 * client connection (env.client, env.connection and so env.sleep / env.currentTimeMs) uses TEST_SERVER_CHANNEL_ARGS.
 */
export async function createTimeSkippingEnv(testServerPath: string, opts: TimeSkippingEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  // `create` is what createTimeSkipping calls, with the same options; it is the only entry that passes connection
  // options (channelArgs) through to the client connection. It is private in the typings, public at run time.
  const create = (
    TestWorkflowEnvironment as unknown as {
      create(opts: object): Promise<TestWorkflowEnvironment>;
    }
  ).create.bind(TestWorkflowEnvironment);
  const env = await create({
    server: { type: 'time-skipping', executable: { type: 'existing-path', path: testServerPath } },
    supportsTimeSkipping: true,
    connectionOptions: { channelArgs: TEST_SERVER_CHANNEL_ARGS },
  });
  if (opts.searchAttributes) {
    try {
      await registerJourneySearchAttributes(env);
    } catch (err) {
      await env.teardown();
      throw err;
    }
  }
  return env;
}

const INDEXED: Record<string, number> = {
  [SearchAttributeType.TEXT]: 1,
  [SearchAttributeType.KEYWORD]: 2,
  [SearchAttributeType.INT]: 3,
  [SearchAttributeType.DOUBLE]: 4,
  [SearchAttributeType.BOOL]: 5,
  [SearchAttributeType.DATETIME]: 6,
  [SearchAttributeType.KEYWORD_LIST]: 7,
};

/** The time-skipping server accepts AddSearchAttributes: register ours on it exactly as on the dev server. */
export async function registerJourneySearchAttributes(env: TestWorkflowEnvironment, namespace = 'default'): Promise<void> {
  await env.connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, INDEXED[k.type]])) as never,
  });
}
