// Certificates for TLS to Temporal, issued by openssl as an operator's own PKI would issue them: a CA, a server
// certificate for `name` and a client certificate, each with its key, in a temporary folder.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface IssuedCertificates {
  caPath: string;
  serverCertPath: string;
  serverKeyPath: string;
  cert: Buffer;
  key: Buffer;
  clientCertPath: string;
  clientKeyPath: string;
  /** The client certificate as a process takes it (Temporal's envconfig variables). */
  clientEnv: { TEMPORAL_TLS_CLIENT_CERT_PATH: string; TEMPORAL_TLS_CLIENT_KEY_PATH: string };
}

export function issueCertificates(name: string): IssuedCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'journey-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl('req', '-x509', ...ec, '-days', '2', '-subj', '/CN=journey-test-ca', '-keyout', 'ca.key', '-out', 'ca.pem');
  const issue = (who: string, subject: string, extensions: string) => {
    openssl('req', ...ec, '-subj', `/CN=${subject}`, '-keyout', `${who}.key`, '-out', `${who}.csr`);
    writeFileSync(join(dir, `${who}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n${extensions}\n`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${who}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-days',
      '2',
      '-extfile',
      `${who}.ext`,
      '-out',
      `${who}.pem`,
    );
  };
  issue('server', name, `subjectAltName=DNS:${name}\nextendedKeyUsage=serverAuth`);
  issue('client', 'journey-worker', 'extendedKeyUsage=clientAuth');
  const path = (file: string) => join(dir, file);
  return {
    caPath: path('ca.pem'),
    serverCertPath: path('server.pem'),
    serverKeyPath: path('server.key'),
    cert: readFileSync(path('server.pem')),
    key: readFileSync(path('server.key')),
    clientCertPath: path('client.pem'),
    clientKeyPath: path('client.key'),
    clientEnv: { TEMPORAL_TLS_CLIENT_CERT_PATH: path('client.pem'), TEMPORAL_TLS_CLIENT_KEY_PATH: path('client.key') },
  };
}
