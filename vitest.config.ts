import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';
import { isTemporalEnvconfig } from './scripts/start-processes.ts';

// The suite reaches only the Temporal servers it starts, whatever the shell that runs it holds: the worker and API
// processes the tests start from a Temporal Cloud login's shell (TEMPORAL_API_KEY, TEMPORAL_PROFILE, the default
// profile of ~/.config/temporalio/temporal.toml) turned TLS on for its key and refused the plain dev server (5 tests
// of test/temporal-connect-wait.test.ts failed). Set here, before the test processes fork, they all inherit it.
for (const name of Object.keys(process.env)) if (isTemporalEnvconfig(name)) delete process.env[name];
process.env.TEMPORAL_CONFIG_FILE = resolve(import.meta.dirname, 'test/temporal.toml');

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/global.ts'],
    // Per test file: its temporary folders under one folder removed when the file ends (test/setup/temp-root.ts);
    // worker and Rust core logs to test/.artifacts/logs/<file>.log, and to the console below.
    setupFiles: ['test/setup/temp-root.ts', 'test/setup/worker-logs.ts'],
    // A test's console output (worker logs included) is printed only when it fails; passing tests stay quiet.
    silent: 'passed-only',
    // The console report, and a JSON report that scripts/test-count.mjs turns into `N passed, N failed, N skipped`.
    reporters: ['default', ['json', { outputFile: 'test/.artifacts/vitest-report.json' }]],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
