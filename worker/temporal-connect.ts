// The worker's and the API's first connection to Temporal, waited for. A process started while Temporal is down
// (the cluster restarting, a deploy that brings the workers up first, a Temporal server still opening its database)
// used to exit at once; a supervisor then restarted it in a tight loop and gave up (systemd's default: 5 starts in
// 10 s; the npm start launcher: more than 5 exits a minute). Now it waits, with a bounded backoff, up to
// JOURNEY_TEMPORAL_CONNECT_WAIT_S, saying on each attempt what it waits for; an error that waiting cannot fix (a
// server at that address that does not speak Temporal's gRPC, TLS or credentials refused) ends it at once.

import { connect as tcpConnect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TLSConfig } from '@temporalio/client';

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
  if (err instanceof TlsHandshakeError) return false;
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

const PROBE_TIMEOUT_MS = 5_000;

/** host and port of a Temporal address (`host:port`, `[v6]:port`), or undefined when it has no port to probe. */
export function hostAndPort(address: string): { host: string; port: number } | undefined {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address.trim());
  if (!m || m[1] === '') return undefined;
  return { host: m[1], port: Number(m[2]) };
}

/** A TLS handshake refused for a reason the next attempt meets again: a certificate, a name, a server without TLS. */
export class TlsHandshakeError extends Error {}

// Why a handshake failed, in the setting's terms (node's error codes).
const TLS_REASONS: Record<string, string> = {
  ERR_SSL_WRONG_VERSION_NUMBER: 'the server answered in plain text: it does not serve TLS (TEMPORAL_TLS)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is not signed by a CA this process trusts (TEMPORAL_TLS_SERVER_CA_CERT_PATH)',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate is not signed by a CA this process trusts (TEMPORAL_TLS_SERVER_CA_CERT_PATH)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is not signed by a CA this process trusts (TEMPORAL_TLS_SERVER_CA_CERT_PATH)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is not signed by a CA this process trusts (TEMPORAL_TLS_SERVER_CA_CERT_PATH)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is for another name (TEMPORAL_TLS_SERVER_NAME)',
  CERT_HAS_EXPIRED: 'its certificate has expired',
};
// The socket's own errors that mean nothing answers there yet: the same on a plain or a TLS connection.
const SOCKET_NOT_ANSWERING = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

/** What `probeTemporal` needs of the connection options: the SDK's own (the TLS block and the API key turn TLS on). */
export interface ProbedConnection {
  address: string;
  tls?: boolean | null | TLSConfig;
  apiKey?: unknown;
}

/** OpenSSL's reason ("wrong version number") out of its line (`80CC…:error:0A00010B:SSL routines:fn:reason:file:line:`). */
const opensslReason = (message: string) => /SSL routines:[^:]*:([^:]+)/.exec(message)?.[1] ?? message.trim().split('\n')[0];

const bytes = (data: Uint8Array | undefined) => (data ? Buffer.from(data) : undefined);

/**
 * One connection to Temporal's address as the client's gRPC channel would open it, closed as soon as it is up: a
 * plain TCP connection, or with TLS on (a `tls` block or an API key, as the SDK decides) the TLS handshake with the
 * same CA, client certificate and server name.
 *
 * The client's channel (the API's connection, @temporalio/client) reports neither a refused port nor a refused
 * handshake: it tries again inside its `connectTimeout` (10 s by default) and then says only that the deadline
 * passed. So each attempt of the wait took 10 s (an API came up to 10 s after Temporal did), and a TLS setting that
 * could never work (an untrusted certificate, a wrong server name, a server without TLS) was waited for like an
 * outage, for the whole JOURNEY_TEMPORAL_CONNECT_WAIT_S. This probe fails in milliseconds: a refused or unreachable
 * address with "tcp connect error: ..." (waited for, like core's), a handshake refused with a `TlsHandshakeError`
 * (not waited for), naming the setting. A connection closed during the handshake is waited for: a frontend still
 * starting behind a load balancer does that too. Skipped when the channel goes through a proxy (grpc_proxy,
 * https_proxy, http_proxy), which a direct probe would wrongly find closed.
 */
export async function probeTemporal(options: ProbedConnection, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const target = hostAndPort(options.address);
  if (!target || env.grpc_proxy || env.https_proxy || env.http_proxy) return;
  const tlsOn = options.tls ?? (options.apiKey !== undefined ? true : undefined);
  const tls = typeof tlsOn === 'object' && tlsOn !== null ? tlsOn : tlsOn ? {} : undefined;
  await new Promise<void>((resolve, reject) => {
    const socket = tls
      ? tlsConnect({
          host: target.host,
          port: target.port,
          // The name the certificate must carry: the override, else the host (node checks an IP against the IP SANs).
          servername: tls.serverNameOverride ?? (isIP(target.host) ? undefined : target.host),
          ca: bytes(tls.serverRootCACertificate),
          cert: bytes(tls.clientCertPair?.crt),
          key: bytes(tls.clientCertPair?.key),
          ALPNProtocols: ['h2'],
        })
      : tcpConnect({ host: target.host, port: target.port });
    const end = (err?: Error) => {
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () =>
      end(new Error(`tcp connect error: no answer from ${options.address} in ${PROBE_TIMEOUT_MS / 1000} s`)),
    );
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      if (!tls || SOCKET_NOT_ANSWERING.has(code)) return end(new Error(`tcp connect error: ${err.message}`));
      if (code === 'ECONNRESET' || code === 'EPIPE') {
        return end(new Error(`connection reset during the TLS handshake with ${options.address}: ${err.message}`));
      }
      const why = TLS_REASONS[code] ?? 'the handshake was refused';
      end(
        new TlsHandshakeError(`TLS handshake with ${options.address} failed: ${why} (${code || 'no code'}: ${opensslReason(err.message)})`),
      );
    });
    socket.once(tls ? 'secureConnect' : 'connect', () => end());
  });
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
