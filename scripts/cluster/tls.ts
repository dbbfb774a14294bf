// Certificates for TLS to Temporal, issued by openssl as an operator's own PKI issues them: a CA, a certificate for the
// frontend's name and a client certificate, each with its key, in one folder. `npm run start:cluster` keeps them in
// its data folder (JOURNEY_CLUSTER_TLS=mtls): issued on the first start, reused on the next, and a certificate that
// expires within `renewWithinDays` (or no longer chains to the CA) is issued again from the same CA. The tests issue
// short-lived ones in a folder of their own.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrontendTls } from './temporal-server.ts';

export interface IssuedCertificates {
  dir: string;
  /** The name on the frontend's certificate (with localhost and 127.0.0.1), which clients check. */
  serverName: string;
  caPath: string;
  serverCertPath: string;
  serverKeyPath: string;
  cert: Buffer;
  key: Buffer;
  clientCertPath: string;
  clientKeyPath: string;
  /** The client certificate as a process takes it (Temporal's envconfig variables). */
  clientEnv: { TEMPORAL_TLS_CLIENT_CERT_PATH: string; TEMPORAL_TLS_CLIENT_KEY_PATH: string };
  /** What this call issued (`ca`, `server`, `client`); empty when every certificate was reused. */
  issued: string[];
}

export interface IssueOptions {
  /** Validity of the CA, and of the server and client certificates it signs. */
  caDays?: number;
  days?: number;
  /** A certificate that expires sooner than this is issued again. */
  renewWithinDays?: number;
}

/** The certificates in `dir`, issued where missing, expiring or signed by another CA; a new CA reissues both others. */
export function issueCertificates(dir: string, serverName: string, opts: IssueOptions = {}): IssuedCertificates {
  const { caDays = 3650, days = 397, renewWithinDays = 30 } = opts;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = (file: string) => join(dir, file);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const valid = (file: string) => {
    if (!existsSync(path(file))) return false;
    try {
      openssl('x509', '-checkend', String(renewWithinDays * 86_400), '-noout', '-in', file);
      return file === 'ca.pem' || openssl('verify', '-CAfile', 'ca.pem', file).toString().includes(': OK');
    } catch {
      return false; // expiring, unreadable, or not signed by ca.pem
    }
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const issued: string[] = [];
  // A CA of the operator's own may come without its key: kept as long as it is valid, and only renewal needs the key.
  if (!valid('ca.pem')) {
    openssl(
      'req',
      '-x509',
      ...ec,
      '-days',
      String(caDays),
      '-subj',
      '/CN=journey-engine-temporal-ca',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
    );
    issued.push('ca');
  }
  const issue = (who: string, subject: string, extensions: string) => {
    if (!issued.includes('ca') && valid(`${who}.pem`) && existsSync(path(`${who}.key`))) return;
    if (!existsSync(path('ca.key')))
      throw new Error(
        `${path(`${who}.pem`)} must be issued again (missing, expiring within ${renewWithinDays} days, or not signed by ca.pem), and ${path('ca.key')} is not there to sign it: put the CA's key there, or the renewed certificate and its key`,
      );
    openssl('req', ...ec, '-subj', `/CN=${subject}`, '-keyout', `${who}.key`, '-out', `${who}.csr`);
    writeFileSync(path(`${who}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n${extensions}\n`);
    const signed = ['x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-days', String(days)];
    openssl(...signed, '-extfile', `${who}.ext`, '-out', `${who}.pem`);
    issued.push(who);
  };
  issue('server', serverName, `subjectAltName=DNS:${serverName},DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth`);
  issue('client', 'journey-engine', 'extendedKeyUsage=clientAuth');
  for (const key of ['ca.key', 'server.key', 'client.key']) if (existsSync(path(key))) chmodSync(path(key), 0o600);
  return {
    dir,
    serverName,
    caPath: path('ca.pem'),
    serverCertPath: path('server.pem'),
    serverKeyPath: path('server.key'),
    cert: readFileSync(path('server.pem')),
    key: readFileSync(path('server.key')),
    clientCertPath: path('client.pem'),
    clientKeyPath: path('client.key'),
    clientEnv: { TEMPORAL_TLS_CLIENT_CERT_PATH: path('client.pem'), TEMPORAL_TLS_CLIENT_KEY_PATH: path('client.key') },
    issued,
  };
}

/** What a process sets to trust a frontend with these certificates over TLS (Temporal's envconfig variables). */
export function serverTrustEnv(certs: IssuedCertificates): Record<string, string> {
  return { TEMPORAL_TLS: 'true', TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caPath, TEMPORAL_TLS_SERVER_NAME: certs.serverName };
}

/** ...and on mutual TLS: the client certificate too. */
export function mutualTlsEnv(certs: IssuedCertificates): Record<string, string> {
  return { ...serverTrustEnv(certs), ...certs.clientEnv };
}

/** The frontend on mutual TLS with these certificates: clients, and the server's own system worker, show the client one. */
export function mutualFrontendTls(certs: IssuedCertificates): FrontendTls {
  return {
    certPath: certs.serverCertPath,
    keyPath: certs.serverKeyPath,
    caPath: certs.caPath,
    serverName: certs.serverName,
    clientCaPath: certs.caPath,
    workerCert: { certPath: certs.clientCertPath, keyPath: certs.clientKeyPath },
  };
}
