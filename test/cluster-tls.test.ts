// The certificates `npm run start:cluster` keeps for mutual TLS (JOURNEY_CLUSTER_TLS=mtls, scripts/cluster/tls.ts):
// issued once, reused at each start, issued again when close to expiry or no longer signed by the CA. A reused
// certificate is the same file; the checks here are openssl's own.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CLUSTER_CLIENTS,
  clientCertificate,
  clusterCallerPermissions,
  clusterFrontend,
  issueCertificates,
  mutualFrontendTls,
  mutualTlsEnv,
  readOperatorGrants,
  subjectAuthorization,
} from '../scripts/cluster/tls.ts';

const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' }).toString();
const dirs: string[] = [];
/** A new folder, removed after the test. */
const tempDir = (prefix = 'cluster-tls-') => {
  dirs.push(mkdtempSync(join(tmpdir(), prefix)));
  return dirs.at(-1)!;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the cluster's TLS certificates", () => {
  it('issues a CA, a server and a client certificate once, then reuses them; keys are owner-only', () => {
    const dir = tempDir();
    const first = issueCertificates(dir, 'temporal-frontend');
    expect(first.issued).toEqual(['ca', 'server', 'client']);
    expect(openssl('verify', '-CAfile', first.caPath, first.serverCertPath, first.clientCertPath)).toMatch(
      /server\.pem: OK\n.*client\.pem: OK/,
    );
    const names = openssl('x509', '-in', first.serverCertPath, '-noout', '-ext', 'subjectAltName');
    expect(names).toMatch(/DNS:temporal-frontend, DNS:localhost, IP Address:127\.0\.0\.1/);
    expect(openssl('x509', '-in', first.clientCertPath, '-noout', '-ext', 'extendedKeyUsage')).toMatch(/TLS Web Client Authentication/);
    for (const key of [join(dir, 'ca.key'), first.serverKeyPath, first.clientKeyPath]) expect(statSync(key).mode & 0o777).toBe(0o600);

    const again = issueCertificates(dir, 'temporal-frontend');
    expect(again.issued).toEqual([]);
    expect(readFileSync(again.serverCertPath)).toEqual(readFileSync(first.serverCertPath));
  });

  it('issues the server and client certificates again from the same CA when they expire within the renewal window', () => {
    const dir = tempDir();
    const first = issueCertificates(dir, 'temporal-frontend', { days: 10 });
    const ca = readFileSync(first.caPath);
    const renewed = issueCertificates(dir, 'temporal-frontend', { renewWithinDays: 30 });
    expect(renewed.issued).toEqual(['server', 'client']);
    expect(readFileSync(renewed.caPath)).toEqual(ca);
    expect(readFileSync(renewed.serverCertPath)).not.toEqual(first.cert);
    // The new ones last the full term (397 days by default), so the next start reuses them.
    openssl('x509', '-checkend', String(300 * 86_400), '-noout', '-in', renewed.serverCertPath);
    expect(issueCertificates(dir, 'temporal-frontend').issued).toEqual([]);
  });

  it("an operator's CA without its key is kept while its certificates hold; one that needs renewing is named", () => {
    const dir = tempDir();
    const first = issueCertificates(dir, 'temporal-frontend', { days: 10 });
    const ca = readFileSync(first.caPath);
    rmSync(join(dir, 'ca.key'));
    expect(issueCertificates(dir, 'temporal-frontend', { renewWithinDays: 5 }).issued).toEqual([]);
    expect(readFileSync(first.caPath)).toEqual(ca);
    expect(() => issueCertificates(dir, 'temporal-frontend', { renewWithinDays: 30 })).toThrow(
      /server\.pem must be issued again \(missing, expiring within 30 days, or not signed by ca\.pem\), and .*ca\.key is not there to sign it/,
    );
    expect(readFileSync(first.caPath)).toEqual(ca); // never replaced by a CA of ours
  });

  it('a CA replaced by hand (an operator bringing their own) gets certificates it signed', () => {
    const dir = tempDir();
    const other = tempDir('cluster-tls-other-');
    issueCertificates(dir, 'temporal-frontend');
    const theirs = issueCertificates(other, 'temporal-frontend');
    execFileSync('cp', [theirs.caPath, join(other, 'ca.key'), dir]);
    const after = issueCertificates(dir, 'temporal-frontend');
    expect(after.issued).toEqual(['server', 'client']);
    expect(openssl('verify', '-CAfile', theirs.caPath, after.serverCertPath, after.clientCertPath)).toMatch(
      /server\.pem: OK\n.*client\.pem: OK/,
    );
  });

  it('issues one client certificate per kind of caller, each its own subject and key; a name added later is issued alone', () => {
    const dir = tempDir();
    const first = issueCertificates(dir, 'temporal-frontend', { clients: ['operator', 'worker'] });
    expect(first.issued).toEqual(['ca', 'server', 'operator', 'worker']);
    const { worker, operator } = first.clients;
    expect(openssl('verify', '-CAfile', first.caPath, operator.certPath, worker.certPath)).toMatch(/operator\.pem: OK\n.*worker\.pem: OK/);
    expect(openssl('x509', '-in', worker.certPath, '-noout', '-subject')).toMatch(/CN ?= ?journey-engine-worker/);
    expect(readFileSync(worker.keyPath)).not.toEqual(readFileSync(operator.keyPath));
    for (const key of [operator.keyPath, worker.keyPath]) expect(statSync(key).mode & 0o777).toBe(0o600);
    // The first is the default everywhere a client is not named.
    expect(first.clientEnv).toEqual({ TEMPORAL_TLS_CLIENT_CERT_PATH: operator.certPath, TEMPORAL_TLS_CLIENT_KEY_PATH: operator.keyPath });
    expect(mutualTlsEnv(first, 'worker')).toMatchObject({ TEMPORAL_TLS_CLIENT_CERT_PATH: worker.certPath });
    expect(mutualFrontendTls(first, 'worker').workerCert).toEqual(worker);
    expect(() => clientCertificate(first, 'ui')).toThrow(/no client certificate "ui" in .* \(issued: operator, worker\)/);

    // A data folder of an earlier release (one `client` certificate) gains the new ones from its own CA.
    const later = issueCertificates(dir, 'temporal-frontend', { clients: ['operator', 'worker', 'ui'] });
    expect(later.issued).toEqual(['ui']);
    expect(openssl('verify', '-CAfile', first.caPath, later.clients.ui.certPath)).toMatch(/ui\.pem: OK/);
    expect(() => issueCertificates(dir, 'temporal-frontend', { clients: ['server'] })).toThrow(/other than ca and server/);
    expect(() => issueCertificates(dir, 'temporal-frontend', { clients: ['../x'] })).toThrow(/lower-case words/);
  });

  it("authorizes each caller by its certificate's subject, read from the certificate, with the least each needs", () => {
    const dir = tempDir();
    const certs = issueCertificates(dir, 'temporal-frontend', { clients: [...CLUSTER_CLIENTS] });
    const { yaml, bySubject } = subjectAuthorization(certs, clusterCallerPermissions('journeys-prod'));
    expect(bySubject).toEqual({
      'journey-engine-operator': ['temporal-system:admin'],
      'journey-engine-worker': ['journeys-prod:write'],
      'journey-engine-api': ['journeys-prod:write'],
      'journey-engine-ui': ['temporal-system:read', 'journeys-prod:write'],
      'journey-engine-temporal-system': ['temporal-system:admin'],
    });
    expect(yaml).toBe(
      [
        '    authorizer: "default"',
        '    claimMapper: "tls-subject"',
        '    tlsSubjectPermissions:',
        '      "journey-engine-operator": ["temporal-system:admin"]',
        '      "journey-engine-worker": ["journeys-prod:write"]',
        '      "journey-engine-api": ["journeys-prod:write"]',
        '      "journey-engine-ui": ["temporal-system:read","journeys-prod:write"]',
        '      "journey-engine-temporal-system": ["temporal-system:admin"]',
      ].join('\n'),
    );

    // The frontend as start:cluster, the suite's cluster and the chaos cluster run it: the same grants, the server's
    // own worker showing temporal-system's certificate.
    const frontend = clusterFrontend(certs, 'journeys-prod');
    expect(frontend.authorization).toBe(yaml);
    expect(frontend.tls.workerCert).toEqual(certs.clients['temporal-system']);
    expect(frontend.tls.clientCaPath).toBe(certs.caPath);

    // An operator's own PKI: the subject is whatever its certificate says, and one subject shown by two kinds of
    // caller gets both's permissions.
    const own = tempDir();
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/O=Acme/CN=acme-temporal-ca',
      '-keyout',
      join(own, 'ca.key'),
      '-out',
      join(own, 'ca.pem'),
    );
    const mine = issueCertificates(own, 'temporal-frontend', { clients: ['worker', 'api'] });
    openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      '/O=Acme/OU=Engines/CN=acme-journeys',
      '-keyout',
      join(own, 'api.key'),
      '-out',
      join(own, 'api.csr'),
    );
    openssl(
      'x509',
      '-req',
      '-in',
      join(own, 'api.csr'),
      '-CA',
      join(own, 'ca.pem'),
      '-CAkey',
      join(own, 'ca.key'),
      '-days',
      '2',
      '-out',
      join(own, 'api.pem'),
    );
    expect(subjectAuthorization(mine, { worker: ['journeys:write'], api: ['journeys:read', 'journeys:write'] }).bySubject).toEqual({
      'journey-engine-worker': ['journeys:write'],
      'acme-journeys': ['journeys:read', 'journeys:write'],
    });
    execFileSync('cp', [join(own, 'api.pem'), join(own, 'worker.pem')]);
    expect(subjectAuthorization(mine, { worker: ['journeys:write'], api: ['other:read'] }).bySubject).toEqual({
      'acme-journeys': ['journeys:write', 'other:read'],
    });

    // What the server would refuse to start on is refused here first, naming the caller.
    expect(() => subjectAuthorization(certs, { worker: ['journeys-prod:owner'] })).toThrow(
      /"worker" permission "journeys-prod:owner" is not <namespace>:<read\|write\|worker\|admin>/,
    );
    expect(() => subjectAuthorization(certs, { worker: [] })).toThrow(/no permissions for the "worker" certificate/);
    expect(() => subjectAuthorization(certs, { nobody: ['x:read'] })).toThrow(/no client certificate "nobody"/);
  });

  it("takes the operator's own grants from a file: a subject replaced, shut out with an empty list, or added; a bad file is named", () => {
    const dir = tempDir();
    const certs = issueCertificates(dir, 'temporal-frontend', { clients: [...CLUSTER_CLIENTS] });
    const file = join(dir, 'authorization.json');
    expect(readOperatorGrants(file)).toEqual({}); // no file: the launcher's grants alone
    writeFileSync(
      file,
      JSON.stringify({
        subjects: { 'journey-engine-ui': [], 'journey-engine-api': ['default:read', 'default:read'], 'alice@acme': ['default:read'] },
      }),
    );
    const grants = readOperatorGrants(file);
    const { yaml, bySubject } = subjectAuthorization(certs, clusterCallerPermissions('default'), grants);
    expect(bySubject).toEqual({
      'journey-engine-operator': ['temporal-system:admin'],
      'journey-engine-worker': ['default:write'],
      'journey-engine-api': ['default:read'],
      'journey-engine-ui': [],
      'journey-engine-temporal-system': ['temporal-system:admin'],
      'alice@acme': ['default:read'],
    });
    expect(yaml).toContain('      "journey-engine-ui": []\n');
    expect(yaml).toContain('      "alice@acme": ["default:read"]');

    const refused = (text: string) => {
      writeFileSync(file, text);
      return () => readOperatorGrants(file);
    };
    expect(refused('{"subjects": ')).toThrow(new RegExp(`^${file}: not JSON`));
    expect(refused('{"journey-engine-ui": []}')).toThrow(/expected \{"subjects": \{"<certificate common name>"/);
    expect(refused('{"subjects": {"journey-engine-ui": "default:read"}}')).toThrow(
      /subjects\["journey-engine-ui"\] must be a list of "<namespace>:<read\|write\|worker\|admin>" \(empty: nothing\), got "default:read"/,
    );
    expect(refused('{"subjects": {"journey-engine-ui": ["default:owner"]}}')).toThrow(/got \["default:owner"\]/);
    expect(refused('{"subjects": {" ": ["default:read"]}}')).toThrow(/an empty common name/);
  });
});
