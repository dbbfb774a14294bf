// The activity interface the interpreter calls through proxyActivities, derived from the implementations the worker
// registers (activities/index.ts createActivities), so a changed signature fails the type check instead of drifting.
// `import type` only: nothing of the implementations reaches the workflow bundle.
import type { createActivities } from '../../activities/index.ts';

/** Every activity the worker registers. Required: some are registered only with a Temporal client (readAdvocateScore),
 *  and the interpreter proxies them all. */
export type JourneyActivities = Required<ReturnType<typeof createActivities>>;
