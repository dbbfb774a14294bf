// The worker's and the API's first connection to Temporal, waited for. A process started while Temporal is down
// (the cluster restarting, a deploy that brings the workers up first, a Temporal server still opening its database)
// used to exit at once; a supervisor then restarted it in a tight loop and gave up (systemd's default: 5 starts in
// 10 s; the npm start launcher: more than 5 exits a minute). Now it waits, with a bounded backoff, up to
// JOURNEY_TEMPORAL_CONNECT_WAIT_S, saying on each attempt what it waits for; an error that waiting cannot fix (a
// server at that address that does not speak Temporal's gRPC, TLS or credentials refused) ends it at once.

/** How long a process waits for Temporal at start, by default: five minutes. */
export const DEFAULT_CONNECT_WAIT_S = 300;
const FIRST_RETRY_MS = 500;
const LONGEST_RETRY_MS = 10_000;

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

// What Temporal's clients say when nothing answers yet: the worker's native connection (core's tonic: a refused TCP
// connection, a name that does not resolve yet, and a frontend that is up but not serving, gRPC UNAVAILABLE or
// DEADLINE_EXCEEDED, which tonic words "The service is currently unavailable" and "Deadline expired before operation
// could complete"), and the client's gRPC channel (it only says the deadline passed). Anything else (a protocol error
// from a server that is not Temporal's, a TLS handshake, UNAUTHENTICATED, PERMISSION_DENIED) is the same on every
// attempt.
const NOT_ANSWERING =
  /tcp connect error|connection refused|dns error|failed to lookup address|failed to connect before the deadline|connection reset|broken pipe|currently unavailable|deadline expired before operation|\bUNAVAILABLE\b/i;
const GRPC_UNAVAILABLE = 14;

/** Whether an error from a first connection means "Temporal is not answering yet", worth waiting for. */
export function isTemporalNotAnswering(err: unknown): boolean {
  const e = err as { message?: unknown; code?: unknown; cause?: { code?: unknown; message?: unknown } } | undefined;
  if (e?.code === GRPC_UNAVAILABLE || e?.cause?.code === GRPC_UNAVAILABLE) return true;
  return NOT_ANSWERING.test(`${String(e?.message ?? err)} ${String(e?.cause?.message ?? '')}`);
}

export interface ConnectWaitOptions {
  /** The address, for the lines it logs. */
  address: string;
  /** How long to go on trying (JOURNEY_TEMPORAL_CONNECT_WAIT_S); 0: one attempt. */
  waitMs: number;
  /** One line per failed attempt that will be retried. */
  log: (line: string) => void;
}

export class TemporalUnreachableError extends Error {}

/**
 * `connect()` until it succeeds, Temporal keeps not answering past `waitMs`, or an error says waiting cannot help.
 * Retries back off from 0.5 s, doubling, to 10 s. The error it ends with says which of these it was.
 */
export async function connectWhenReachable<T>(connect: () => Promise<T>, opts: ConnectWaitOptions): Promise<T> {
  const deadline = Date.now() + opts.waitMs;
  let delay = FIRST_RETRY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect();
    } catch (err) {
      const reason = (err as Error).message;
      if (!isTemporalNotAnswering(err)) {
        throw new TemporalUnreachableError(`cannot reach Temporal at ${opts.address}: ${reason} (not retried: waiting cannot fix it)`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const waited =
          opts.waitMs > 0 ? ` after ${attempt} attempts in ${Math.round(opts.waitMs / 1000)} s (JOURNEY_TEMPORAL_CONNECT_WAIT_S)` : '';
        throw new TemporalUnreachableError(`cannot reach Temporal at ${opts.address}${waited}: ${reason}`);
      }
      const pause = Math.min(delay, left);
      opts.log(
        `Temporal at ${opts.address} is not answering (attempt ${attempt}: ${reason}); ` +
          `trying again in ${(pause / 1000).toFixed(1)} s, for up to ${Math.round(left / 1000)} s more (JOURNEY_TEMPORAL_CONNECT_WAIT_S)`,
      );
      await new Promise((resolve) => setTimeout(resolve, pause));
      delay = Math.min(delay * 2, LONGEST_RETRY_MS);
    }
  }
}

/**
 * While a process waits for Temporal, SIGINT or SIGTERM ends it at once with exit 0: nothing has started that needs
 * draining, and the worker's runtime (installed before it connects) would otherwise hold the signal for a worker
 * that does not exist yet. Returns the function that hands the signals back once connected.
 */
export function exitOnStopWhileWaiting(processName: string): () => void {
  const stop = (signal: NodeJS.Signals) => {
    console.log(`${processName}: ${signal} while waiting for Temporal; stopped`);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
}
