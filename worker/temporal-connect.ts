// The worker's and the API's first connection to Temporal, waited for. A process started while Temporal is down
// (the cluster restarting, a deploy that brings the workers up first, a Temporal server still opening its database)
// used to exit at once; a supervisor then restarted it in a tight loop and gave up (systemd's default: 5 starts in
// 10 s; the npm start launcher: more than 5 exits a minute). Now it waits, with a bounded backoff, up to
// JOURNEY_TEMPORAL_CONNECT_WAIT_S, saying on each attempt what it waits for; an error that waiting cannot fix (a
// server at that address that does not speak Temporal's gRPC, TLS or credentials refused) ends it at once.

import { connect as tcpConnect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { randomUUID } from 'node:crypto';
import { Connection, type ConnectionOptions, type TLSConfig } from '@temporalio/client';

// The wait's bound, JOURNEY_TEMPORAL_CONNECT_WAIT_S, is read in connect-wait-setting.ts, not here: the CLI and the API's
// routes load this file for its probe and its words, and the settings table names every process that loads the code
// reading a variable.
const FIRST_RETRY_MS = 500;
const LONGEST_RETRY_MS = 10_000;

// What Temporal's clients say when nothing answers yet: the worker's native connection (core's tonic: a refused TCP
// connection, a name that does not resolve yet, and a frontend that is up but not serving, gRPC UNAVAILABLE or
// DEADLINE_EXCEEDED, which tonic words "The service is currently unavailable" and "Deadline expired before operation
// could complete"), and the client's gRPC channel (it only says the deadline passed). Anything else (a protocol error
// from a server that is not Temporal's, a TLS handshake, UNAUTHENTICATED, PERMISSION_DENIED) is the same on every
// attempt.
const NOT_ANSWERING =
  /tcp connect error|connection refused|dns error|failed to lookup address|failed to connect before the deadline|connection reset|broken pipe|currently unavailable|deadline expired before operation|\bUNAVAILABLE\b/i;
const GRPC_UNAVAILABLE = 14;

const GRPC_NOT_FOUND = 5;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_UNAUTHENTICATED = 16;
// Core's words (tonic's) for those two codes, where the client carries the code itself.
const CORE_CREDENTIALS_REFUSED = /does not have permission to execute|does not have valid authentication credentials/;
/** Where a process's credentials come from, for the messages that say Temporal refused them. */
export const CREDENTIAL_SETTINGS = 'TEMPORAL_API_KEY, or the client certificate TEMPORAL_TLS_CLIENT_CERT_PATH';

/**
 * The server's reason when it refused this process's credentials (gRPC PERMISSION_DENIED or UNAUTHENTICATED: a key
 * it does not accept, expired, or without a permission), else undefined. The client's errors carry the code, on
 * themselves or on their cause; core's carry its words.
 */
export function credentialsRefusal(err: unknown): string | undefined {
  type Coded = { code?: unknown; details?: unknown; message?: unknown; cause?: Coded } | undefined;
  const e = err as Coded;
  for (const x of [e, e?.cause]) {
    if (x?.code === GRPC_PERMISSION_DENIED || x?.code === GRPC_UNAUTHENTICATED) return String(x.details || x.message);
  }
  const text = `${String(e?.message ?? err)} ${String(e?.cause?.message ?? '')}`;
  if (CORE_CREDENTIALS_REFUSED.test(text)) return /message: "([^"]*)"/.exec(text)?.[1] || text.trim();
  return undefined;
}

/** Whether an error from a first connection means "Temporal is not answering yet", worth waiting for. */
export function isTemporalNotAnswering(err: unknown): boolean {
  if (err instanceof TemporalRefusedError) return false;
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
      const refusal = credentialsRefusal(err);
      if (refusal !== undefined) {
        throw new TemporalUnreachableError(
          `cannot reach Temporal at ${opts.address}: it refused this process's credentials (${CREDENTIAL_SETTINGS}): ${refusal} (not retried: waiting cannot fix it)`,
        );
      }
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
/** How long the probe waits for the server's first HTTP/2 frame before leaving the verdict to the SDK's channel. */
const ANSWER_WAIT_MS = 2_000;

/** host and port of a Temporal address (`host:port`, `[v6]:port`), or undefined when it has no port to probe. */
export function hostAndPort(address: string): { host: string; port: number } | undefined {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address.trim());
  if (!m || m[1] === '') return undefined;
  return { host: m[1], port: Number(m[2]) };
}

/**
 * What the address answered, that the next attempt meets again: a TLS handshake refused (a certificate, a name, a
 * client certificate), TLS spoken to a server without it or the reverse, a server that does not speak HTTP/2.
 */
export class TemporalRefusedError extends Error {}

const UNTRUSTED_CA = 'its certificate is not signed by a CA this process trusts (TEMPORAL_TLS_SERVER_CA_CERT_PATH)';
const CLIENT_CERT_REFUSED = "the server refused this process's client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH)";
// Why a handshake failed, in the setting's terms (node's error codes).
const TLS_REASONS: Record<string, string> = {
  ERR_SSL_WRONG_VERSION_NUMBER: 'the server answered in plain text: it does not serve TLS (TEMPORAL_TLS)',
  DEPTH_ZERO_SELF_SIGNED_CERT: UNTRUSTED_CA,
  SELF_SIGNED_CERT_IN_CHAIN: UNTRUSTED_CA,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED_CA,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED_CA,
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is for another name (TEMPORAL_TLS_SERVER_NAME)',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  // mTLS: with TLS 1.3 the server says so after the handshake, in its first record (hence the preface below).
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: CLIENT_CERT_REFUSED,
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: CLIENT_CERT_REFUSED,
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: CLIENT_CERT_REFUSED,
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: CLIENT_CERT_REFUSED,
};
// The socket's own errors that mean nothing answers there yet: the same on a plain or a TLS connection.
const SOCKET_NOT_ANSWERING = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

/** HTTP/2's client connection preface and an empty SETTINGS frame: what gRPC sends first on every connection. */
const H2_PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);
const H2_SETTINGS = 0x04;
const TLS_ALERT_RECORD = 0x15;

/** What `probeTemporal` needs of the connection options: the SDK's own (the TLS block and the API key turn TLS on). */
export interface ProbedConnection {
  address: string;
  tls?: boolean | null | TLSConfig;
  apiKey?: unknown;
  /** The worker's (core's) HTTP CONNECT proxy: the probe is skipped, as with the proxy variables. */
  proxy?: unknown;
}

/** OpenSSL's reason ("wrong version number") out of its line (`80CC…:error:0A00010B:SSL routines:fn:reason:file:line:`). */
const opensslReason = (message: string) => /SSL routines:[^:]*:([^:]+)/.exec(message)?.[1] ?? message.trim().split('\n')[0];

const bytes = (data: Uint8Array | undefined) => (data ? Buffer.from(data) : undefined);

/**
 * One connection to Temporal's address as the client's gRPC channel would open it, closed once the server has
 * answered: a plain TCP connection, or with TLS on (a `tls` block or an API key, as the SDK decides) the TLS
 * handshake with the same CA, client certificate and server name; then HTTP/2's preface, to read the server's first
 * frame.
 *
 * The client's channel (the API's connection, @temporalio/client) reports neither a refused port nor a refused
 * handshake: it tries again inside its `connectTimeout` (10 s by default) and then says only that the deadline
 * passed. So each attempt of the wait took 10 s (an API came up to 10 s after Temporal did), and a setting that
 * could never work (an untrusted certificate, a wrong server name, a refused client certificate, TLS on or off
 * against a server the other way, an address that is a web server) was waited for like an outage, for the whole
 * JOURNEY_TEMPORAL_CONNECT_WAIT_S. This probe fails in milliseconds: a refused or unreachable address with
 * "tcp connect error: ..." (waited for, like core's), the rest with a `TemporalRefusedError` (not waited for) that
 * names the setting. A connection closed, reset or silent after it opened is left to the channel (and so waited for):
 * a frontend still starting behind a load balancer does that too; but a plain connection closed unanswered by a
 * server that then takes a TLS handshake is TLS missing here (Temporal's frontend, a Go gRPC server, says nothing to
 * plain bytes), refused naming TEMPORAL_TLS. Skipped when the channel goes through a proxy
 * (grpc_proxy, https_proxy, http_proxy), which a direct probe would wrongly find closed.
 */
export async function probeTemporal(options: ProbedConnection, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const target = hostAndPort(options.address);
  if (!target || options.proxy || env.grpc_proxy || env.https_proxy || env.http_proxy) return;
  const tlsOn = options.tls ?? (options.apiKey !== undefined ? true : undefined);
  const tls = typeof tlsOn === 'object' && tlsOn !== null ? tlsOn : tlsOn ? {} : undefined;
  const address = options.address;
  const closedUnanswered = await new Promise<boolean>((resolve, reject) => {
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
    let open = false;
    const end = (err?: Error, closed = false) => {
      socket.destroy();
      if (err) reject(err);
      else resolve(closed);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () =>
      end(open ? undefined : new Error(`tcp connect error: no answer from ${address} in ${PROBE_TIMEOUT_MS / 1000} s`)),
    );
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      if (!open && SOCKET_NOT_ANSWERING.has(code)) return end(new Error(`tcp connect error: ${err.message}`));
      const why = tls ? TLS_REASONS[code] : undefined;
      if (why)
        return end(new TemporalRefusedError(`TLS handshake with ${address} failed: ${why} (${code}: ${opensslReason(err.message)})`));
      // Before the handshake ends, an error of TLS's own (OpenSSL's ERR_SSL_…, a certificate's code, EPROTO) is the
      // same on the next attempt; one of the socket's (ECONNRESET, EPIPE, …) is a frontend starting or going away.
      if (tls && !open && !(/^E[A-Z]+$/.test(code) && code !== 'EPROTO')) {
        return end(new TemporalRefusedError(`TLS handshake with ${address} failed (${code || 'no code'}: ${opensslReason(err.message)})`));
      }
      // Reset or closed: waited for before the connection opened; after it, the channel's attempt decides.
      end(open ? undefined : new Error(`tcp connect error: ${err.message}`), open);
    });
    socket.once('close', () => end(open ? undefined : new Error(`tcp connect error: ${address} closed the connection`), open));
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      open = true;
      socket.setTimeout(ANSWER_WAIT_MS);
      socket.write(H2_PREFACE);
    });
    socket.once('data', (first: Buffer) => {
      if (first.length >= 9 && first[3] === H2_SETTINGS) return end();
      if (!tls && first[0] === TLS_ALERT_RECORD && first[1] === 0x03) {
        return end(new TemporalRefusedError(`${address} answered with TLS: it serves only TLS connections (TEMPORAL_TLS)`));
      }
      const text = first.toString('latin1', 0, Math.min(first.length, 200));
      if (/^HTTP\/1\.[01] /.test(text)) {
        const line = text.split('\r\n')[0];
        const tlsOnly = /HTTPS/i.test(text) && !tls;
        return end(
          new TemporalRefusedError(
            tlsOnly
              ? `${address} answered HTTP/1 ("${line}"): it serves only TLS connections (TEMPORAL_TLS)`
              : `${address} answered HTTP/1 ("${line}"): not a gRPC server, so not Temporal's frontend (TEMPORAL_ADDRESS)`,
          ),
        );
      }
      end(); // something else: the channel's attempt will say what
    });
  });
  // A Go gRPC server with TLS (Temporal's frontend) closes a plain connection without a word, as a frontend still
  // starting behind a load balancer may. Only a TLS handshake tells them apart.
  if (!tls && closedUnanswered && (await completesTlsHandshake(target.host, target.port))) {
    throw new TemporalRefusedError(
      `${address} closed a plain connection unanswered and takes a TLS handshake: it serves only TLS connections (TEMPORAL_TLS)`,
    );
  }
}

/**
 * Whether the server at host:port speaks TLS: its handshake completes, or it ends it with an alert of TLS's own (a
 * client certificate it requires, under TLS 1.2). Its certificate is not checked: only the protocol is asked.
 */
async function completesTlsHandshake(host: string, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = tlsConnect({
      host,
      port,
      servername: isIP(host) ? undefined : host,
      rejectUnauthorized: false,
      ALPNProtocols: ['h2'],
    });
    const end = (speaksTls: boolean) => {
      socket.destroy();
      resolve(speaksTls);
    };
    socket.setTimeout(ANSWER_WAIT_MS, () => end(false));
    socket.once('secureConnect', () => end(true));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      end((err.code ?? '').startsWith('ERR_SSL_') && err.code !== 'ERR_SSL_WRONG_VERSION_NUMBER'),
    );
    socket.once('close', () => end(false));
  });
}

/** The client's connection (@temporalio/client), each attempt probed first (`probeTemporal`): for `connectWhenReachable`. */
export async function connectClient(options: ConnectionOptions & ProbedConnection): Promise<Connection> {
  await probeTemporal(options);
  return Connection.connect(options);
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

/** What checkNamespaceAccess needs of a connection: the client's and core's both have it. */
interface SignalingService {
  signalWorkflowExecution(request: {
    namespace: string;
    workflowExecution: { workflowId: string };
    signalName: string;
    requestId: string;
    identity?: string;
  }): Promise<unknown>;
}

const ACCESS_CHECK_WORKFLOW_ID = 'journey-engine:access-check:no-such-run';
/** How long the check waits for an answer before leaving the verdict to the calls that follow. */
const ACCESS_CHECK_TIMEOUT_MS = 10_000;
/** How long a namespace the server does not know yet is waited for: its frontends learn a new one within ~10 s. */
const NEW_NAMESPACE_WAIT_MS = 15_000;

/**
 * Whether this process may act in `namespace`, asked once at start: a signal to a workflow id no run has. The server
 * checks the caller's permission for it (write, as sending events and polling tasks need) before it looks for the
 * run, so "not found" is the answer of a caller allowed, and nothing is written. A connection with credentials the
 * server accepts but without that permission (a key for another namespace, a read-only one) otherwise started
 * the API normally (/healthz ok, every event 503), and stopped the worker on an error naming neither. Throws TemporalRefusedError
 * naming the settings when the credentials may not write in the namespace, or it does not exist (after
 * NEW_NAMESPACE_WAIT_MS: one just registered reaches every frontend within about 10 s); any other answer (a frontend
 * busy), or none within ACCESS_CHECK_TIMEOUT_MS, is left to the calls that follow.
 */
export async function checkNamespaceAccess(
  service: SignalingService,
  namespace: string,
  waitForNamespaceMs = NEW_NAMESPACE_WAIT_MS,
  answerWithinMs = ACCESS_CHECK_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + waitForNamespaceMs;
  for (;;) {
    try {
      const answer = service.signalWorkflowExecution({
        namespace,
        workflowExecution: { workflowId: ACCESS_CHECK_WORKFLOW_ID },
        signalName: 'journey-engine.access-check',
        requestId: randomUUID(),
        identity: 'journey-engine access check',
      });
      // A frontend that takes the call and never answers must not hold the start (or the watch) for ever.
      answer.catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const unanswered = new Promise<'unanswered'>((resolve) => (timer = setTimeout(() => resolve('unanswered'), answerWithinMs)));
      await Promise.race([answer, unanswered]).finally(() => clearTimeout(timer));
      return;
    } catch (err) {
      const e = err as { code?: unknown; details?: unknown; message?: unknown };
      if (e.code === GRPC_NOT_FOUND) {
        if (!/namespace/i.test(String(e.details || e.message))) return; // no such run: the caller may write there
        if (Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          continue;
        }
        throw new TemporalRefusedError(`namespace "${namespace}" does not exist on this Temporal (TEMPORAL_NAMESPACE)`);
      }
      const refusal = credentialsRefusal(err);
      if (refusal !== undefined) {
        throw new TemporalRefusedError(
          `Temporal refused this process's credentials in namespace "${namespace}" (${CREDENTIAL_SETTINGS}; TEMPORAL_NAMESPACE): ` +
            `they may not send signals or poll tasks there: ${refusal}`,
        );
      }
      return;
    }
  }
}
