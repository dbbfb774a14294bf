// A real Temporal server whose frontend serves only TLS: the production topology's build (TEMPORAL_SERVER_PATH,
// scripts/cluster/obtain-temporal-server.sh, set by `npm test`), all services in one process, on SQLite in memory
// (the server sets its schema up itself) so it needs no PostgreSQL; its config is the production topology's
// (scripts/cluster/temporal-server.ts) with the frontend's TLS added, and one of two ways to know its callers:
// - `mtls`: every client shows a certificate the test's CA signed, the server's own system worker included;
// - `api-key`: every call carries `Authorization: Bearer <key>`, as Temporal Cloud's API keys do. The key is a JWT the
//   server's default claim mapper checks against the keys it fetches from `jwks`, served here (global.authorization,
//   the default authorizer: `<namespace>:<read|write|admin>` permissions); the server's own worker goes through an
//   internal frontend, which checks nothing.
import { createServer, type Server } from 'node:http';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { lowFreePorts, runTemporalServer, writeConfigFiles } from '../../scripts/cluster/temporal-server.ts';
import { issueCertificates, mutualFrontendTls, mutualTlsEnv, serverTrustEnv, type IssuedCertificates } from '../../scripts/cluster/tls.ts';

const sqliteStore = (db: string) => `      sql:
        pluginName: "sqlite"
        databaseName: "${db}"
        connectAddr: "localhost"
        connectProtocol: "tcp"
        connectAttributes:
          mode: "memory"
          cache: "private"
        maxConns: 1
        maxIdleConns: 1
        maxConnLifetime: "1h"`;

export interface TlsTemporalServer {
  address: string;
  serverName: string;
  certs: IssuedCertificates;
  /** What a process sets to reach it (Temporal's envconfig variables): the client certificate, or a key that may do
   *  anything in the namespace `default`. */
  env: Record<string, string>;
  /** `api-key` only: a key with these permissions (`default:write`, `temporal-system:admin`), valid for a day or
   *  `expiresInS`, signed by the key the server trusts or `signer`. */
  mintKey(permissions: string[], opts?: { signer?: KeyObject; expiresInS?: number }): string;
  dir: string;
  stop(): Promise<void>;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export async function startTlsTemporalServer(
  serverPath: string,
  opts: { auth: 'mtls' | 'api-key'; log?: (line: string) => void },
): Promise<TlsTemporalServer> {
  const serverName = 'temporal.test';
  const dir = mkdtempSync(join(tmpdir(), 'tls-temporal-'));
  const certs = issueCertificates(join(dir, 'tls'), serverName, { caDays: 2, days: 2, renewWithinDays: 0 });
  const [frontendPort, ifeGrpc, ifeMember, ifeHttp, ...internalPorts] = await lowFreePorts(13);
  const mutual = opts.auth === 'mtls';

  // api-key: the signing key, and its public half served as a JWKS for the server to fetch.
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = 'journey-test-key';
  let jwks: Server | undefined;
  const mintKey = (
    permissions: string[],
    { signer = privateKey, expiresInS = 86_400 }: { signer?: KeyObject; expiresInS?: number } = {},
  ) => {
    const now = Math.floor(Date.now() / 1000);
    const head = `${base64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid }))}.${base64url(
      JSON.stringify({ sub: 'journey-engine', permissions, iat: now, exp: now + expiresInS }),
    )}`;
    return `${head}.${base64url(sign('sha256', Buffer.from(head), { key: signer, dsaEncoding: 'ieee-p1363' }))}`;
  };
  if (!mutual) {
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' } as Record<string, unknown>;
    delete jwk.d; // the public half only
    const body = JSON.stringify({ keys: [jwk] });
    jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    await new Promise<void>((resolve) => jwks!.listen(0, '127.0.0.1', resolve));
  }

  writeConfigFiles({
    dir,
    frontendPort,
    internalPorts,
    historyShards: 1,
    persistence: `  defaultStore: sqlite-default
  visibilityStore: sqlite-visibility
  datastores:
    sqlite-default:
${sqliteStore('journey-default')}
    sqlite-visibility:
${sqliteStore('journey-visibility')}`,
    tls: mutual
      ? mutualFrontendTls(certs)
      : { certPath: certs.serverCertPath, keyPath: certs.serverKeyPath, caPath: certs.caPath, serverName },
    ...(jwks
      ? {
          authorization: `    jwtKeyProvider:
      keySourceURIs: ["http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json"]
      refreshInterval: 1m
    permissionsClaimName: permissions
    authorizer: default
    claimMapper: default`,
          internalFrontend: { grpcPort: ifeGrpc, membershipPort: ifeMember, httpPort: ifeHttp },
        }
      : {}),
  });
  let child: ChildProcess | undefined;
  const stop = async () => {
    jwks?.close();
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child!.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const serverTrust = { serverNameOverride: serverName, serverRootCACertificate: readFileSync(certs.caPath) };
  try {
    const { address } = await runTemporalServer({
      serverPath,
      dir,
      frontendPort,
      namespace: 'default',
      log: opts.log ?? (() => {}),
      onSpawn: (c) => (child = c),
      ...(mutual
        ? {
            credentials: {
              tls: { ...serverTrust, clientCertPair: { crt: readFileSync(certs.clientCertPath), key: readFileSync(certs.clientKeyPath) } },
            },
          }
        : {
            credentials: { tls: serverTrust, apiKey: mintKey(['temporal-system:admin']) },
            services: ['frontend', 'internal-frontend', 'history', 'matching', 'worker'],
          }),
    });
    return {
      address,
      serverName,
      certs,
      dir,
      mintKey,
      env: {
        TEMPORAL_ADDRESS: address,
        ...(mutual ? mutualTlsEnv(certs) : { ...serverTrustEnv(certs), TEMPORAL_API_KEY: mintKey(['default:write']) }),
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
