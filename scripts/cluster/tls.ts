// Certificates for TLS to Temporal, issued by openssl as an operator's own PKI issues them: a CA, a certificate for the
// frontend's name and client certificates (one per kind of caller: `npm run start:cluster` gives the workers, the
// APIs, the UI, the server's own worker and the operator each their own), each with its key, in one folder. The
// launcher keeps them in its data folder (JOURNEY_CLUSTER_TLS=mtls): issued on the first start, reused on the next,
// and a certificate that expires within `renewWithinDays` (or no longer chains to the CA) is issued again from the
// same CA. The tests issue short-lived ones in a folder of their own.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
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
  /** Each client certificate by its name (IssueOptions.clients): `<name>.pem` and `<name>.key`. */
  clients: Record<string, ClientCertificate>;
  /** The first client's. */
  clientCertPath: string;
  clientKeyPath: string;
  /** The first client certificate as a process takes it (Temporal's envconfig variables). */
  clientEnv: { TEMPORAL_TLS_CLIENT_CERT_PATH: string; TEMPORAL_TLS_CLIENT_KEY_PATH: string };
  /** What this call issued (`ca`, `server`, client names); empty when every certificate was reused. */
  issued: string[];
}

export interface ClientCertificate {
  certPath: string;
  keyPath: string;
}

export interface IssueOptions {
  /** Validity of the CA, and of the server and client certificates it signs. */
  caDays?: number;
  days?: number;
  /** A certificate that expires sooner than this is issued again. */
  renewWithinDays?: number;
  /** The client certificates, one per kind of caller, each with the subject `journey-engine-<name>` (default: one,
   *  `client`). A name added later is issued on the next call, from the same CA. */
  clients?: string[];
}

/** The certificates in `dir`, issued where missing, expiring or signed by another CA; a new CA reissues both others. */
export function issueCertificates(dir: string, serverName: string, opts: IssueOptions = {}): IssuedCertificates {
  const { caDays = 3650, days = 397, renewWithinDays = 30, clients = ['client'] } = opts;
  if (clients.length === 0 || clients.some((name) => !/^[a-z][a-z0-9-]*$/.test(name) || ['ca', 'server'].includes(name)))
    throw new Error(`client certificate names must be lower-case words other than ca and server: ${clients.join(', ')}`);
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
  for (const name of clients) issue(name, `journey-engine-${name}`, 'extendedKeyUsage=clientAuth');
  for (const key of ['ca', 'server', ...clients].map((name) => `${name}.key`)) if (existsSync(path(key))) chmodSync(path(key), 0o600);
  const byName = Object.fromEntries(clients.map((name) => [name, { certPath: path(`${name}.pem`), keyPath: path(`${name}.key`) }]));
  const first = byName[clients[0]];
  return {
    dir,
    serverName,
    caPath: path('ca.pem'),
    serverCertPath: path('server.pem'),
    serverKeyPath: path('server.key'),
    cert: readFileSync(path('server.pem')),
    key: readFileSync(path('server.key')),
    clients: byName,
    clientCertPath: first.certPath,
    clientKeyPath: first.keyPath,
    clientEnv: { TEMPORAL_TLS_CLIENT_CERT_PATH: first.certPath, TEMPORAL_TLS_CLIENT_KEY_PATH: first.keyPath },
    issued,
  };
}

/** What a process sets to trust a frontend with these certificates over TLS (Temporal's envconfig variables). */
export function serverTrustEnv(certs: IssuedCertificates): Record<string, string> {
  return { TEMPORAL_TLS: 'true', TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caPath, TEMPORAL_TLS_SERVER_NAME: certs.serverName };
}

/** The client certificate named `client` (the first one by default). */
export function clientCertificate(certs: IssuedCertificates, client?: string): ClientCertificate {
  const cert = client === undefined ? { certPath: certs.clientCertPath, keyPath: certs.clientKeyPath } : certs.clients[client];
  if (!cert) throw new Error(`no client certificate "${client}" in ${certs.dir} (issued: ${Object.keys(certs.clients).join(', ')})`);
  return cert;
}

/** ...and on mutual TLS: a client certificate too, `client`'s (the first one by default). */
export function mutualTlsEnv(certs: IssuedCertificates, client?: string): Record<string, string> {
  const { certPath, keyPath } = clientCertificate(certs, client);
  return { ...serverTrustEnv(certs), TEMPORAL_TLS_CLIENT_CERT_PATH: certPath, TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath };
}

/** The frontend on mutual TLS with these certificates: clients, and the server's own system worker, which shows
 *  `systemWorker`'s client certificate (the first one by default). */
export function mutualFrontendTls(certs: IssuedCertificates, systemWorker?: string): FrontendTls {
  return {
    certPath: certs.serverCertPath,
    keyPath: certs.serverKeyPath,
    caPath: certs.caPath,
    serverName: certs.serverName,
    clientCaPath: certs.caPath,
    workerCert: clientCertificate(certs, systemWorker),
  };
}

/** The common name of the subject of the certificate in `certPath` (what the server's claim mapper reads). */
export function subjectCommonName(certPath: string): string {
  const subject = new X509Certificate(readFileSync(certPath)).subject;
  const cn = subject.split('\n').find((part) => part.startsWith('CN='));
  if (!cn) throw new Error(`${certPath}: its subject (${subject.replaceAll('\n', ', ')}) has no common name (CN) to authorize it by`);
  return cn.slice(3);
}

/** The client certificates of `npm run start:cluster` on mutual TLS, one per kind of caller, so each can be replaced
 *  (or its key's leak contained) alone: the operator (temporal.env), the workers, the APIs, the Temporal UI and the
 *  server's own system worker. */
export const CLUSTER_CLIENTS = ['operator', 'worker', 'api', 'ui', 'temporal-system'] as const;
export type ClusterClient = (typeof CLUSTER_CLIENTS)[number];

/**
 * What each of them may do (subjectAuthorization), the least each needs:
 * - the workers and the APIs run, signal, query and list workflows in the journeys' namespace, and nothing else: no
 *   other namespace, no namespace or search-attribute change, nothing cluster-wide;
 * - the UI reads the whole cluster (its namespace list, every namespace's runs) and acts on runs in that namespace
 *   (signal, cancel, terminate, reset), as operators do in it;
 * - the operator and the server's own system worker administer the cluster (namespaces, search attributes, the
 *   server's internal workflows).
 */
export function clusterCallerPermissions(namespace: string): Record<ClusterClient, string[]> {
  return {
    operator: ['temporal-system:admin'],
    worker: [`${namespace}:write`],
    api: [`${namespace}:write`],
    ui: ['temporal-system:read', `${namespace}:write`],
    'temporal-system': ['temporal-system:admin'],
  };
}

/**
 * The frontend as `JOURNEY_CLUSTER_TLS=mtls` runs it (for startTemporalOnPostgres and startTemporalServer): mutual TLS
 * with the certificates of CLUSTER_CLIENTS, the server's own worker showing `temporal-system`'s, and each caller
 * authorized by its subject (clusterCallerPermissions for `namespace`, then the operator's own grants).
 */
export function clusterFrontend(
  certs: IssuedCertificates,
  namespace: string,
  operatorGrants: Record<string, string[]> = {},
): { tls: FrontendTls; authorization: string; bySubject: Record<string, string[]> } {
  const { yaml, bySubject } = subjectAuthorization(certs, clusterCallerPermissions(namespace), operatorGrants);
  return { tls: mutualFrontendTls(certs, 'temporal-system'), authorization: yaml, bySubject };
}

const PERMISSION = /^[^:\s]+:(read|write|worker|admin)$/;

/**
 * The operator's own grants for authorization by subject (subjectAuthorization), from the JSON file `file`
 * (`<data>/authorization.json` for `npm run start:cluster`): `{"subjects": {"<common name>": ["<namespace>:<role>",
 * ...]}}`. A subject listed there gets exactly those permissions, in place of what the launcher would grant it: an
 * empty list grants nothing, which shuts a certificate out at the next start without a new CA (the server checks no
 * revocation list). A subject the launcher does not know is added: a person's own CLI certificate, another service.
 * No file: no grants of the operator's own. Anything malformed is an error naming the file and the entry.
 */
export function readOperatorGrants(file: string): Record<string, string[]> {
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not JSON (${(err as Error).message})`);
  }
  const subjects = (parsed as { subjects?: unknown } | null)?.subjects;
  if (typeof subjects !== 'object' || subjects === null || Array.isArray(subjects))
    throw new Error(`${file}: expected {"subjects": {"<certificate common name>": ["<namespace>:<read|write|admin>", ...]}}`);
  const grants: Record<string, string[]> = {};
  for (const [subject, granted] of Object.entries(subjects)) {
    if (!subject.trim()) throw new Error(`${file}: subjects has an empty common name`);
    if (!Array.isArray(granted) || granted.some((p) => typeof p !== 'string' || !PERMISSION.test(p)))
      throw new Error(
        `${file}: subjects[${JSON.stringify(subject)}] must be a list of "<namespace>:<read|write|worker|admin>" (empty: nothing), got ${JSON.stringify(granted)}`,
      );
    grants[subject] = granted as string[];
  }
  return grants;
}

/** What each kind of caller may do, by client certificate name, in the default JWT claim mapper's form
 *  (`<namespace>:<read|write|worker|admin>`, the namespace `temporal-system` for the whole cluster). */
export type CallerPermissions = Record<string, string[]>;

/**
 * Authorization by client certificate on a mutual-TLS frontend: the YAML of `global.authorization` (inside it, at four
 * spaces, for writeConfigFiles) for the server's default authorizer and the claim mapper `tls-subject` our server
 * build adds (scripts/cluster/temporal-server-patches/tls-subject-claim-mapper.patch), which grants each caller the
 * permissions listed for its certificate's subject. Each client's subject is read from its certificate, so an
 * operator's own PKI, with its own names, is authorized the same way; two kinds of caller showing one subject get
 * both's permissions. A caller whose subject is not listed (another certificate the CA signed) gets no role: the
 * server answers it PermissionDenied on every call but health checks.
 */
export function subjectAuthorization(
  certs: IssuedCertificates,
  permissions: CallerPermissions,
  operatorGrants: Record<string, string[]> = {},
): { yaml: string; bySubject: Record<string, string[]> } {
  const bySubject: Record<string, string[]> = {};
  for (const [client, granted] of Object.entries(permissions)) {
    if (granted.length === 0) throw new Error(`no permissions for the "${client}" certificate: list at least one`);
    for (const permission of granted)
      if (!PERMISSION.test(permission))
        throw new Error(`"${client}" permission ${JSON.stringify(permission)} is not <namespace>:<read|write|worker|admin>`);
    const subject = subjectCommonName(clientCertificate(certs, client).certPath);
    bySubject[subject] = [...new Set([...(bySubject[subject] ?? []), ...granted])];
  }
  // The operator's own word last: it replaces what the launcher grants a subject, or adds a subject.
  for (const [subject, granted] of Object.entries(operatorGrants)) bySubject[subject] = [...new Set(granted)];
  const lines = Object.entries(bySubject).map(([subject, granted]) => `      ${JSON.stringify(subject)}: ${JSON.stringify(granted)}`);
  return {
    yaml: ['    authorizer: "default"', '    claimMapper: "tls-subject"', '    tlsSubjectPermissions:', ...lines].join('\n'),
    bySubject,
  };
}
