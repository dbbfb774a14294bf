// Which per-promise stack traces the worker's workflow threads keep (JOURNEY_WORKER_STACK_TRACES: on, sdk, off).
//
// The Temporal SDK installs a v8 promise hook in each of its workflow threads: for every promise workflow code
// creates it builds an Error, reads its stack through the bundle's source map and keeps it, to answer the
// `__stack_trace` / `__enhanced_stack_trace` queries (the Temporal UI's "Stack Trace" tab). It changes nothing a
// workflow does. A CPU profile of the worker under load put 22-43 % of the workflow threads' busy time in that hook
// (bench/README.md, stop 47); switched off, the workers used about a fifth less CPU per event (stop 48).
// - `on` (the default): worker/deferred-stack-traces.cjs's hook in its place: the same answers, the frames kept as
//   V8's call sites and formatted only when a query asks (bench/stack-traces.ts measures the two).
// - `sdk`: the SDK's own hook, as the SDK starts its threads.
// - `off`: no hook; the tab answers "not enabled".
// The SDK has no option for it: worker/workflow-threads.ts starts the SDK's threads through workflow-thread.cjs, which
// replaces the hook's installation in each. The replay switches the same hook off on its own thread
// (cli/replay/workflow-stack-traces.ts).

/** JOURNEY_WORKER_STACK_TRACES: `on` (deferred formatting, the default), `sdk` (the SDK's own hook), `off`. */
export type WorkflowStackTraces = 'on' | 'sdk' | 'off';
export const WORKFLOW_STACK_TRACES: readonly WorkflowStackTraces[] = ['on', 'sdk', 'off'];

/** The setting from `variable` (JOURNEY_WORKER_STACK_TRACES): unset or empty is `on`; anything else not listed is an
 *  error naming the variable. */
export function workflowStackTracesOf(env: NodeJS.ProcessEnv, variable: string): WorkflowStackTraces {
  const raw = env[variable];
  if (raw === undefined || raw === '') return 'on';
  if ((WORKFLOW_STACK_TRACES as readonly string[]).includes(raw)) return raw as WorkflowStackTraces;
  throw new Error(`${variable}=${JSON.stringify(raw)} is not one of ${WORKFLOW_STACK_TRACES.join(', ')}`);
}

/** The worker's start-up line for the setting. */
export function describeStackTraces(setting: WorkflowStackTraces): string {
  if (setting === 'on') return 'on, formatted when the Stack Trace tab asks (JOURNEY_WORKER_STACK_TRACES)';
  if (setting === 'sdk') return "on, the SDK's own hook: every promise's stack formatted as it is created (JOURNEY_WORKER_STACK_TRACES)";
  return 'off (the UI\'s "Stack Trace" tab answers "not enabled"; JOURNEY_WORKER_STACK_TRACES)';
}
