// The Temporal Web UI of `npm run start:cluster`: the ui-server the dev server embeds (scripts/cluster/obtain-temporal-
// ui.sh builds it), as its own process beside the cluster, the way a self-hosted deployment runs it. It reaches the
// frontend as every other client does (mutual TLS with the launcher's client certificate when JOURNEY_CLUSTER_TLS=mtls)
// and decodes payloads in the operator's browser through an API's codec endpoint, as `npm start`'s UI does.
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { clientCertificate, type IssuedCertificates } from './tls.ts';
import { waitForHttp } from '../start-processes.ts';

export interface TemporalUiOptions {
  /** The UI's own folder: config/cluster.yaml is written here at each start. */
  dir: string;
  port: number;
  temporalAddress: string;
  namespace: string;
  /** The API's codec endpoint for the browser (`http://…/codec/ui/<token>`); none: payloads are shown as stored. */
  codecEndpoint?: string;
  certs?: IssuedCertificates;
  /** Which of `certs`' client certificates the UI shows (the first one by default). */
  client?: string;
}

/** Writes the UI server's config (`--env cluster`); returns the arguments that start it on it. */
export function writeTemporalUiConfig(opts: TemporalUiOptions): string[] {
  const configDir = join(opts.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const cert = opts.certs ? clientCertificate(opts.certs, opts.client) : undefined;
  const tls =
    opts.certs && cert
      ? `tls:
  caFile: "${opts.certs.caPath}"
  certFile: "${cert.certPath}"
  keyFile: "${cert.keyPath}"
  serverName: "${opts.certs.serverName}"
  enableHostVerification: true
`
      : '';
  writeFileSync(
    join(configDir, 'cluster.yaml'),
    `# Written by scripts/cluster/temporal-ui.ts at each start: edit that file, not this one.
host: 127.0.0.1
port: ${opts.port}
temporalGrpcAddress: "${opts.temporalAddress}"
enableUi: true
defaultNamespace: "${opts.namespace}"
hideLogs: true
notifyOnNewVersion: false
# Served over plain HTTP on 127.0.0.1, as the dev server's UI: its CSRF cookie must not require HTTPS.
cors:
  cookieInsecure: true
${opts.codecEndpoint ? `codec:\n  endpoint: "${opts.codecEndpoint}"\n` : ''}${tls}`,
    { mode: 0o600 },
  );
  return ['--root', opts.dir, '--config', 'config', '--env', 'cluster', 'start'];
}

/**
 * The UI server as a daemon of its own (the suite's shared cluster server, test/setup/cluster-server.ts; the launcher
 * supervises it instead): its own process group, its output in `dir/ui-server.log`, up once its page answers.
 */
export async function startTemporalUi(
  serverPath: string,
  opts: TemporalUiOptions,
  onSpawn: (child: ChildProcess) => void,
): Promise<{ url: string; process: ChildProcess }> {
  const args = writeTemporalUiConfig(opts);
  const out = openSync(join(opts.dir, 'ui-server.log'), 'a');
  const child = spawn(serverPath, args, { stdio: ['ignore', out, out], detached: true });
  onSpawn(child);
  const url = `http://127.0.0.1:${opts.port}`;
  await waitForHttp(url, 60_000, () => child.exitCode === null && child.signalCode === null);
  return { url, process: child };
}
