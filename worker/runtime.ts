// The SDK runtime, installed once per process before any connection: Prometheus metrics from the
// Rust core (task latencies, slots in use, poll counts) and the signals that start a graceful shutdown.
import { DefaultLogger, Runtime, type LogLevel, type LogMetadata, type Logger } from '@temporalio/worker';
import { redactFields, redactText } from '../activities/log-redaction.ts';

export interface RuntimeSettings {
  metricsPort?: number;
  metricsHost: string;
  logLevel?: LogLevel;
  /** The least severe line of the SDK's Rust core forwarded to the logger (default WARN). */
  coreLogLevel?: LogLevel;
}

const SEVERITY: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

/**
 * The SDK's logger with every message and field passed through redactText (activities/log-redaction.ts). A line below
 * `level` (what the inner logger writes) is dropped before it is redacted: the SDK logs each activity and workflow
 * activation at DEBUG and TRACE, and redacting those only for the inner logger to drop them took about a fifth of the
 * worker's main-thread JavaScript under load (bench/scale.ts 5000, profiled).
 */
export class RedactingLogger implements Logger {
  private readonly least: number;
  constructor(
    private readonly inner: Logger,
    level: LogLevel = 'TRACE',
  ) {
    this.least = SEVERITY[level] ?? 0;
  }
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if ((SEVERITY[level] ?? SEVERITY.ERROR) < this.least) return;
    this.inner.log(level, redactText(message), meta ? redactFields(meta) : meta);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** Installs the runtime; returns the metrics URL when an endpoint is configured. */
export function installWorkerRuntime(settings: RuntimeSettings): string | undefined {
  const bindAddress = settings.metricsPort ? `${settings.metricsHost}:${settings.metricsPort}` : undefined;
  Runtime.install({
    // The SDK's lines (activity and workflow task failures) carry workflow ids, which hold customer ids.
    logger: new RedactingLogger(new DefaultLogger(settings.logLevel ?? 'INFO'), settings.logLevel ?? 'INFO'),
    // SIGINT/SIGTERM make every worker in the process stop polling and drain (see shutdownGraceTime).
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    telemetryOptions: {
      // Core's own lines (e.g. "Activity not found on completion ... task_token=…") go through the same redacting
      // logger instead of straight to the console: task tokens and run descriptions hold workflow ids.
      logging: { filter: { core: settings.coreLogLevel ?? 'WARN', other: 'ERROR' }, forward: {} },
      ...(bindAddress ? { metrics: { prometheus: { bindAddress } } } : {}),
    },
  });
  return bindAddress ? `http://${bindAddress}/metrics` : undefined;
}
