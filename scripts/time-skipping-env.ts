// The one place this project starts the Java time-skipping test server (io.temporal.testserver.TestServer, obtained
// by scripts/obtain-temporal.sh) as a TestWorkflowEnvironment: used by the test suite (test/support/temporal.ts),
// `journey simulate` (cli/simulate/run-timeline.ts) and the journey benchmark (bench/journey.ts).
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/contract/index.ts';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SearchAttributeType } from '@temporalio/common';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';

/**
 * The client's gRPC keepalive, relaxed for the Java test server. The SDK's client connection pings every 30 s, even
 * with no call open; the Java server allows one ping per 5 minutes and answers more with GOAWAY "too_many_pings",
 * which cancels the calls in flight (env.sleep failed with CANCELLED after a few dozen benchmark cycles, lifecycle
 * tests hung until their timeout). Pinging every 6 minutes, and only while calls are open, stays within its policy.
 */
export const TEST_SERVER_CHANNEL_ARGS = { 'grpc.keepalive_time_ms': 6 * 60_000, 'grpc.keepalive_permit_without_calls': 0 } as const;

const START_ATTEMPTS = 6;

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
  const options = {
    server: { type: 'time-skipping', executable: { type: 'existing-path', path: testServerPath } },
    supportsTimeSkipping: true,
    connectionOptions: { channelArgs: TEST_SERVER_CHANNEL_ARGS },
  };
  // The SDK gives the JVM about 5 s to listen; on a loaded machine it takes longer. Each try starts a fresh server
  // (the SDK stops the one that was too slow), and a later try finds the JVM's files in the page cache.
  let env: TestWorkflowEnvironment | undefined;
  for (let attempt = 1; !env; attempt++) {
    try {
      env = await create(options);
    } catch (err) {
      if (attempt >= START_ATTEMPTS || !/did not start within/.test((err as Error).message)) throw err;
    }
  }
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

/** How often signalWithStartOnTestServer sends a call the test server refused during a handover. */
const HANDOVER_REFUSALS = 5;

/**
 * `client.workflow.signalWithStart` for the time-skipping test server. Its SignalWithStart is not atomic: it looks
 * the workflow id up, and when that run has closed (a continue-as-new being handed over) it starts one, without the
 * request's workflowIdConflictPolicy. By then the chain's next run is open, and the call is refused with
 * WorkflowExecutionAlreadyStartedError (TestWorkflowService.signalWithStartWorkflowExecution in temporalio/sdk-java;
 * test/test-server-signal-with-start.test.ts). The refusal comes before the signal is recorded, so the call is sent
 * again, at most HANDOVER_REFUSALS times. Temporal's server looks up and starts in one step and never refuses such a
 * call, so the API calls signalWithStart directly; this is for drivers of the test server only.
 */
export async function signalWithStartOnTestServer(
  client: Client,
  onRefused: (() => void) | undefined,
  ...args: Parameters<Client['workflow']['signalWithStart']>
): ReturnType<Client['workflow']['signalWithStart']> {
  for (let refused = 0; ; refused++) {
    try {
      return await client.workflow.signalWithStart(...args);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || refused >= HANDOVER_REFUSALS) throw err;
      onRefused?.();
    }
  }
}
