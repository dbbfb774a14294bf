// Once per test file (vitest setupFiles; each file runs in its own process): the Temporal SDK runtime with a logger
// that keeps every worker log line, the Rust core's included, in test/.artifacts/logs/<test file>.log, and hands
// each line to the console as well. The console is vitest's: with `silent: 'passed-only'` it prints a test's
// lines only when that test (or its suite, for lines from hooks) fails, so a passing suite stays short.
import { mkdirSync, openSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, expect } from 'vitest';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

const LOG_DIR = join(process.cwd(), 'test', '.artifacts', 'logs');

function logFileFor(testPath: string | undefined): string {
  const name = testPath ? relative(join(process.cwd(), 'test'), testPath).replaceAll('/', '__') : `worker-${process.pid}`;
  return join(LOG_DIR, `${name}.log`);
}

function lineOf(entry: LogEntry): string {
  const at = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const meta = entry.meta && Object.keys(entry.meta).length > 0 ? ` ${inspect(entry.meta, { breakLength: Infinity, depth: 4 })}` : '';
  return `${at} [${entry.level}] ${entry.message}${meta}`;
}

// Written synchronously: a test process may exit right after its last line, and the file must hold it.
let fd: number | undefined;

function keep(entry: LogEntry): void {
  const line = lineOf(entry);
  if (fd === undefined) {
    mkdirSync(LOG_DIR, { recursive: true });
    fd = openSync(logFileFor(expect.getState().testPath), 'w');
  }
  writeSync(fd, `${line}\n`);
  if (entry.level === 'ERROR' || entry.level === 'WARN') console.warn(line);
  else console.log(line);
}

try {
  Runtime.install({
    logger: new DefaultLogger('INFO', keep),
    // Without `forward` the Rust core writes its own lines straight to stderr, past vitest's console.
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} } },
  });
} catch {
  // Already installed in this process (a file that installs its own runtime first, or a reused process): keep it.
}

// The runtime buffers log lines (~100 ms, to order core and worker lines by time) before the logger sees them.
// Flushing at the end of each test and each file hands them over while the test they belong to is still current.
afterEach(() => Runtime.instance().flushLogs());
afterAll(() => Runtime.instance().flushLogs());
