// What a launcher's processes (npm start, npm run start:cluster) see of the caller's Temporal settings: nothing. They
// reach the Temporal the launcher started, through <data>/temporal.toml, even from the shell of an operator logged
// in to Temporal Cloud (a profile with an API key in their temporal.toml, TEMPORAL_API_KEY and TEMPORAL_PROFILE set).
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTemporalEnvconfig, launchedEnv, ProcessGroup, writeTemporalProfile, writeTemporalProfiles } from '../scripts/start-processes.ts';
import { issueCertificates, mutualTlsEnv } from '../scripts/cluster/tls.ts';
import { loadTemporalConfig } from '../worker/temporal-config.ts';
import { CLOUD_ADDRESS, cloudLoginEnv } from './support/cloud-login.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'launched-env-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("a launcher's processes and the caller's Temporal", () => {
  it("launchedEnv drops every envconfig setting of the caller's and keeps the rest; the launcher's own win", () => {
    const inherited = {
      PATH: '/usr/bin',
      JOURNEY_LOG_LEVEL: 'info',
      TEMPORAL_CLI_PATH: '/opt/temporal',
      TEMPORAL_ADDRESS: CLOUD_ADDRESS,
      TEMPORAL_NAMESPACE: 'my-ns.a1b2c',
      TEMPORAL_API_KEY: 'k',
      TEMPORAL_PROFILE: 'cloud',
      TEMPORAL_CONFIG_FILE: '/home/me/temporal.toml',
      TEMPORAL_TLS: 'true',
      TEMPORAL_TLS_SERVER_NAME: 'cloud',
      TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true',
      TEMPORAL_CODEC_ENDPOINT: 'https://codec.example',
      TEMPORAL_GRPC_META_X_TENANT: 'acme',
    };
    expect(launchedEnv(inherited, { TEMPORAL_ADDRESS: '127.0.0.1:7233', JOURNEY_LOG_LEVEL: 'warn' })).toEqual({
      PATH: '/usr/bin',
      JOURNEY_LOG_LEVEL: 'warn',
      TEMPORAL_CLI_PATH: '/opt/temporal', // not a connection setting: the obtain scripts' binary
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
    });
  });

  it('writeTemporalProfile writes the same connection as the variables, mutual TLS included', () => {
    const dir = tempDir();
    const certs = issueCertificates(join(dir, 'tls'), 'temporal-frontend', { caDays: 2, days: 2, renewWithinDays: 0 });
    const vars = { TEMPORAL_ADDRESS: '127.0.0.1:7333', TEMPORAL_NAMESPACE: 'journeys', ...mutualTlsEnv(certs) };
    const written = writeTemporalProfile(join(dir, 'temporal.toml'), vars);
    expect(written).toEqual({ ...vars, TEMPORAL_CONFIG_FILE: join(dir, 'temporal.toml') });
    expect(readFileSync(join(dir, 'temporal.toml'), 'utf8')).toMatch(/^\[profile\.default\]\naddress = "127\.0\.0\.1:7333"/);
    const fromFile = loadTemporalConfig({ TEMPORAL_CONFIG_FILE: written.TEMPORAL_CONFIG_FILE });
    const fromVars = loadTemporalConfig(vars);
    expect(fromFile.namespace).toBe('journeys');
    expect(fromFile.connectionOptions).toEqual(fromVars.connectionOptions);
    expect(fromFile.connectionOptions.tls).toMatchObject({ serverNameOverride: 'temporal-frontend' });
  });

  it('writeTemporalProfiles: one file, a profile per kind of process, each chosen by TEMPORAL_PROFILE', () => {
    const dir = tempDir();
    const certs = issueCertificates(join(dir, 'tls'), 'temporal-frontend', {
      caDays: 2,
      days: 2,
      renewWithinDays: 0,
      clients: ['operator', 'worker'],
    });
    const reach = (client: string) => ({ TEMPORAL_ADDRESS: '127.0.0.1:7333', ...mutualTlsEnv(certs, client) });
    const file = join(dir, 'temporal.toml');
    const profiles = writeTemporalProfiles(file, { default: reach('operator'), worker: reach('worker') });
    expect(profiles.default).toEqual({ ...reach('operator'), TEMPORAL_CONFIG_FILE: file });
    expect(profiles.worker).toEqual({ ...reach('worker'), TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'worker' });
    const clientCert = (env: Record<string, string>) => {
      const tls = loadTemporalConfig(env).connectionOptions.tls;
      const crt = tls && typeof tls === 'object' ? tls.clientCertPair?.crt : undefined;
      return crt && Buffer.from(crt).toString();
    };
    // From the file alone: the profile names the certificate.
    expect(clientCert({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'worker' })).toBe(
      readFileSync(certs.clients.worker.certPath, 'utf8'),
    );
    expect(clientCert({ TEMPORAL_CONFIG_FILE: file })).toBe(readFileSync(certs.clients.operator.certPath, 'utf8'));
  });

  it("a launched process from a Temporal Cloud operator's shell reaches the launcher's Temporal, with no key, TLS or header", async () => {
    const dir = tempDir();
    // The operator's shell: this process's environment without the suite's own shield (vitest.config.ts).
    const { TEMPORAL_CONFIG_FILE: _suites, ...shell } = process.env;
    const inherited = { ...shell, ...cloudLoginEnv(join(dir, 'config')) };
    // The caller's shell alone would take the process to Cloud, with the key.
    const callers = loadTemporalConfig(inherited).connectionOptions;
    expect(callers).toMatchObject({ address: CLOUD_ADDRESS, apiKey: 'cloud-key-from-the-shell' });

    const own = writeTemporalProfile(join(dir, 'temporal.toml'), { TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_NAMESPACE: 'default' });
    const group = new ProcessGroup(() => undefined, inherited);
    const code = [
      "import { loadTemporalConfig } from './worker/temporal-config.ts';",
      'const { connectionOptions: o, namespace } = loadTemporalConfig(process.env);',
      'console.log(JSON.stringify({ address: o.address, namespace, apiKey: o.apiKey, tls: o.tls, metadata: o.metadata }));',
    ].join('\n');
    const child = group.run('probe', { command: process.execPath, args: ['--import', 'tsx', '--input-type=module', '-e', code] }, own);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c));
    const exitCode = await new Promise((resolve) => child.once('close', resolve));
    expect(exitCode).toBe(0);
    expect(JSON.parse(out)).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
  });

  it("the suite's own processes are shielded the same way (vitest.config.ts): a child sees only the suite's empty profile", () => {
    expect(Object.keys(process.env).filter((name) => name.startsWith('TEMPORAL_') && isTemporalEnvconfig(name))).toEqual([
      'TEMPORAL_CONFIG_FILE',
    ]);
    expect(process.env.TEMPORAL_CONFIG_FILE).toBe(join(import.meta.dirname, 'temporal.toml'));
    // The tests spawn their processes from process.env with an address: a Cloud login's config folder changes nothing.
    const { XDG_CONFIG_HOME } = cloudLoginEnv(join(tempDir(), 'config'));
    const shielded = loadTemporalConfig({ ...process.env, XDG_CONFIG_HOME, TEMPORAL_ADDRESS: '127.0.0.1:7233' }).connectionOptions;
    expect(loadTemporalConfig({ XDG_CONFIG_HOME }).connectionOptions.apiKey).toBe('cloud-key-of-the-operator');
    expect(shielded.apiKey).toBeUndefined();
    expect(shielded.tls).toBeUndefined();
  });
});
