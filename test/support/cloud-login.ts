// The shell of an operator who also uses Temporal Cloud: a temporal.toml in their config folder whose profiles carry
// an API key (what `temporal config set` writes), and the Cloud settings exported beside it. A launcher must start
// its processes against its own Temporal regardless (scripts/start-processes.ts, launchedEnv).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CLOUD_ADDRESS = 'my-ns.a1b2c.tmprl.cloud:7233';

/**
 * Writes `<dir>/temporalio/temporal.toml` and returns the shell's variables that point at it: XDG_CONFIG_HOME (where
 * the SDK looks by default) and TEMPORAL_CONFIG_FILE (which also replaces the test suite's own file in a launched
 * process's environment, as a real shell would have it).
 */
export function cloudLoginEnv(dir: string): Record<string, string> {
  mkdirSync(join(dir, 'temporalio'), { recursive: true });
  const profile = (name: string) =>
    `[profile.${name}]\naddress = "${CLOUD_ADDRESS}"\nnamespace = "my-ns.a1b2c"\napi_key = "cloud-key-of-the-operator"\n`;
  writeFileSync(join(dir, 'temporalio', 'temporal.toml'), `${profile('default')}\n${profile('cloud')}`);
  return {
    XDG_CONFIG_HOME: dir,
    TEMPORAL_CONFIG_FILE: join(dir, 'temporalio', 'temporal.toml'),
    TEMPORAL_PROFILE: 'cloud',
    TEMPORAL_API_KEY: 'cloud-key-from-the-shell',
    TEMPORAL_GRPC_META_X_TENANT: 'acme',
  };
}
