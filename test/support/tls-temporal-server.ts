// A real Temporal server whose frontend serves only TLS: the production topology's build (TEMPORAL_SERVER_PATH,
// scripts/cluster/obtain-temporal-server.sh, set by `npm test`), all services in one process, on SQLite in memory
// (the server sets its schema up itself) so it needs no PostgreSQL; its config is the production topology's
// (scripts/cluster/temporal-server.ts) with the frontend's TLS added: mutual, so every client shows a certificate the
// test's CA signed, the server's own system worker included.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { lowFreePorts, runTemporalServer, writeConfigFiles } from '../../scripts/cluster/temporal-server.ts';
import { issueCertificates, type IssuedCertificates } from './certificates.ts';

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
  /** What a process sets to reach it (Temporal's envconfig variables), client certificate included. */
  env: Record<string, string>;
  dir: string;
  stop(): Promise<void>;
}

export async function startTlsTemporalServer(serverPath: string, log: (line: string) => void = () => {}): Promise<TlsTemporalServer> {
  const serverName = 'temporal.test';
  const certs = issueCertificates(serverName);
  const dir = mkdtempSync(join(tmpdir(), 'tls-temporal-'));
  const [frontendPort, ...internalPorts] = await lowFreePorts(10);
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
    tls: {
      certPath: certs.serverCertPath,
      keyPath: certs.serverKeyPath,
      caPath: certs.caPath,
      serverName,
      clientCaPath: certs.caPath,
      workerCert: { certPath: certs.clientCertPath, keyPath: certs.clientKeyPath },
    },
  });
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child!.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const { address } = await runTemporalServer({
      serverPath,
      dir,
      frontendPort,
      namespace: 'default',
      log,
      onSpawn: (c) => (child = c),
      tls: {
        serverNameOverride: serverName,
        serverRootCACertificate: readFileSync(certs.caPath),
        clientCertPair: { crt: readFileSync(certs.clientCertPath), key: readFileSync(certs.clientKeyPath) },
      },
    });
    return {
      address,
      serverName,
      certs,
      dir,
      env: {
        TEMPORAL_ADDRESS: address,
        TEMPORAL_TLS: 'true',
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caPath,
        TEMPORAL_TLS_SERVER_NAME: serverName,
        ...certs.clientEnv,
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
