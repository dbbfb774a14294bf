// The SDK runtime, installed once per process before any connection: Prometheus metrics from the
// Rust core (task latencies, slots in use, poll counts) and the signals that start a graceful shutdown.
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

export interface RuntimeSettings {
  metricsPort?: number;
  metricsHost: string;
  logLevel?: LogLevel;
}

/** Installs the runtime; returns the metrics URL when an endpoint is configured. */
export function installWorkerRuntime(settings: RuntimeSettings): string | undefined {
  const bindAddress = settings.metricsPort ? `${settings.metricsHost}:${settings.metricsPort}` : undefined;
  Runtime.install({
    logger: new DefaultLogger(settings.logLevel ?? 'INFO'),
    // SIGINT/SIGTERM make every worker in the process stop polling and drain (see shutdownGraceTime).
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    telemetryOptions: {
      ...(bindAddress ? { metrics: { prometheus: { bindAddress } } } : {}),
    },
  });
  return bindAddress ? `http://${bindAddress}/metrics` : undefined;
}
