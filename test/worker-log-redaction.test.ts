// The worker's SDK logger (worker/runtime.ts): every line it writes has its customer ids digested and its addresses
// masked, and a line below the configured level is dropped before any of that work (the SDK logs each activity and
// activation at DEBUG and TRACE).
import { describe, expect, it } from 'vitest';
import type { LogLevel, LogMetadata, Logger } from '@temporalio/worker';
import { RedactingLogger } from '../worker/runtime.ts';
import { customerRef } from '../activities/log-redaction.ts';

function recording(): Logger & { lines: { level: LogLevel; message: string; meta?: LogMetadata }[] } {
  const lines: { level: LogLevel; message: string; meta?: LogMetadata }[] = [];
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => void lines.push({ level, message, meta });
  return {
    lines,
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}

describe('RedactingLogger', () => {
  it('writes lines at or above its level with customer ids digested and addresses masked', () => {
    const inner = recording();
    const logger = new RedactingLogger(inner, 'INFO');
    logger.warn('Activity failed for journey:nps-promoter-referral:acme-42', { workflowId: 'customer:acme-42', to: 'ada@acme.test' });
    logger.error('boom', { nested: [{ runOf: 'journey:milestone-review-ask:acme-42' }] });
    expect(inner.lines).toEqual([
      {
        level: 'WARN',
        message: `Activity failed for journey:nps-promoter-referral:${customerRef('acme-42')}`,
        meta: { workflowId: `customer:${customerRef('acme-42')}`, to: '[email]' },
      },
      { level: 'ERROR', message: 'boom', meta: { nested: [{ runOf: `journey:milestone-review-ask:${customerRef('acme-42')}` }] } },
    ]);
  });

  it('drops a line below its level without reading its fields', () => {
    const inner = recording();
    const logger = new RedactingLogger(inner, 'INFO');
    let reads = 0;
    const meta = {
      get workflowId() {
        reads++;
        return 'customer:acme-42';
      },
    };
    logger.debug('Starting activity', meta);
    logger.trace('Completed activation', meta);
    logger.log('DEBUG', 'Activity completed', meta);
    expect(inner.lines).toEqual([]);
    expect(reads).toBe(0);
    logger.info('Worker state changed', meta);
    expect(reads).toBe(1);
    expect(inner.lines).toEqual([
      { level: 'INFO', message: 'Worker state changed', meta: { workflowId: `customer:${customerRef('acme-42')}` } },
    ]);
  });

  it('writes every level when none is given (the inner logger decides)', () => {
    const inner = recording();
    new RedactingLogger(inner).trace('Completed activation', { runId: 'r1' });
    expect(inner.lines).toEqual([{ level: 'TRACE', message: 'Completed activation', meta: { runId: 'r1' } }]);
  });
});
