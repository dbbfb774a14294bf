// The Temporal Web UI of `npm run start:cluster`: the ui-server the dev server embeds (scripts/cluster/obtain-temporal-
// ui.sh builds it), as its own process beside the cluster, the way a self-hosted deployment runs it. It reaches the
// frontend as every other client does (mutual TLS with the launcher's client certificate when JOURNEY_CLUSTER_TLS=mtls)
// and decodes payloads in the operator's browser through an API's codec endpoint, as `npm start`'s UI does.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IssuedCertificates } from './tls.ts';

export interface TemporalUiOptions {
  /** The UI's own folder: config/cluster.yaml is written here at each start. */
  dir: string;
  port: number;
  temporalAddress: string;
  namespace: string;
  /** The API's codec endpoint for the browser (`http://…/codec/ui/<token>`). */
  codecEndpoint: string;
  certs?: IssuedCertificates;
}

/** Writes the UI server's config (`--env cluster`); returns the arguments that start it on it. */
export function writeTemporalUiConfig(opts: TemporalUiOptions): string[] {
  const configDir = join(opts.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const tls = opts.certs
    ? `tls:
  caFile: "${opts.certs.caPath}"
  certFile: "${opts.certs.clientCertPath}"
  keyFile: "${opts.certs.clientKeyPath}"
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
codec:
  endpoint: "${opts.codecEndpoint}"
${tls}`,
    { mode: 0o600 },
  );
  return ['--root', opts.dir, '--config', 'config', '--env', 'cluster', 'start'];
}
