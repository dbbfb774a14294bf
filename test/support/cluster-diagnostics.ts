// What a cluster test prints when it waited in vain for the workers: who polls each task queue as the server sees it,
// and what each worker's SDK says it polled and ran (its Prometheus page). Written for test/cluster.test.ts, whose
// wait for both workers to take runs timed out in CI twice with one worker silent, and printed nothing to tell a
// worker that was not polling from one the server gave nothing to.
import { Connection, Client, type ConnectionOptions } from '@temporalio/client';
import { fetchPrometheusSamples } from '../../scripts/prometheus-text.ts';

interface ClusterProcess {
  name: string;
  pid: number;
  metricsPort?: number;
}

/** SDK metrics that say whether a worker polls and what its polls brought back. */
const WORKER_METRICS =
  /^temporal_(num_pollers|workflow_task_queue_poll_(succeed|empty)|workflow_task_execution_failed|workflow_task_schedule_to_start_latency_count|activity_task_received|worker_task_slots_available|sticky_cache_size|request_failure)/;

/** One line per fact, for an error message; never throws (a part it cannot read says why instead). */
export async function clusterDiagnostics(opts: {
  /** How to reach the cluster's Temporal (its address, and TLS with JOURNEY_CLUSTER_TLS=mtls). */
  temporalOptions: ConnectionOptions;
  namespace: string;
  taskQueues: string[];
  processes: ClusterProcess[];
}): Promise<string> {
  const lines: string[] = [`processes: ${opts.processes.map((p) => `${p.name}=${p.pid}`).join(', ')}`];
  try {
    const connection = await Connection.connect({ ...opts.temporalOptions, connectTimeout: 5000 });
    try {
      const client = new Client({ connection, namespace: opts.namespace });
      for (const name of opts.taskQueues)
        for (const [type, label] of [
          [1, 'workflow'],
          [2, 'activity'],
        ] as const) {
          const { pollers } = await client.workflowService.describeTaskQueue({
            namespace: opts.namespace,
            taskQueue: { name },
            taskQueueType: type,
          });
          const seen = pollers.map((p) => {
            const at = p.lastAccessTime?.seconds ? new Date(Number(p.lastAccessTime.seconds) * 1000).toISOString() : '?';
            return `${p.identity} (last poll ${at})`;
          });
          lines.push(`server: ${label} pollers of "${name}": ${seen.join(', ') || 'none'}`);
        }
    } finally {
      await connection.close();
    }
  } catch (err) {
    lines.push(`server: task queues not read: ${(err as Error).message}`);
  }
  for (const p of opts.processes.filter((q) => q.metricsPort)) {
    try {
      const samples = await fetchPrometheusSamples(`http://127.0.0.1:${p.metricsPort}/metrics`, { signal: AbortSignal.timeout(5000) });
      // Summed over the labels left out (an activity's type, for one).
      const kept = new Map<string, number>();
      for (const s of samples.filter((x) => WORKER_METRICS.test(x.name))) {
        const labels = Object.entries(s.labels)
          .filter(([k]) => ['task_queue', 'poller_type', 'worker_type'].includes(k))
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
        const key = `${s.name}{${labels}}`;
        kept.set(key, (kept.get(key) ?? 0) + s.value);
      }
      lines.push(`${p.name} (pid ${p.pid}) metrics: ${[...kept].map(([k, v]) => `${k} ${v}`).join('; ') || 'none of the polling metrics'}`);
    } catch (err) {
      lines.push(`${p.name} (pid ${p.pid}) metrics not read: ${(err as Error).message}`);
    }
  }
  return lines.join('\n');
}
