// Once per test file (vitest setupFiles; each file runs in its own process): every temporary folder the file makes
// through os.tmpdir() (harness data folders, API data folders, fake servers' files, doc shells) goes under one
// folder of its own, removed when the file ends. Tests made thousands of folders in /tmp and removed few of them.
// Set before the test file is imported, so every later os.tmpdir() call (and every child process) sees it.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const root = mkdtempSync(join(tmpdir(), 'journey-test-'));
// mkdtemp makes it 0700: other users must pass through it (PostgreSQL runs as `postgres` in test/cluster.test.ts).
chmodSync(root, 0o711);
process.env.TMPDIR = root;

// Registered first among the setup files' hooks, so with vitest's stacked after-hooks it runs after every other.
afterAll(() => rmSync(root, { recursive: true, force: true }));
