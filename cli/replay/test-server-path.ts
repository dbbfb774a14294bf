// Where the time-skipping test server is: TEMPORAL_TEST_SERVER_PATH, else obtained (and cached) by the project's
// script, which prints what it does on stderr.
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '../../definitions/loader.ts';

export function testServerPath(): string {
  if (process.env.TEMPORAL_TEST_SERVER_PATH) return process.env.TEMPORAL_TEST_SERVER_PATH;
  const out = execFileSync('bash', ['scripts/obtain-temporal.sh', 'all'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  }).toString();
  const m = /export TEMPORAL_TEST_SERVER_PATH='([^']*)'/.exec(out);
  if (!m) throw new Error('scripts/obtain-temporal.sh did not give TEMPORAL_TEST_SERVER_PATH');
  return m[1];
}
