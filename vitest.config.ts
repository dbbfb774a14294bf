import { defineConfig } from 'vitest/config';

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
