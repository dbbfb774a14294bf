// A worker or API started while Temporal is down waits for it (JOURNEY_TEMPORAL_CONNECT_WAIT_S, worker/temporal-connect.ts)
// instead of exiting into a supervisor's restart loop: the real processes, pointed at a port where nothing listens
// until a plain TCP relay to the suite's Temporal server opens on it, as a frontend coming back would (under
// `npm run test:cluster` the relay reaches that server over mutual TLS itself).
// A setting that can never work (TLS the frontend refuses, a web server at the address) ends the wait at once, by
// name: against a relay that ends TLS with a CA, server and client certificates issued here by openssl.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer as createHttpServer } from 'node:http';
import { connect as tcpConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect as tlsConnect, createServer as createTlsServer, type ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { Connection } from '@temporalio/client';
import { freePort } from '../scripts/dev-server.ts';
import { connectDevServer, sharedTemporalEnv, terminateRunsOn, uniqueTaskQueue } from './support/temporal.ts';
import { issueCertificates, serverTrustEnv } from '../scripts/cluster/tls.ts';
import { apiHealth, apiSettings, connectAttempts } from './support/api-process.ts';
import { connectWaitMsFromEnv } from '../worker/connect-wait-setting.ts';
import { waitFor } from './support/wait.ts';
import { runNode, startScript, type RunningNode } from './support/run-node.ts';
import {
  checkNamespaceAccess,
  credentialsRefusal,
  connectWhenReachable,
  hostAndPort,
  isTemporalNotAnswering,
  probeTemporal,
  TemporalRefusedError,
} from '../worker/temporal-connect.ts';
import { JOURNEY_WORKFLOW_TYPE, journeyEventSignal, journeyStateQuery, journeyWorkflowId } from '../workflows/contract/index.ts';
import { event, shippedPlan } from './interpreter/harness.ts';
import { customerTaskQueueOf, loadTemporalConfig } from '../worker/temporal-config.ts';

/**
 * How the relays reach the suite's shared server: plain TCP to the dev server, and under `npm run test:cluster`
 * mutual TLS with the worker's certificate (sharedTemporalEnv), so what the processes behind a relay see is the same
 * plain gRPC frontend either way.
 */
function upstreamTls(): TlsConnectionOptions | undefined {
  const env = sharedTemporalEnv('worker');
  if (env.TEMPORAL_TLS !== 'true') return undefined;
  return {
    ca: readFileSync(env.TEMPORAL_TLS_SERVER_CA_CERT_PATH),
    cert: readFileSync(env.TEMPORAL_TLS_CLIENT_CERT_PATH),
    key: readFileSync(env.TEMPORAL_TLS_CLIENT_KEY_PATH),
    servername: env.TEMPORAL_TLS_SERVER_NAME,
    ALPNProtocols: ['h2'],
  };
}

/**
 * A relay on `port` to Temporal at `target`: what the processes see as "Temporal came up". With `tls`, it ends TLS
 * itself (ALPN h2, the certificate given) and relays the plain gRPC inside, as a TLS-terminating frontend would.
 */
async function openRelay(
  port: number,
  target: string,
  tls?: { cert: Buffer; key: Buffer; requireClientCertFrom?: Buffer },
): Promise<Server> {
  const [host, targetPort] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const upstream = upstreamTls();
  const relayTo = (down: Socket) => {
    const up = upstream ? tlsConnect({ host, port: targetPort, ...upstream }) : tcpConnect(targetPort, host);
    down.pipe(up).pipe(down);
    up.on('error', () => down.destroy());
    down.on('error', () => up.destroy());
  };
  const relay = tls
    ? createTlsServer(
        {
          cert: tls.cert,
          key: tls.key,
          ALPNProtocols: ['h2'],
          ...(tls.requireClientCertFrom ? { ca: tls.requireClientCertFrom, requestCert: true, rejectUnauthorized: true } : {}),
        },
        relayTo,
      ).on('tlsClientError', () => undefined)
    : createServer(relayTo);
  await new Promise<void>((resolve, reject) => relay.once('error', reject).listen(port, '127.0.0.1', resolve));
  return relay;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function stopAtEnd(running: RunningNode): RunningNode {
  cleanups.push(async () => {
    if (running.child.exitCode === null) running.child.kill('SIGINT');
    await running.exited;
  });
  return running;
}

describe('what a first connection error means', () => {
  it('a refused port and a client deadline are "not answering yet"; a server that is not Temporal is not', async () => {
    const closed = `127.0.0.1:${await freePort()}`;
    const refused = await NativeConnection.connect({ address: closed }).catch((err: unknown) => err);
    expect(isTemporalNotAnswering(refused)).toBe(true);
    const deadline = await Connection.connect({ address: closed, connectTimeout: 500 }).catch((err: unknown) => err);
    expect(isTemporalNotAnswering(deadline)).toBe(true);

    // Core's own answer from a web server is an h2 protocol error, not waited for. Now and then (2 in 60 tries here)
    // it says "broken pipe" instead, which reads as a frontend still starting, and CI failed on a test that asked core
    // itself. So the worker asks the probe first (worker/main.ts), and the probe names the web server every time.
    expect(
      isTemporalNotAnswering(new Error(`Failed to call GetSystemInfo: code: 'Unknown error', message: "h2 protocol error: http2 error"`)),
    ).toBe(false);
    const web = createHttpServer((_req, res) => res.end('not Temporal')).listen(0, '127.0.0.1');
    await new Promise((resolve) => web.once('listening', resolve));
    try {
      const address = `127.0.0.1:${(web.address() as AddressInfo).port}`;
      for (let attempt = 0; attempt < 20; attempt++) {
        const protocol = await probeTemporal({ address }, {}).catch((err: unknown) => err);
        expect(protocol).toBeInstanceOf(TemporalRefusedError);
        expect(isTemporalNotAnswering(protocol)).toBe(false);
      }
    } finally {
      web.close();
    }
  });

  it("a frontend up but not serving yet is waited for; credentials refused are not (core's wording of the gRPC codes)", () => {
    // The text core's TransportError carries for a status from GetSystemInfo: tonic's description of the code.
    const status = (code: string) => new Error(`Failed to call GetSystemInfo: code: '${code}', message: "", details: [], metadata: {}`);
    expect(isTemporalNotAnswering(status('The service is currently unavailable'))).toBe(true);
    expect(isTemporalNotAnswering(status('Deadline expired before operation could complete'))).toBe(true);
    expect(isTemporalNotAnswering(status('The request does not have valid authentication credentials'))).toBe(false);
    expect(isTemporalNotAnswering(status('The caller does not have permission to execute the specified operation'))).toBe(false);
    // The client's ServiceError carries the gRPC code itself.
    expect(isTemporalNotAnswering(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }))).toBe(true);
    expect(isTemporalNotAnswering(Object.assign(new Error('16 UNAUTHENTICATED: bad key'), { code: 16 }))).toBe(false);
  });

  it("credentials refused are named, in either client's words; the namespace access check passes where a run may be signalled", async () => {
    expect(
      credentialsRefusal(
        Object.assign(new Error('Failed to connect to Temporal server'), { cause: { code: 7, details: 'Request unauthorized.' } }),
      ),
    ).toBe('Request unauthorized.');
    expect(credentialsRefusal(Object.assign(new Error('16 UNAUTHENTICATED: expired'), { code: 16, details: 'expired' }))).toBe('expired');
    expect(
      credentialsRefusal(
        new Error(
          `Failed to call GetSystemInfo: code: 'The caller does not have permission to execute the specified operation', message: "Request unauthorized."`,
        ),
      ),
    ).toBe('Request unauthorized.');
    expect(credentialsRefusal(Object.assign(new Error('14 UNAVAILABLE'), { code: 14 }))).toBeUndefined();

    const temporal = await connectDevServer();
    try {
      // The dev server lets anyone write in "default": the check's signal finds no run, which is the answer of an allowed caller.
      await expect(checkNamespaceAccess(temporal.client.connection.workflowService, 'default')).resolves.toBeUndefined();
      await expect(checkNamespaceAccess(temporal.workerConnection.workflowService, 'default')).resolves.toBeUndefined();
      const missing = await checkNamespaceAccess(temporal.client.connection.workflowService, `nowhere-${Date.now()}`, 0).catch(
        (e: unknown) => e,
      );
      expect(missing).toBeInstanceOf(TemporalRefusedError);
      expect((missing as Error).message).toMatch(/^namespace "nowhere-\d+" does not exist on this Temporal \(TEMPORAL_NAMESPACE\)$/);
      // A frontend that takes the call and never answers leaves the verdict to the calls that follow.
      const silent = { signalWorkflowExecution: () => new Promise<never>(() => undefined) };
      const started = Date.now();
      await expect(checkNamespaceAccess(silent, 'default', 0, 100)).resolves.toBeUndefined();
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await temporal.close();
    }
  });

  it("the client's attempts probe the port first: a refused one fails with the socket's error, not a 10 s deadline", async () => {
    expect(hostAndPort('localhost:7233')).toEqual({ host: 'localhost', port: 7233 });
    expect(hostAndPort('[::1]:7233')).toEqual({ host: '::1', port: 7233 });
    expect(hostAndPort('temporal.example.com')).toBeUndefined();

    const closed = `127.0.0.1:${await freePort()}`;
    const refused = await probeTemporal({ address: closed }, {}).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/^tcp connect error: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    expect(isTemporalNotAnswering(refused)).toBe(true);
    // Through a proxy the channel does not dial the address itself, so neither does the probe.
    await expect(probeTemporal({ address: closed }, { grpc_proxy: 'http://127.0.0.1:3128' })).resolves.toBeUndefined();

    const open = createServer((socket) => socket.destroy()).listen(0, '127.0.0.1');
    await new Promise((resolve) => open.once('listening', resolve));
    try {
      await expect(probeTemporal({ address: `127.0.0.1:${(open.address() as AddressInfo).port}` }, {})).resolves.toBeUndefined();
    } finally {
      open.close();
    }
  });

  it("a plain probe names a TLS-only server by its answer: a TLS alert, or Go's HTTP/1 'HTTPS' error", async () => {
    const answering = async (answer: Buffer) => {
      const server = createServer((socket) => socket.once('data', () => socket.end(answer))).listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        return await probeTemporal({ address: `127.0.0.1:${(server.address() as AddressInfo).port}` }, {}).catch((e: unknown) => e);
      } finally {
        server.close();
      }
    };
    // A fatal protocol_version alert in a TLS 1.2 record, as OpenSSL-based servers answer bytes that are not TLS.
    const alert = await answering(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]));
    expect(alert).toBeInstanceOf(TemporalRefusedError);
    expect((alert as Error).message).toMatch(/answered with TLS: it serves only TLS connections \(TEMPORAL_TLS\)$/);
    const https = await answering(Buffer.from('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n'));
    expect((https as Error).message).toMatch(
      /answered HTTP\/1 \("HTTP\/1\.0 400 Bad Request"\): it serves only TLS connections \(TEMPORAL_TLS\)$/,
    );
    expect(isTemporalNotAnswering(https)).toBe(false);
    // Closed without a word: as a frontend still starting does, so left to the channel (and waited for).
    const closed = createServer((socket) => socket.destroy()).listen(0, '127.0.0.1');
    await new Promise((resolve) => closed.once('listening', resolve));
    try {
      await expect(probeTemporal({ address: `127.0.0.1:${(closed.address() as AddressInfo).port}` }, {})).resolves.toBeUndefined();
    } finally {
      closed.close();
    }
  });

  it('JOURNEY_TEMPORAL_CONNECT_WAIT_S: five minutes by default, 0 for one attempt, anything else refused by name', () => {
    expect(connectWaitMsFromEnv({})).toBe(300_000);
    expect(connectWaitMsFromEnv({ JOURNEY_TEMPORAL_CONNECT_WAIT_S: '0' })).toBe(0);
    expect(connectWaitMsFromEnv({ JOURNEY_TEMPORAL_CONNECT_WAIT_S: '45' })).toBe(45_000);
    for (const bad of ['-1', '1.5', 'soon']) {
      expect(() => connectWaitMsFromEnv({ JOURNEY_TEMPORAL_CONNECT_WAIT_S: bad })).toThrow(
        /JOURNEY_TEMPORAL_CONNECT_WAIT_S=".*" must be a whole number/,
      );
    }
  });

  it('retries until the server answers, then hands back the connection', async () => {
    const temporal = await connectDevServer();
    const port = await freePort();
    const lines: string[] = [];
    let relay: Server | undefined;
    try {
      const connecting = connectWhenReachable(() => NativeConnection.connect({ address: `127.0.0.1:${port}` }), {
        address: `127.0.0.1:${port}`,
        waitMs: 60_000,
        log: (line) => lines.push(line),
      });
      await waitFor('two refused attempts', () => lines.length >= 2, 20_000, 50);
      relay = await openRelay(port, temporal.address);
      const connection = await connecting;
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.serverVersion).toMatch(/\d+\.\d+/);
      await connection.close();
      expect(lines[0]).toMatch(
        /Temporal at 127\.0\.0\.1:\d+ is not answering \(attempt 1: .*Connection refused.*\); trying again in 0\.5 s/,
      );
      expect(lines[1]).toMatch(/attempt 2: .*trying again in 1\.0 s/);
    } finally {
      relay?.close();
      await temporal.close();
    }
  });
});

describe('the worker and the API started before Temporal', () => {
  it('the worker waits, then polls once Temporal answers, and runs the journeys', async () => {
    const temporal = await connectDevServer();
    cleanups.push(() => temporal.close());
    const port = await freePort();
    const taskQueue = uniqueTaskQueue('connect-wait');
    const worker = stopAtEnd(
      startScript('worker/main.ts', {
        TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
        JOURNEY_TEMPORAL_CONNECT_WAIT_S: '120',
        JOURNEY_TASK_QUEUE: taskQueue,
        JOURNEY_DATA_DIR: mkdtempSync(join(tmpdir(), 'connect-wait-')),
      }),
    );
    await waitFor('the worker waiting for Temporal', () => connectAttempts(worker.output()) >= 2, 60_000);
    expect(worker.child.exitCode).toBeNull();
    const relay = await openRelay(port, temporal.address);
    cleanups.push(async () => relay.close());
    await waitFor('the worker polling', () => worker.output().includes('polling task queue'), 60_000);

    // A run on its queue is taken: the promoter's answer heard, the run waiting for its ask.
    const plan = await shippedPlan('nps-promoter-referral');
    const customer = `connect-wait-${Date.now().toString(36)}`;
    const workflowId = journeyWorkflowId(plan.journeyId, customer);
    cleanups.push(() => terminateRunsOn(temporal.client, taskQueue, customerTaskQueueOf(taskQueue)));
    const run = await temporal.client.workflow.signalWithStart(JOURNEY_WORKFLOW_TYPE, {
      workflowId,
      taskQueue,
      args: [{ plan, customerId: customer }],
      signal: journeyEventSignal,
      signalArgs: [event('nps.submitted', customer, { score: 10 }, { traits: { email: `${customer}@example.com`, healthScore: 90 } })],
    });
    const state = await waitFor('the run past Listen', async () => {
      const s = await run.query(journeyStateQuery);
      return s.delight ? s : undefined;
    });
    expect(state.delight).toMatchObject({ data: { score: 10 } });
    expect(state.stage).not.toBe('listen');
  });

  it('the API waits with its port closed, then answers /healthz once Temporal answers', async () => {
    const temporal = await connectDevServer();
    cleanups.push(() => temporal.close());
    const [port, apiPort] = [await freePort(), await freePort()];
    const api = stopAtEnd(
      startScript('api/main.ts', {
        TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
        JOURNEY_TEMPORAL_CONNECT_WAIT_S: '120',
        ...apiSettings(apiPort, 'connect-wait'),
      }),
    );
    await waitFor('the API waiting for Temporal', () => connectAttempts(api.output()) >= 1, 60_000);
    await expect(fetch(`http://127.0.0.1:${apiPort}/healthz`)).rejects.toThrow();
    // The refused port is seen at once (probeTemporal), not after the client's 10 s connectTimeout, so the next attempt
    // comes 0.5 s later and the API listens within a second of Temporal answering.
    expect(api.output()).toMatch(/api: Temporal at 127\.0\.0\.1:\d+ is not answering \(attempt 1: tcp connect error: connect ECONNREFUSED/);
    const relay = await openRelay(port, temporal.address);
    cleanups.push(async () => relay.close());
    const health = await apiHealth(apiPort, 60_000);
    expect(health).toMatchObject({ ok: true, temporal: 'reachable' });
    expect(api.child.exitCode).toBeNull();
  });

  it('gives up after the bound, naming it, and exits 1', async () => {
    const port = await freePort();
    const { code, output } = await runNode(['--import', 'tsx', 'worker/main.ts'], {
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      JOURNEY_TEMPORAL_CONNECT_WAIT_S: '2',
    });
    expect(code).toBe(1);
    expect(connectAttempts(output)).toBeGreaterThanOrEqual(2);
    expect(output).toMatch(
      /worker: cannot reach Temporal at 127\.0\.0\.1:\d+ after \d+ attempts in 2 s \(JOURNEY_TEMPORAL_CONNECT_WAIT_S\)/,
    );
  });

  it('does not wait on a server that is not Temporal: it exits 1 at once, saying why', async () => {
    const web = createHttpServer((_req, res) => res.end('not Temporal')).listen(0, '127.0.0.1');
    await new Promise((resolve) => web.once('listening', resolve));
    cleanups.push(async () => web.close());
    const { code, output } = await runNode(['--import', 'tsx', 'worker/main.ts'], {
      TEMPORAL_ADDRESS: `127.0.0.1:${(web.address() as AddressInfo).port}`,
      JOURNEY_TEMPORAL_CONNECT_WAIT_S: '300',
    });
    expect(code).toBe(1);
    expect(connectAttempts(output)).toBe(0);
    // Said by the probe, before core's connection: core alone now and then says "broken pipe", which
    // reads as a frontend still starting (a fresh clone failed on it, attempts 1).
    expect(output).toMatch(
      /worker: cannot reach Temporal at .*: 127\.0\.0\.1:\d+ answered HTTP\/1 \("HTTP\/1\.1 400 Bad Request"\): not a gRPC server.*\(not retried: waiting cannot fix it\)/,
    );
  });

  it('the API does not wait on a web server at the address either: it exits 1 at once, saying what answered', async () => {
    const web = createHttpServer((_req, res) => res.end('not Temporal')).listen(0, '127.0.0.1');
    await new Promise((resolve) => web.once('listening', resolve));
    cleanups.push(async () => web.close());
    const { code, output } = await runNode(['--import', 'tsx', 'api/main.ts'], {
      TEMPORAL_ADDRESS: `127.0.0.1:${(web.address() as AddressInfo).port}`,
      JOURNEY_TEMPORAL_CONNECT_WAIT_S: '300',
      ...apiSettings(await freePort(), 'connect-wait'),
    });
    expect(code).toBe(1);
    expect(connectAttempts(output)).toBe(0);
    expect(output).toMatch(
      /api: cannot reach Temporal at .*: 127\.0\.0\.1:\d+ answered HTTP\/1 \("HTTP\/1\.1 400 Bad Request"\): not a gRPC server, so not Temporal's frontend \(TEMPORAL_ADDRESS\) \(not retried: waiting cannot fix it\)/,
    );
  });

  it('SIGTERM while waiting stops it at once with exit 0', async () => {
    const port = await freePort();
    const worker = stopAtEnd(
      startScript('worker/main.ts', { TEMPORAL_ADDRESS: `127.0.0.1:${port}`, JOURNEY_TEMPORAL_CONNECT_WAIT_S: '300' }),
    );
    await waitFor('the worker waiting for Temporal', () => connectAttempts(worker.output()) >= 1, 60_000);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.output()).toContain('worker: SIGTERM while waiting for Temporal; stopped');
  });

  it('a malformed JOURNEY_TEMPORAL_CONNECT_WAIT_S stops the API at start, naming it', async () => {
    const { code, output } = await runNode(['--import', 'tsx', 'api/main.ts'], {
      JOURNEY_API_KEYS: 'k',
      JOURNEY_REFERRAL_CODE_SECRET: 'connect-wait-referral-secret',
      JOURNEY_TEMPORAL_CONNECT_WAIT_S: 'soon',
    });
    expect(code).toBe(1);
    expect(output).toContain('api: JOURNEY_TEMPORAL_CONNECT_WAIT_S="soon" must be a whole number of seconds >= 0');
  });
});

// TLS as an operator configures it (TEMPORAL_TLS, TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_SERVER_NAME through
// Temporal's envconfig, worker/temporal-config.ts), against a relay that ends TLS in front of the suite's server.
describe('TLS to Temporal', () => {
  const name = 'temporal.test';

  async function tlsFrontend(opts: { mutual?: boolean } = {}) {
    const temporal = await connectDevServer();
    cleanups.push(() => temporal.close());
    const certs = issueCertificates(mkdtempSync(join(tmpdir(), 'journey-tls-')), name, { caDays: 2, days: 2, renewWithinDays: 0 });
    const port = await freePort();
    const relay = await openRelay(port, temporal.address, {
      ...certs,
      requireClientCertFrom: opts.mutual ? readFileSync(certs.caPath) : undefined,
    });
    cleanups.push(async () => relay.close());
    const trusted = serverTrustEnv(certs);
    return { temporal, address: `127.0.0.1:${port}`, trusted, clientEnv: certs.clientEnv };
  }

  it("the probe agrees with the SDK's channels: the trusted setting connects, each wrong one is refused naming its setting", async () => {
    const { temporal, address, trusted } = await tlsFrontend();
    const options = (env: Record<string, string>) => loadTemporalConfig({ TEMPORAL_ADDRESS: address, ...env }).connectionOptions;

    // Right: the probe's handshake passes, and both of the SDK's connections reach Temporal through it.
    await expect(probeTemporal(options(trusted), {})).resolves.toBeUndefined();
    const client = await Connection.connect(options(trusted));
    expect((await client.workflowService.getSystemInfo({})).serverVersion).toMatch(/\d+\.\d+/);
    await client.close();
    const native = await NativeConnection.connect(options(trusted));
    await native.close();

    const refusal = async (env: Record<string, string>) => {
      const err = await probeTemporal(options(env), {}).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TemporalRefusedError);
      expect(isTemporalNotAnswering(err)).toBe(false);
      return (err as Error).message;
    };
    // No CA given: the system's roots do not know this one.
    expect(await refusal({ TEMPORAL_TLS: 'true', TEMPORAL_TLS_SERVER_NAME: name })).toMatch(
      /^TLS handshake with 127\.0\.0\.1:\d+ failed: its certificate is not signed by a CA this process trusts \(TEMPORAL_TLS_SERVER_CA_CERT_PATH\)/,
    );
    expect(await refusal({ ...trusted, TEMPORAL_TLS_SERVER_NAME: 'other.test' })).toMatch(
      /its certificate is for another name \(TEMPORAL_TLS_SERVER_NAME\)/,
    );
    // A plain frontend: the suite's server through a plain relay (the dev server is plain itself; the cluster's is not).
    const plainPort = await freePort();
    const plainRelay = await openRelay(plainPort, temporal.address);
    cleanups.push(async () => plainRelay.close());
    const plain = loadTemporalConfig({ TEMPORAL_ADDRESS: `127.0.0.1:${plainPort}`, TEMPORAL_TLS: 'true' }).connectionOptions;
    const toPlain = await probeTemporal(plain, {}).catch((e: unknown) => e);
    expect(toPlain).toBeInstanceOf(TemporalRefusedError);
    expect((toPlain as Error).message).toMatch(
      /the server answered in plain text: it does not serve TLS \(TEMPORAL_TLS\) \(ERR_SSL_WRONG_VERSION_NUMBER: wrong version number\)/,
    );
  });

  it("mTLS: a frontend that requires a client certificate refuses a process without one by name, and takes the CA's", async () => {
    const { address, trusted, clientEnv } = await tlsFrontend({ mutual: true });
    const options = (env: Record<string, string>) => loadTemporalConfig({ TEMPORAL_ADDRESS: address, ...env }).connectionOptions;
    // TLS 1.3: the handshake completes on the client's side; the refusal is the server's first record.
    const refused = await probeTemporal(options(trusted), {}).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TemporalRefusedError);
    expect((refused as Error).message).toMatch(
      /failed: the server refused this process's client certificate \(TEMPORAL_TLS_CLIENT_CERT_PATH\) \(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED/,
    );
    await expect(probeTemporal(options({ ...trusted, ...clientEnv }), {})).resolves.toBeUndefined();
    const client = await Connection.connect(options({ ...trusted, ...clientEnv }));
    expect((await client.workflowService.getSystemInfo({})).serverVersion).toMatch(/\d+\.\d+/);
    await client.close();
  });

  it('the API with a CA that does not sign the server exits 1 at once, naming the setting, instead of waiting', async () => {
    const { address } = await tlsFrontend();
    const { code, output } = await runNode(['--import', 'tsx', 'api/main.ts'], {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TLS: 'true',
      TEMPORAL_TLS_SERVER_NAME: name,
      JOURNEY_TEMPORAL_CONNECT_WAIT_S: '300',
      ...apiSettings(await freePort(), 'connect-wait'),
    });
    expect(code).toBe(1);
    expect(connectAttempts(output)).toBe(0);
    expect(output).toMatch(
      /api: cannot reach Temporal at 127\.0\.0\.1:\d+: TLS handshake with .* not signed by a CA this process trusts \(TEMPORAL_TLS_SERVER_CA_CERT_PATH\).*\(not retried: waiting cannot fix it\)/,
    );
  });

  it("the worker and the API with the operator's CA and server name connect through TLS and serve", async () => {
    const { address, trusted } = await tlsFrontend();
    const apiPort = await freePort();
    const api = stopAtEnd(
      startScript('api/main.ts', {
        TEMPORAL_ADDRESS: address,
        ...trusted,
        ...apiSettings(apiPort, 'connect-wait'),
      }),
    );
    const worker = stopAtEnd(
      startScript('worker/main.ts', {
        TEMPORAL_ADDRESS: address,
        ...trusted,
        JOURNEY_TASK_QUEUE: uniqueTaskQueue('connect-tls'),
        JOURNEY_DATA_DIR: mkdtempSync(join(tmpdir(), 'connect-wait-')),
      }),
    );
    await waitFor('the worker polling', () => worker.output().includes('polling task queue') || worker.child.exitCode !== null, 90_000);
    expect(worker.output()).toContain('polling task queue');
    const health = await waitFor(
      'the API answering',
      () =>
        fetch(`http://127.0.0.1:${apiPort}/healthz`).then(
          (r) => (r.ok ? r.json() : undefined),
          () => (api.child.exitCode !== null ? { exited: api.output() } : undefined),
        ),
      60_000,
      250,
    );
    expect(health).toMatchObject({ ok: true, temporal: 'reachable' });
    expect(connectAttempts(api.output()) + connectAttempts(worker.output())).toBe(0);
  });
});
