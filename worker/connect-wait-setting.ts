// JOURNEY_TEMPORAL_CONNECT_WAIT_S: how long the worker and the API wait for Temporal at start
// (worker/temporal-connect.ts). Read here alone, so the settings table names only the processes that read it.

/** How long a process waits for Temporal at start, by default: five minutes. */
export const DEFAULT_CONNECT_WAIT_S = 300;

export class ConnectWaitSettingError extends Error {}

/** JOURNEY_TEMPORAL_CONNECT_WAIT_S in ms: a whole number of seconds, 0 for one attempt (no wait). */
export function connectWaitMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.JOURNEY_TEMPORAL_CONNECT_WAIT_S;
  if (raw === undefined || raw === '') return DEFAULT_CONNECT_WAIT_S * 1000;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 0) {
    throw new ConnectWaitSettingError(`JOURNEY_TEMPORAL_CONNECT_WAIT_S=${JSON.stringify(raw)} must be a whole number of seconds >= 0`);
  }
  return seconds * 1000;
}
